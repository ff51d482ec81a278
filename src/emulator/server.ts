/**
 * The emulator's HTTP shell: routes requests to the pure endpoint functions, keeps the state
 * a real server keeps (issued tokens, the Gluu 4.x interval), injects faults, counts and logs.
 */
import { randomUUID } from "node:crypto";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { MonthStats } from "../gluu/model.js";
import { month, monthAt, monthEndUtc, monthStartUtc } from "../months.js";
import { generateData } from "./data.js";
import { discoveryDocument, FAMILY_PREFIX } from "./discovery.js";
import { orgJson } from "./json.js";
import type { OpenMetricsVariant } from "./openmetrics.js";
import { mulberry32 } from "./random.js";
import { errorBody, type Family, handleStat, type IssuedToken } from "./stat-endpoint.js";
import { type EmulatorClient, handleToken } from "./token-endpoint.js";

export type { EmulatorClient } from "./token-endpoint.js";

export interface EmulatorOptions {
  family: Family;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** PEM key and certificate: HTTPS when given. */
  tls?: { key: string; cert: string };
  /** Default: `stat-client` / `stat-secret`, client_secret_basic, scopes openid and jans_stat. */
  clients?: EmulatorClient[];
  /** Default 299. */
  tokenLifetimeS?: number;
  /**
   * Gluu 4.x only: the server-wide `statWebServiceIntervalLimitInSeconds`. Default 60.
   * 0 disables the limit here; a real server treats 0 (or less) as 60.
   */
  intervalLimitS?: number;
  /** The server option of that name: adds `reason` to error bodies. Default false. */
  errorReasonEnabled?: boolean;
  /** Default `jans_stat` (also on Gluu 4.x). */
  statAuthorizationScope?: string;
  /** Default: generateData for the 24 months ending with the current one, which is partial. */
  data?: MonthStats[];
  /** Clock for token expiry, the interval and the request log. Default Date.now. */
  now?: () => number;
  /** Seeds the default data and the response order. Default 1. */
  seed?: number;
  /**
   * Order of months, grant types and families in answers: `shuffle` (default, seeded, new for
   * each answer) or `java`, the order a real server's hash maps give.
   */
  order?: "shuffle" | "java";
  /** Which Java simpleclient's text writer to imitate; default `classic`, as the servers use. */
  openMetricsVariant?: OpenMetricsVariant;
  /**
   * Gluu 4.x only: an older OpenMetrics writer that answers 500 (interval used) when the answer
   * holds more than one month. Default false.
   */
  openMetricsRegistryPerMonth?: boolean;
  /** Called for each logged request (the CLI prints them). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface Faults {
  /** Wait this long before answering. */
  delayMs?: number;
  /** Which endpoint misbehaves; default `stat`. `all` includes unknown paths. */
  target?: "stat" | "token" | "discovery" | "all";
  /** Answer this status with the body the server (or, for 502–504, its proxy) sends. */
  status?: number;
  /** Requests the fault applies to, counted down as they come; undefined: until cleared. */
  times?: number;
  /** 200 with a body that is neither JSON nor the text format. */
  garbage?: boolean;
  /** 200 with a body of exactly this many bytes, chunked (no Content-Length). */
  oversizeBytes?: number;
  /** Destroy the connection without answering. */
  reset?: boolean;
}

export interface EmulatorCounters {
  discovery: number;
  token: number;
  /** Requests at the family's stat path, faulted ones included. */
  stat: number;
  /** Stat requests answered 200 by the endpoint itself (not by a fault). */
  statOk: number;
  /** Gluu 4.x interval refusals. */
  stat403: number;
  /** Months asked in total by processed stat requests (deduplicated per request). */
  statMonths: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** The raw query string without `?`; secret-bearing parameters masked. */
  query: string;
  /** 0 when the connection was reset without an answer. */
  status: number;
  at: number;
}

export interface Emulator {
  /** Issuer base URL, e.g. http://127.0.0.1:54321 */
  readonly url: string;
  readonly family: Family;
  /** `/oxauth/restv1/internal/stat` or `/jans-auth/restv1/internal/stat` */
  readonly statPath: string;
  readonly counters: EmulatorCounters;
  /** Every request, oldest first, without secrets. */
  readonly requests: RequestLogEntry[];
  /** Mutable: assign or change at any time; read on every request. */
  faults: Faults;
  setData(data: MonthStats[]): void;
  /** Every issued token becomes unknown: the stat endpoint answers 401. */
  revokeTokens(): void;
  /** Zeroes the counters and empties the request log. */
  resetCounters(): void;
  /** Stops listening and destroys every open connection, pending delays included. */
  close(): Promise<void>;
}

