/**
 * One loopback HTTP server standing in for slack.com: the Web API under /api/, response_urls
 * under /commands/, and the Socket Mode WebSocket under /link/. Everything the app sends is
 * recorded so tests can assert on it; faults can be injected to exercise retries and fallbacks.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DOUBLE_DEFAULTS } from "./payloads.js";
import { SocketModeDouble } from "./socket.js";
import type {
  FaultSpec,
  MethodHandler,
  RecordedPost,
  RecordedResponse,
  ResponseUrlBody,
  SlackDouble,
  SlackDoubleOptions,
} from "./types.js";
import { builtinHandlers } from "./web-api.js";

const MAX_BODY_BYTES = 1024 * 1024;
const WAIT_TIMEOUT_MS = 5_000;
/** Slack accepts at most this many posts to one response_url. */
const RESPONSE_URL_USES = 5;
/** Form fields the web client JSON-encodes; decoding them lets tests assert on blocks as data. */
const JSON_FIELDS = new Set(["blocks", "attachments", "metadata", "unfurls", "view", "user_auth_blocks"]);

interface Waiter {
  /** Resolves the waiter and returns true if its condition holds. */
  settle(): boolean;
  reject(err: Error): void;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function decodeForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (JSON_FIELDS.has(key)) {
      try {
        out[key] = JSON.parse(value);
        continue;
      } catch {
        // Slack would reject malformed JSON; keeping the raw string lets the test see what was sent.
      }
    }
    out[key] = value;
  }
  return out;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === "string" ? /^Bearer\s+(.+)$/i.exec(h.trim()) : null;
  return m?.[1];
}

