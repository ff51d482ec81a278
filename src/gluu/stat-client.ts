/**
 * One request to the statistics endpoint for any set of months. Knows the server families'
 * paths and status codes; knows nothing of caching (see stat-service.ts) or of Slack.
 */
import type { GluuConfig, StatFormat } from "../config/index.js";
import type { Logger } from "../log.js";
import { silentLogger } from "../log.js";
import { type Month, monthKey } from "../months.js";
import { familyOfStatUrl, fetchDiscovery, STAT_PATHS } from "./discovery.js";
import { GluuError, readErrorBody } from "./errors.js";
import {
  createHttpClient,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
  type HttpSend,
  httpOptionsFrom,
  safeUrl,
} from "./http.js";
import type { MonthStats, ServerFamily } from "./model.js";
import { parseStatBody } from "./parse/index.js";
import { type AccessToken, TokenProvider } from "./token.js";

export interface StatEndpoint {
  readonly url: string;
  readonly family: ServerFamily;
}

export interface StatClientDeps {
  readonly http?: HttpClient;
  readonly now?: () => number;
  readonly log?: Logger;
}

/**
 * Longest stat URL sent as a GET; a longer request goes as a POST with a form body, which both
 * server families read alike (`@FormParam`). 2,000 characters is the long-standing safe length
 * for a URL through every proxy and load balancer (request-line limits start at 4 KiB); with an
 * issuer URL of ordinary length it leaves room for about 180 months, so every question and its
 * neighbourhood (at most 60 months, about 550 characters) still goes as the GET that every
 * server and proxy in front of it is known to pass, and only a long range goes as a POST. A
 * length rule rather than a month count, because the issuer URL's length counts too.
 */
export const MAX_GET_URL_LENGTH = 2_000;

/**
 * An older Gluu 4.x OpenMetrics writer failed (500) on a request for several months: the client
 * now asks in JSON, and the caller should send the request again. On Gluu 4.x that 500 was a
 * processed request (the server records the time before writing its answer), so the interval
 * runs from `at`.
 */
export class FormatFallbackError extends GluuError {
  constructor(
    readonly at: number,
    url: string,
  ) {
    super(
      "server",
      "the Gluu server's OpenMetrics writer failed on a request for several months; asking again in JSON",
      { status: 500, url },
    );
  }
}

export interface FetchedMonths {
  readonly stats: MonthStats[];
  /** When the server answered. */
  readonly at: number;
}

export class StatClient {
  readonly tokens: TokenProvider;
  private readonly http: HttpClient;
  private readonly now: () => number;
  private tokenUrlPromise: Promise<string> | undefined;
  private endpoint: StatEndpoint | undefined;
  private readonly log: Logger;
  /** Set once the server answered 500 to OpenMetrics for several months: JSON from then on. */
  private jsonOnly = false;
  /** Requests sent to the stat endpoint, for doctor and the benchmark. */
  statRequests = 0;

  constructor(
    readonly config: GluuConfig,
    deps: StatClientDeps = {},
  ) {
    this.http = deps.http ?? createHttpClient(httpOptionsFrom(config));
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? silentLogger;
    this.endpoint = config.statUrl
      ? { url: config.statUrl, family: familyOfStatUrl(config.statUrl) }
      : undefined;
    this.tokens = new TokenProvider({
      send: this.http.send,
      config,
      tokenUrl: () => this.tokenUrl(),
      now: this.now,
    });
  }

  get send(): HttpSend {
    return this.http.send;
  }

  get host(): string {
    return new URL(this.config.url).host;
  }

  /** The endpoint that answered, once known (GLUU_STAT_URL or auto-detected). */
  get knownEndpoint(): StatEndpoint | undefined {
    return this.endpoint;
  }

  /** The format requests are made in: GLUU_STAT_FORMAT, unless the server turned out to need JSON. */
  get format(): StatFormat {
    return this.jsonOnly ? "json" : this.config.statFormat;
  }

  /** Gluu 4.x limits the request rate server-wide; Janssen does not. Unknown counts as limited. */
  get rateLimited(): boolean {
    return this.endpoint?.family !== "janssen";
  }

  tokenUrl(): Promise<string> {
    if (this.config.tokenUrl) return Promise.resolve(this.config.tokenUrl);
    this.tokenUrlPromise ??= fetchDiscovery(this.http.send, this.config.url)
      .then((d) => d.token_endpoint)
      .catch((err: unknown) => {
        this.tokenUrlPromise = undefined; // a failed discovery is retried next time
        throw err;
      });
    return this.tokenUrlPromise;
  }

  /**
   * Fetches the given months in ONE request. A 401 refreshes the token once and retries once.
   * Without GLUU_STAT_URL the Janssen path is tried first and the Gluu 4.x path on 404; a 404
   * costs the Gluu 4.x interval nothing, so detection never uses up a user's request.
   */
  async fetchMonths(months: readonly Month[]): Promise<FetchedMonths> {
    if (months.length === 0) return { stats: [], at: this.now() };
    const format = this.format;
    const { endpoint, res } = await this.firstFound((c) => this.requestWithToken(c, months, format));
    this.endpoint ??= endpoint;
    const at = this.now();
    if (res.status === 500 && format === "openmetrics" && months.length > 1) {
      // An older Gluu 4.x writer registers its metric families once per month and so fails on
      // a second one. Every request asks for many months, so JSON from now on.
      this.jsonOnly = true;
      this.log.warn(
        { url: safeUrl(endpoint.url), months: months.length },
        "the Gluu server answered 500 to an OpenMetrics request for several months (an older Gluu 4.x writer): asking in JSON from now on; set GLUU_STAT_FORMAT=json",
      );
      throw new FormatFallbackError(at, safeUrl(endpoint.url));
    }
    return { stats: this.interpret(res.status, res.body, endpoint, format), at };
  }