export const DEFAULT_CLIENT: Readonly<EmulatorClient> = {
  id: "stat-client",
  secret: "stat-secret",
  authMethod: "client_secret_basic",
  scopes: ["openid", "jans_stat"],
};

const MAX_REQUEST_BODY = 1024 * 1024;
const SECRET_PARAMS = new Set([
  "client_secret",
  "access_token",
  "refresh_token",
  "password",
  "code",
  "assertion",
  "client_assertion",
]);

type Route = "discovery" | "token" | "stat" | "other";

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const emulator = new GluuEmulator(opts);
  await emulator.listen(opts.host ?? "127.0.0.1", opts.port ?? 0);
  return emulator;
}

class GluuEmulator implements Emulator {
  readonly family: Family;
  readonly statPath: string;
  readonly counters: EmulatorCounters = {
    discovery: 0,
    token: 0,
    stat: 0,
    statOk: 0,
    stat403: 0,
    statMonths: 0,
  };
  readonly requests: RequestLogEntry[] = [];
  faults: Faults = {};

  private urlValue = "";
  private data: readonly MonthStats[];
  private readonly tokens = new Map<string, IssuedToken>();
  private lastProcessedAt: number | undefined;
  private readonly server: Server;
  private readonly aborter = new AbortController();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly clients: readonly EmulatorClient[];
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: EmulatorOptions) {
    this.family = opts.family;
    this.statPath = `${FAMILY_PREFIX[opts.family]}/restv1/internal/stat`;
    this.now = opts.now ?? Date.now;
    this.random = mulberry32((opts.seed ?? 1) ^ 0x5eed);
    this.clients = opts.clients ?? [{ ...DEFAULT_CLIENT, scopes: [...DEFAULT_CLIENT.scopes] }];
    this.data = opts.data ? [...opts.data] : defaultData(this.now(), opts.seed ?? 1);
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { "content-type": "application/json" }).end();
        } else res.destroy();
      });
    };
    this.server = opts.tls
      ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler)
      : createHttpServer(handler);
  }

  get url(): string {
    return this.urlValue;
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        const address = this.server.address() as AddressInfo;
        const shown = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
        const hostPart = shown.includes(":") ? `[${shown}]` : shown;
        this.urlValue = `${this.opts.tls ? "https" : "http"}://${hostPart}:${address.port}`;
        resolve();
      });
    });
  }

  setData(data: MonthStats[]): void {
    this.data = [...data];
  }

  revokeTokens(): void {
    this.tokens.clear();
  }

  resetCounters(): void {
    for (const key of Object.keys(this.counters) as Array<keyof EmulatorCounters>) this.counters[key] = 0;
    this.requests.splice(0);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.aborter.abort();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Writes after the client gave up must not crash the emulator.
    res.on("error", () => {});
    const at = this.now();
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = q === -1 ? "" : rawUrl.slice(q + 1);
    const route = this.route(path);
    if (route === "discovery") this.counters.discovery++;
    else if (route === "token") this.counters.token++;
    else if (route === "stat") this.counters.stat++;

    const log = (status: number): void => {
      const entry = { method, path, query: maskSecrets(query), status, at };
      this.requests.push(entry);
      this.opts.onRequest?.(entry);
    };
    const send = (status: number, headers: Record<string, string>, body: string): void => {
      log(status);
      if (res.destroyed) return;
      res.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
      res.end(body);
    };

    const fault = this.takeFault(route);
    if (fault?.delayMs !== undefined && fault.delayMs > 0) {
      try {
        await sleep(fault.delayMs, undefined, { signal: this.aborter.signal });
      } catch {
        // Closing: nobody is waiting for an answer any more.
        log(0);
        req.socket.destroy();
        return;
      }
    }
    if (fault?.reset) {
      log(0);
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      const answer = faultAnswer(route, fault.status, this.family, this.opts.errorReasonEnabled ?? false);
      send(fault.status, answer.headers, answer.body);
      return;
    }
    if (fault?.garbage) {
      send(200, { "content-type": "application/json" }, GARBAGE);
      return;
    }
    if (fault?.oversizeBytes !== undefined) {
      log(200);
      await this.streamOversize(res, fault.oversizeBytes);
      return;
    }

    switch (route) {
      case "discovery":
        if (method !== "GET") return send(405, { allow: "GET" }, "");
        return send(
          200,
          { "content-type": "application/json" },
          orgJson(discoveryDocument(this.family, this.url, this.statScope()), 4),
        );
      case "token": {
        if (method !== "POST") return send(405, { allow: "POST" }, "");
        const body = await readBody(req);
        if (body === undefined) return send(413, {}, "");
        const outcome = handleToken({
          family: this.family,
          rawBody: isForm(req) ? body : "",
          authorization: req.headers.authorization,
          clients: this.clients,
          now: this.now(),
          lifetimeS: this.opts.tokenLifetimeS ?? 299,
          errorReasonEnabled: this.opts.errorReasonEnabled ?? false,
          newTokenValue: randomUUID,
        });
        if (outcome.issued) this.tokens.set(outcome.issued.value, outcome.issued.token);
        return send(outcome.status, { ...outcome.headers }, outcome.body);
      }
      case "stat": {
        if (method !== "GET" && method !== "POST") return send(405, { allow: "GET, POST" }, "");
        let rawParams = query;
        if (method === "POST") {
          const body = await readBody(req);
          if (body === undefined) return send(413, {}, "");
          // @FormParam reads the form body only; the query string does not count.
          rawParams = isForm(req) ? body : "";
        }
        const outcome = handleStat({
          family: this.family,
          rawParams,
          authorization: req.headers.authorization,
          now: this.now(),
          token: (value) => this.tokens.get(value),
          statAuthorizationScope: this.statScope(),
          errorReasonEnabled: this.opts.errorReasonEnabled ?? false,
          intervalLimitS: this.family === "gluu4" ? (this.opts.intervalLimitS ?? 60) : 0,
          lastProcessedAt: this.lastProcessedAt,
          data: this.data,
          ...((this.opts.order ?? "shuffle") === "shuffle" ? { shuffle: this.random } : {}),
          ...(this.opts.openMetricsVariant ? { openMetricsVariant: this.opts.openMetricsVariant } : {}),
          ...(this.opts.openMetricsRegistryPerMonth ? { openMetricsRegistryPerMonth: true } : {}),
        });
        if (outcome.processedAt !== undefined) this.lastProcessedAt = outcome.processedAt;
        if (outcome.months) this.counters.statMonths += outcome.months.length;
        if (outcome.status === 200) this.counters.statOk++;
        if (outcome.kind === "interval_limited") this.counters.stat403++;
        return send(outcome.status, { "content-type": outcome.contentType }, outcome.body);
      }
      default:
        return send(404, { "content-type": "text/html;charset=iso-8859-1" }, proxyPage(404));
    }
  }

  private route(path: string): Route {
    const prefix = FAMILY_PREFIX[this.family];
    if (
      path === "/.well-known/openid-configuration" ||
      path === `${prefix}/.well-known/openid-configuration`
    ) {
      return "discovery";
    }
    if (path === `${prefix}/restv1/token`) return "token";
    if (path === this.statPath) return "stat";
    return "other";
  }

  private statScope(): string {
    return this.opts.statAuthorizationScope ?? "jans_stat";
  }

  /** The fault for this request, if any, counting down `times`. */
  private takeFault(route: Route): Faults | undefined {
    const f = this.faults;
    const active =
      (f.delayMs ?? 0) > 0 ||
      f.status !== undefined ||
      f.garbage === true ||
      f.oversizeBytes !== undefined ||
      f.reset === true;
    if (!active) return undefined;
    const target = f.target ?? "stat";
    if (target !== "all" && target !== route) return undefined;
    if (f.times !== undefined) {
      if (f.times <= 0) return undefined;
      f.times -= 1;
    }
    return { ...f };
  }

  /** A body that parses as nothing, streamed with backpressure until done or abandoned. */
  private async streamOversize(res: ServerResponse, bytes: number): Promise<void> {
    res.writeHead(200, { "content-type": "application/json" });
    const head = '{"response":{},"padding":"';
    const tail = '"}';
    let remaining = bytes;
    const emit = (chunk: string): Promise<void> | undefined => {
      remaining -= chunk.length;
      if (res.write(chunk)) return undefined;
      return new Promise((resolve) => {
        // Remove both listeners whichever fires, or a long stream piles them up on `res`.
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.once("drain", done);
        res.once("close", done);
      });
    };
    // Valid JSON when complete, so only a size cap, not a parse error, can stop a client.
    const framed = bytes >= head.length + tail.length;
    if (framed) await emit(head);
    const chunk = "x".repeat(64 * 1024);
    while (remaining - (framed ? tail.length : 0) > 0 && !res.destroyed && !this.aborter.signal.aborted) {
      const size = Math.min(chunk.length, remaining - (framed ? tail.length : 0));
      await emit(size === chunk.length ? chunk : chunk.slice(0, size));
    }
    if (res.destroyed) return;
    if (framed) res.end(tail);
    else res.end();
  }
}