class Double implements SlackDouble {
  readonly calls: RecordedPost[] = [];
  readonly responses: RecordedResponse[] = [];
  faults: FaultSpec = {};
  readonly botToken: string;
  readonly appToken: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  readonly socket: SocketModeDouble;
  url = "";
  #teamDomain: string;
  #scopes: string[];
  #handlers: Map<string, MethodHandler>;
  #builtins: Map<string, MethodHandler>;
  #responseUses = new Map<string, number>();
  #waiters = new Set<Waiter>();
  #server = createServer((req, res) => {
    this.#route(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, err instanceof BodyTooLarge ? 413 : 500, { ok: false, error: "fatal_error" });
      else res.destroy();
    });
  });
  #lastTs = 0;
  #closed = false;
  #reachable = true;
  #refused = 0;

  constructor(opts: SlackDoubleOptions) {
    const d = DOUBLE_DEFAULTS;
    this.botToken = opts.botToken ?? d.botToken;
    this.appToken = opts.appToken ?? d.appToken;
    this.teamId = opts.teamId ?? d.teamId;
    this.botUserId = opts.botUserId ?? d.botUserId;
    this.botId = opts.botId ?? d.botId;
    this.appId = opts.appId ?? d.appId;
    this.#teamDomain = opts.teamDomain ?? d.teamDomain;
    this.#scopes = opts.scopes ?? [...d.scopes];
    this.#builtins = builtinHandlers({
      teamId: this.teamId,
      teamDomain: this.#teamDomain,
      appId: this.appId,
      botUserId: this.botUserId,
      botId: this.botId,
      users: opts.users ?? {},
      nextTs: () => this.#nextTs(),
    });
    this.#handlers = new Map(this.#builtins);
    this.socket = new SocketModeDouble({
      appId: this.appId,
      teamId: this.teamId,
      botUserId: this.botUserId,
      pingIntervalMs: opts.socketPingIntervalMs ?? 10_000,
      responseUrl: () => this.responseUrl(),
    });
    // An unreachable Slack: every new TCP connection (Web API, response_url, WebSocket upgrade) is
    // reset before a byte is read, as a dropped route or a restarting load balancer does.
    this.#server.on("connection", (socket) => {
      if (this.#reachable) return;
      this.#refused += 1;
      socket.destroy();
    });
    this.#server.on("upgrade", (req, socket, head: Buffer) => {
      if (!this.socket.handleUpgrade(req, socket, head)) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      }
    });
  }

  get reachable(): boolean {
    return this.#reachable;
  }

  get refusedConnections(): number {
    return this.#refused;
  }

  setReachable(reachable: boolean): void {
    this.#reachable = reachable;
    if (reachable) return;
    // What was open goes down with the link: keep-alive HTTP connections and every WebSocket.
    this.#server.closeAllConnections();
    this.socket.drop();
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    const { port } = this.#server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  #nextTs(): string {
    // Slack ts values are microsecond-precision strings; bumping by one keeps them unique and ordered.
    const micros = Math.max(Date.now() * 1000, this.#lastTs + 1);
    this.#lastTs = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0")}`;
  }

  responseUrl(id?: string): string {
    const key = id ?? randomBytes(12).toString("hex");
    const path = `/commands/${this.teamId}/${encodeURIComponent(key)}`;
    if (!this.#responseUses.has(path)) this.#responseUses.set(path, 0);
    return `${this.url}${path}`;
  }

  /** Returns the fault to apply to this request, consuming one of its `times`. */
  #takeFault(method: string): FaultSpec | undefined {
    const f = this.faults;
    if (f.status === undefined && f.retryAfterS === undefined && f.error === undefined) return undefined;
    if (f.method !== undefined && f.method !== method) return undefined;
    if (f.times !== undefined) {
      if (f.times <= 0) return undefined;
      f.times -= 1;
    }
    return f;
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url || "http://127.0.0.1");
    if (url.pathname.startsWith("/api/")) return this.#webApi(req, res, url);
    if (url.pathname.startsWith("/commands/")) return this.#responseUrlPost(req, res, url.pathname);
    await readBody(req);
    sendJson(res, 404, { ok: false, error: "not_found" });
  }

  async #webApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = decodeURIComponent(url.pathname.slice("/api/".length));
    const text = await readBody(req);
    const contentType = req.headers["content-type"];
    let args: Record<string, unknown>;
    if (contentType?.startsWith("application/json")) {
      try {
        const parsed: unknown = text.length > 0 ? JSON.parse(text) : {};
        args = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? { ...parsed } : {};
      } catch {
        args = {};
      }
    } else if (contentType?.startsWith("application/x-www-form-urlencoded")) {
      args = decodeForm(text);
    } else {
      args = decodeForm(url.search.slice(1));
    }
    // Slack reads a form-posted token but ignores one inside a JSON body (it must be a header there).
    const formToken =
      typeof args.token === "string" && !contentType?.startsWith("application/json") ? args.token : undefined;
    const token = bearer(req) ?? formToken;
    delete args.token;

    const rec: RecordedPost = {
      method,
      body: args,
      at: 0,
      status: 200,
      ...(contentType ? { contentType } : {}),
    };
    Object.defineProperty(rec, "token", {
      value: token,
      enumerable: false,
      writable: true,
      configurable: true,
    });

    const answer = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      rec.status = status;
      if (body.ok === false && typeof body.error === "string") rec.error = body.error;
      rec.at = Date.now();
      this.#record(this.calls, rec);
      sendJson(res, status, body, headers);
    };

    const fault = this.#takeFault(method);
    if (fault) {
      if (fault.retryAfterS !== undefined) {
        return answer(
          fault.status ?? 429,
          { ok: false, error: fault.error ?? "ratelimited" },
          {
            "retry-after": String(fault.retryAfterS),
          },
        );
      }
      return answer(fault.status ?? 200, { ok: false, error: fault.error ?? "internal_error" });
    }

    const scopeHeader = { "x-oauth-scopes": this.#scopes.join(",") };
    if (method === "apps.connections.open") {
      if (token === this.appToken) return answer(200, { ok: true, url: this.socket.issueUrl(this.url) });
      return answer(200, {
        ok: false,
        error: token === this.botToken ? "not_allowed_token_type" : "invalid_auth",
      });
    }
    if (token !== this.botToken) {
      return answer(200, {
        ok: false,
        error: token === this.appToken ? "not_allowed_token_type" : "invalid_auth",
      });
    }
    if (method === "auth.test") {
      return answer(
        200,
        {
          ok: true,
          url: `https://${this.#teamDomain}.slack.com/`,
          team: "Gluu Double",
          user: "gluu-stats",
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        },
        scopeHeader,
      );
    }
    const handler = this.#handlers.get(method);
    if (!handler) return answer(200, { ok: false, error: "unknown_method" }, scopeHeader);
    return answer(200, handler(args), scopeHeader);
  }

  async #responseUrlPost(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const text = await readBody(req);
    let body: ResponseUrlBody = {};
    let parsed = false;
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v === "object" && v !== null && !Array.isArray(v)) {
        body = v as ResponseUrlBody;
        parsed = true;
      }
    } catch {
      // Recorded as an empty body with an error below, so a test sees the app sent garbage.
    }
    const rec: RecordedResponse = { path, body, at: 0, status: 200 };
    const answer = (status: number, error?: string, headers: Record<string, string> = {}) => {
      rec.status = status;
      if (error) rec.error = error;
      rec.at = Date.now();
      this.#record(this.responses, rec);
      sendJson(res, status, error ? { ok: false, error } : { ok: true }, headers);
    };

    if (req.method !== "POST") return answer(405, "method_not_allowed");
    const fault = this.#takeFault("response_url");
    if (fault) {
      if (fault.retryAfterS !== undefined) {
        return answer(fault.status ?? 429, fault.error ?? "ratelimited", {
          "retry-after": String(fault.retryAfterS),
        });
      }
      return answer(fault.status ?? 404, fault.error ?? "internal_error");
    }
    const uses = this.#responseUses.get(path);
    if (uses === undefined) return answer(404, "expired_url");
    if (uses >= RESPONSE_URL_USES) return answer(404, "used_url");
    if (!parsed) return answer(400, "invalid_payload");
    this.#responseUses.set(path, uses + 1);
    return answer(200);
  }

  #record<T>(list: T[], item: T): void {
    list.push(item);
    for (const w of this.#waiters) if (w.settle()) this.#waiters.delete(w);
  }

  #wait<T>(done: () => T[] | undefined, what: () => string, timeoutMs: number): Promise<T[]> {
    const now = done();
    if (now) return Promise.resolve(now);
    if (this.#closed) return Promise.reject(new Error(`Slack double is closed (waiting for ${what()})`));
    return new Promise<T[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      const waiter: Waiter = {
        settle: () => {
          const got = done();
          if (!got) return false;
          clearTimeout(timer);
          resolve(got);
          return true;
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  waitForResponses(n: number, timeoutMs = WAIT_TIMEOUT_MS): Promise<RecordedResponse[]> {
    return this.#wait(
      () => (this.responses.length >= n ? [...this.responses] : undefined),
      () => `${n} response_url POST(s); got ${this.responses.length}`,
      timeoutMs,
    );
  }

  waitForCalls(method: string, n: number, timeoutMs = WAIT_TIMEOUT_MS): Promise<RecordedPost[]> {
    const matching = () => this.calls.filter((c) => c.method === method);
    return this.#wait(
      () => {
        const m = matching();
        return m.length >= n ? m : undefined;
      },
      () =>
        `${n} ${method} call(s); got ${matching().length} (all calls: ${this.calls.map((c) => c.method).join(", ") || "none"})`,
      timeoutMs,
    );
  }

  handle(method: string, handler: MethodHandler | undefined): void {
    const fallback = this.#builtins.get(method);
    if (handler) this.#handlers.set(method, handler);
    else if (fallback) this.#handlers.set(method, fallback);
    else this.#handlers.delete(method);
  }

  reset(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.faults = {};
    this.#reachable = true;
    this.socket.clearAcks();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#waiters) w.reject(new Error("Slack double closed"));
    this.#waiters.clear();
    await this.socket.close();
    await new Promise<void>((resolve, reject) => {
      this.#server.close((err) => (err ? reject(err) : resolve()));
      // Keep-alive sockets from fetch/undici would otherwise hold close() open until they time out.
      this.#server.closeAllConnections();
    });
  }
}

/** Starts the double on 127.0.0.1 with an ephemeral port. Always `close()` it. */
export async function startSlackDouble(opts: SlackDoubleOptions = {}): Promise<SlackDouble> {
  const double = new Double(opts);
  await double.listen();
  return double;
}
