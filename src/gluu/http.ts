/**
 * The one place the stat client touches the network. Every request has an overall deadline and
 * a body size cap, and every failure becomes a GluuError whose message says what to do.
 */
import { rootCertificates } from "node:tls";
import { Agent, request } from "undici";
import type { z } from "zod";
import type { GluuConfig } from "../config/index.js";
import { GluuError } from "./errors.js";

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Which of the server's endpoints a request is for: what metrics count requests by. */
export type Endpoint = "discovery" | "token" | "stat";

export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly endpoint: Endpoint;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export type HttpSend = (req: HttpRequest) => Promise<HttpResponse>;

export interface HttpClient {
  readonly send: HttpSend;
  close(): Promise<void>;
}

const TLS_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "certificate not trusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "certificate not trusted",
  SELF_SIGNED_CERT_IN_CHAIN: "certificate not trusted (self-signed CA)",
  DEPTH_ZERO_SELF_SIGNED_CERT: "certificate not trusted (self-signed)",
  CERT_UNTRUSTED: "certificate not trusted",
  CERT_HAS_EXPIRED: "certificate expired",
  CERT_NOT_YET_VALID: "certificate not yet valid",
  ERR_TLS_CERT_ALTNAME_INVALID: "certificate does not match the host name",
};

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (typeof current === "object" && current !== null && "code" in current) {
      const code = (current as { code: unknown }).code;
      if (typeof code === "string" && code.length > 0 && !code.startsWith("UND_ERR_SOCKET")) return code;
    }
    current =
      typeof current === "object" && current !== null && "cause" in current ? current.cause : undefined;
  }
  return typeof err === "object" && err !== null && "code" in err ? String(err.code) : undefined;
}

/** Only scheme, host and path: a URL we log or show never carries a query or credentials. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * A 200 answer's body as `schema` describes it. Discovery and token answers are JSON objects;
 * anything else is a bad_response whose sentence (`notJson`, `invalid`) says what to check.
 */
export function readJson<T>(
  res: HttpResponse,
  url: string,
  schema: z.ZodType<T>,
  says: { readonly notJson: string; readonly invalid: string },
): T {
  const details = { status: res.status, url: safeUrl(url) };
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch (err) {
    throw new GluuError("bad_response", says.notJson, { ...details, cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new GluuError("bad_response", says.invalid, { ...details, cause: parsed.error });
  return parsed.data;
}

export function toGluuError(err: unknown, url: string, timeoutMs: number, maxBytes: number): GluuError {
  if (err instanceof GluuError) return err;
  const where = safeUrl(url);
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return where;
    }
  })();
  const code = errorCode(err);
  if (code && TLS_CODES[code]) {
    return new GluuError("tls", `${TLS_CODES[code]} for ${host}: set GLUU_CA_FILE to the CA's PEM file`, {
      url: where,
      cause: code,
    });
  }
  if (
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT" ||
    code === "UND_ERR_CONNECT_TIMEOUT" ||
    code === "ETIMEDOUT" ||
    (err instanceof Error && (err.name === "TimeoutError" || code === "ABORT_ERR"))
  ) {
    return new GluuError(
      "timeout",
      `the Gluu server at ${host} did not answer within ${Math.round(timeoutMs / 1000)} s; try again later or raise GLUU_TIMEOUT_MS`,
      { url: where, cause: code },
    );
  }
  if (code === "UND_ERR_RES_EXCEEDED_MAX_SIZE") {
    return new GluuError(
      "too_large",
      `the answer from ${where} was larger than ${Math.round(maxBytes / 1024)} KiB; is GLUU_URL the issuer? (raise GLUU_MAX_BODY_BYTES if it is)`,
      { url: where },
    );
  }
  if (code === "ECONNREFUSED") {
    return new GluuError(
      "network",
      `connection refused by ${host}: is the Gluu server running and GLUU_URL right?`,
      {
        url: where,
        cause: code,
      },
    );
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new GluuError("network", `cannot resolve host ${host}: check GLUU_URL`, {
      url: where,
      cause: code,
    });
  }
  if (code?.startsWith("ERR_SSL") || code?.startsWith("ERR_TLS") || code === "EPROTO") {
    return new GluuError(
      "tls",
      `TLS handshake with ${host} failed (${code}): check the URL's scheme and port`,
      {
        url: where,
        cause: code,
      },
    );
  }
  if (code === "UND_ERR_SOCKET" || code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_CLOSED") {
    return new GluuError("network", `the connection to ${host} was closed before it answered`, {
      url: where,
      cause: code,
    });
  }
  return new GluuError(
    "network",
    `connection to ${host} failed (${code ?? (err instanceof Error ? err.message : "unknown error")})`,
    { url: where, cause: code },
  );
}

export interface HttpOptions {
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly ca?: string | undefined;
  readonly tlsInsecure?: boolean;
}

export function httpOptionsFrom(cfg: GluuConfig): HttpOptions {
  return {
    timeoutMs: cfg.timeoutMs,
    maxBodyBytes: cfg.maxBodyBytes,
    ca: cfg.ca,
    tlsInsecure: cfg.tlsInsecure,
  };
}

/** Told of every request's end: its endpoint, and the HTTP status or the failure's code. */
export type RequestObserver = (endpoint: Endpoint, outcome: number | string) => void;

/** `http` with every request's outcome reported to `observe` (for metrics). */
export function observedHttp(http: HttpClient, observe: RequestObserver): HttpClient {
  return {
    async send(req) {
      try {
        const res = await http.send(req);
        observe(req.endpoint, res.status);
        return res;
      } catch (err) {
        observe(req.endpoint, err instanceof GluuError ? err.code : "error");
        throw err;
      }
    },
    close: () => http.close(),
  };
}

export function createHttpClient(opts: HttpOptions): HttpClient {
  const agent = new Agent({
    connect: {
      // Node's `ca` option replaces the bundled roots; GLUU_CA_FILE is meant to add to them.
      ca: opts.ca ? [...rootCertificates, opts.ca] : undefined,
      rejectUnauthorized: !opts.tlsInsecure,
      timeout: opts.timeoutMs,
    },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    maxResponseSize: opts.maxBodyBytes,
    keepAliveTimeout: 10_000,
  });

  const send: HttpSend = async (req) => {
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: { accept: "application/json, text/plain;q=0.9, */*;q=0.1", ...req.headers },
        body: req.body,
        dispatcher: agent,
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      const body = await res.body.text();
      return { status: res.statusCode, headers: res.headers, body };
    } catch (err) {
      throw toGluuError(err, req.url, opts.timeoutMs, opts.maxBodyBytes);
    }
  };

  return { send, close: () => agent.close() };
}