/** Not JSON, not the text format: a truncated document running into binary and HTML. */
const GARBAGE = '{"response":{"2021\u0000\u0007\ufffd\ufffd<html><body>Bad Gateway</body></html>';

function faultAnswer(
  route: Route,
  status: number,
  family: Family,
  errorReasonEnabled: boolean,
): { headers: Record<string, string>; body: string } {
  const json = { "content-type": "application/json" };
  // Gateway errors come from the reverse proxy in front of the Java server.
  if (status >= 502 && status <= 504)
    return { headers: { "content-type": "text/html; charset=iso-8859-1" }, body: proxyPage(status) };
  if (route === "stat" && (status === 401 || status === 403)) {
    return { headers: json, body: errorBody("access_denied", "", errorReasonEnabled) };
  }
  if (status === 400 && (route === "stat" || route === "token")) {
    return { headers: json, body: errorBody("invalid_request", "", errorReasonEnabled) };
  }
  if (route === "token" && status === 401) {
    return {
      headers: {
        "content-type": "application/json;charset=UTF-8",
        "www-authenticate": `Basic realm="${family === "gluu4" ? "oxAuth" : "jans-auth"}"`,
      },
      body: errorBody("invalid_client", "", errorReasonEnabled),
    };
  }
  if (status === 404)
    return { headers: { "content-type": "text/html; charset=iso-8859-1" }, body: proxyPage(404) };
  // The servers' catch-all: a status and an empty JSON entity.
  return { headers: json, body: "" };
}