  /**
   * Finds the stat endpoint and checks the token against it WITHOUT using the Gluu 4.x
   * interval: a request without months is answered 400 (endpoint there, token accepted), 401
   * (token refused) or 404 (not there), and neither 400 nor 401 counts as a processed request.
   */
  async probe(): Promise<{ endpoint: StatEndpoint; tokenAccepted: boolean }> {
    const token = await this.tokens.get();
    const { endpoint, res } = await this.firstFound((c) =>
      this.http.send({
        method: "GET",
        url: c.url,
        headers: { authorization: `Bearer ${token.value}` },
        endpoint: "stat",
      }),
    );
    if (res.status === 400 || res.status === 401) {
      this.endpoint ??= endpoint;
      return { endpoint, tokenAccepted: res.status === 400 };
    }
    throw new GluuError(
      res.status >= 500 ? "server" : "bad_response",
      `the stat endpoint ${safeUrl(endpoint.url)} answered ${res.status} to a probe; expected 400`,
      { status: res.status, url: safeUrl(endpoint.url) },
    );
  }

  /**
   * The first stat endpoint that is there (answers anything but 404), with its answer. Without
   * GLUU_STAT_URL, and until one answered, the Janssen path comes first and the Gluu 4.x one second.
   */
  private async firstFound(
    ask: (endpoint: StatEndpoint) => Promise<HttpResponse>,
  ): Promise<{ endpoint: StatEndpoint; res: HttpResponse }> {
    const candidates: readonly StatEndpoint[] = this.endpoint
      ? [this.endpoint]
      : (["janssen", "gluu4"] as const).map((family) => ({
          url: `${this.config.url}${STAT_PATHS[family]}`,
          family,
        }));
    for (const endpoint of candidates) {
      const res = await ask(endpoint);
      if (res.status !== 404) return { endpoint, res };
    }
    throw new GluuError(
      "not_found",
      `no stat endpoint at ${candidates.map((c) => safeUrl(c.url)).join(" or ")}: is GLUU_URL the issuer? (or set GLUU_STAT_URL)`,
      { status: 404 },
    );
  }

  private async requestWithToken(endpoint: StatEndpoint, months: readonly Month[], format: StatFormat) {
    let token = await this.tokens.get();
    let res = await this.request(endpoint, months, format, token);
    if (res.status === 401) {
      // Revoked or expired early: one fresh token, one retry. A second 401 is a real refusal.
      this.tokens.invalidate(token);
      token = await this.tokens.get();
      res = await this.request(endpoint, months, format, token);
    }
    return res;
  }

  private request(endpoint: StatEndpoint, months: readonly Month[], format: StatFormat, token: AccessToken) {
    this.statRequests++;
    return this.http.send(statRequest(endpoint.url, months, format, token.value));
  }

  private interpret(status: number, body: string, endpoint: StatEndpoint, format: StatFormat): MonthStats[] {
    const where = safeUrl(endpoint.url);
    const { reason } = readErrorBody(body);
    const why = reason ? ` (server says: ${reason})` : "";
    switch (true) {
      case status === 200:
        return parseStatBody(body, format);
      case status === 401:
        return fail(
          "scope",
          `the stat endpoint refused the token${why}: the client needs scope ${this.config.scope} (check the client's scopes and statAuthorizationScope)`,
        );
      case status === 403:
        return fail(
          "rate_limited",
          `the Gluu server allows one statistics request per statWebServiceIntervalLimitInSeconds and another request came first${why}`,
        );
      case status === 400:
        return fail("bad_request", `the stat endpoint rejected the request as invalid${why}`);
      case status >= 500:
        return fail("server", `the Gluu server failed with ${status}${why}; try again later`);
      default:
        return fail("bad_response", `the stat endpoint ${where} answered ${status}${why}`);
    }
    function fail(code: ConstructorParameters<typeof GluuError>[0], message: string): never {
      throw new GluuError(code, message, { status, url: where });
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/**
 * The HTTP request for some months: a GET while the URL stays within MAX_GET_URL_LENGTH, else a
 * POST with the same parameters as a form body. Months are separated by `%20`, the list form
 * both families accept (a comma list is a 400; `+` would do too, but `%20` reads the same in
 * a query and a form).
 */
export function statRequest(
  endpointUrl: string,
  months: readonly Month[],
  format: StatFormat,
  bearer: string,
): HttpRequest {
  const params = new URLSearchParams();
  params.set("month", months.map(monthKey).join(" "));
  if (format === "openmetrics") params.set("format", "openmetrics");
  const encoded = params.toString().replace(/\+/g, "%20");
  const url = new URL(endpointUrl);
  url.search = url.search ? `${url.search}&${encoded}` : `?${encoded}`;
  const get = url.toString();
  const authorization = `Bearer ${bearer}`;
  if (get.length <= MAX_GET_URL_LENGTH)
    return { method: "GET", url: get, headers: { authorization }, endpoint: "stat" };
  return {
    method: "POST",
    url: endpointUrl,
    headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
    body: encoded,
    endpoint: "stat",
  };
}