/** Apache httpd's error page, as the proxy in front of both server families sends it. */
function proxyPage(status: number): string {
  const title = `${status} ${STATUS_TEXT[status] ?? "Error"}`;
  const text = PROXY_TEXT[status] ?? "The server encountered an error.";
  return `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${title}</title>\n</head><body>\n<h1>${STATUS_TEXT[status] ?? "Error"}</h1>\n<p>${text}</p>\n</body></html>\n`;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  404: "Not Found",
  502: "Proxy Error",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

const PROXY_TEXT: Readonly<Record<number, string>> = {
  404: "The requested URL was not found on this server.",
  502: "The proxy server received an invalid\nresponse from an upstream server.",
  503: "The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later.",
  504: "The gateway did not receive a timely response\nfrom the upstream server or application.",
};

function isForm(req: IncomingMessage): boolean {
  return (req.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
}

/** The request body as text, or undefined past MAX_REQUEST_BODY. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_REQUEST_BODY) return undefined;
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function maskSecrets(query: string): string {
  if (query === "") return query;
  return query
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq === -1 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replaceAll("+", " "));
      } catch {
        // Keep the raw name: masking only needs to recognise well-formed ones.
      }
      return SECRET_PARAMS.has(decoded.toLowerCase()) && eq !== -1 ? `${name}=***` : pair;
    })
    .join("&");
}

function defaultData(now: number, seed: number): MonthStats[] {
  // A test clock near the epoch would put the months before MIN_YEAR: end with 2001 instead.
  if (now < Date.UTC(2002, 0, 1)) return generateData({ months: 24, endMonth: month(2001, 12), seed });
  const current = monthAt(now);
  const start = monthStartUtc(current);
  const fraction = (now - start) / (monthEndUtc(current) - start);
  // Never quite empty: even an hour into a month some users have logged in.
  return generateData({ months: 24, endMonth: current, seed, lastMonthFraction: Math.max(0.02, fraction) });
}
