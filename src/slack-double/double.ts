/**
 * One loopback HTTP server standing in for slack.com: the Web API under /api/, response_urls
 * under /commands/, and the Socket Mode WebSocket under /link/. Everything the app sends is
 * recorded so tests can assert on it; faults can be injected to exercise retries and fallbacks.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { refusalMessages, refusedBlocks } from "./blocks.js";
import { DOUBLE_DEFAULTS } from "./payloads.js";
import { SocketModeDouble } from "./socket.js";
import type {
  FaultSpec,
  MethodHandler,
  RecordedFile,
  RecordedPost,
  RecordedResponse,
  RecordedUpload,
  ResponseUrlBody,
  SlackDouble,
  SlackDoubleOptions,
} from "./types.js";
import { builtinHandlers, type PendingUpload } from "./web-api.js";

const MAX_BODY_BYTES = 1024 * 1024;
/** Largest file the upload_url takes (Slack's limit is 1 GB; a test double has no use for that). */
const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;
const WAIT_TIMEOUT_MS = 5_000;
/** Slack accepts at most this many posts to one response_url. */
const RESPONSE_URL_USES = 5;
/** Form fields the web client JSON-encodes; decoding them lets tests assert on blocks as data. */
const JSON_FIELDS = new Set([
  "blocks",
  "attachments",
  "metadata",
  "unfurls",
  "view",
  "user_auth_blocks",
  // files.completeUploadExternal: `[{id, title}]`
  "files",
]);
/** Scope a method needs, where the double enforces one (Slack answers missing_scope without it). */
const METHOD_SCOPES: Record<string, string> = {
  "files.getUploadURLExternal": "files:write",
  "files.completeUploadExternal": "files:write",
};
/** Methods whose blocks a workspace with `refuseBlockTypes` checks; views.publish checks its view's. */
const BLOCK_METHODS = new Set(["chat.postMessage", "chat.update", "chat.postEphemeral", "views.publish"]);

interface Waiter {
  /** Resolves the waiter and returns true if its condition holds. */
  settle(): boolean;
  reject(err: Error): void;
}

class BodyTooLarge extends Error {}

function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBytes(req, MAX_BODY_BYTES)).toString("utf8");
}

/**
 * The file's bytes from an upload_url POST: @slack/web-api sends multipart/form-data with one
 * file part (named "body"); curl -F and others name it differently, and a raw body is taken as is.
 */
async function uploadedBytes(body: Buffer, contentType: string | undefined): Promise<Buffer | undefined> {
  if (!contentType?.toLowerCase().startsWith("multipart/form-data")) return body;
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch {
    return undefined;
  }
  let text: string | undefined;
  for (const [, value] of form) {
    if (typeof value !== "string") return Buffer.from(await value.arrayBuffer());
    text ??= value;
  }
  return text === undefined ? undefined : Buffer.from(text, "utf8");
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
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
  readonly files: RecordedFile[] = [];
  readonly uploads: RecordedUpload[] = [];
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
  #pendingUploads = new Map<string, PendingUpload>();
  #refuseOption: readonly string[];
  #refuse: readonly string[];
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
    this.#refuseOption = [...(opts.refuseBlockTypes ?? [])];
    this.#refuse = this.#refuseOption;
    this.#builtins = builtinHandlers({
      teamId: this.teamId,
      teamDomain: this.#teamDomain,
      appId: this.appId,
      botUserId: this.botUserId,
      botId: this.botId,
      users: opts.users ?? {},
      nextTs: () => this.#nextTs(),
      uploads: this.#pendingUploads,
      uploadUrl: (fileId) => `${this.url}/upload/${encodeURIComponent(fileId)}`,
      filesCompleted: (files) => {
        for (const f of files) this.#record(this.files, f);
      },
    });
    this.#handlers = new Map(this.#builtins);
    this.socket = new SocketModeDouble({
      appId: this.appId,
      teamId: this.teamId,
      botUserId: this.botUserId,
      pingIntervalMs: opts.socketPingIntervalMs ?? 10_000,
      responseUrl: () => this.responseUrl(),
      refuseBlockTypes: () => this.#refuse,
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

  get refuseBlockTypes(): readonly string[] {
    return this.#refuse;
  }

  set refuseBlockTypes(types: readonly string[]) {
    this.#refuse = [...types];
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
    if (url.pathname.startsWith("/upload/")) return this.#uploadPost(req, res, url.pathname);
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
    const needed = METHOD_SCOPES[method];
    if (needed !== undefined && !this.#scopes.includes(needed)) {
      return answer(
        200,
        { ok: false, error: "missing_scope", needed, provided: this.#scopes.join(",") },
        { ...scopeHeader, "x-accepted-oauth-scopes": needed },
      );
    }
    if (BLOCK_METHODS.has(method)) {
      const inView = method === "views.publish";
      const view = args.view;
      const blocks =
        inView && typeof view === "object" && view !== null
          ? (view as { blocks?: unknown }).blocks
          : args.blocks;
      const refused = refusedBlocks(blocks, this.#refuse);
      if (refused.length > 0) {
        return answer(
          200,
          {
            ok: false,
            error: "invalid_blocks",
            response_metadata: { messages: refusalMessages(refused, inView ? "/view/blocks" : "/blocks") },
          },
          scopeHeader,
        );
      }
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
    // Refused before it is delivered, so it does not use up one of the url's posts.
    if (refusedBlocks(body.blocks, this.#refuse).length > 0) return answer(400, "invalid_blocks");
    this.#responseUses.set(path, uses + 1);
    return answer(200);
  }

  /** The upload_url of files.getUploadURLExternal: takes the file's bytes, answers "OK - <length>". */
  async #uploadPost(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const raw = await readBytes(req, MAX_UPLOAD_BYTES);
    const contentType = req.headers["content-type"];
    const fileId = decodeURIComponent(path.slice("/upload/".length));
    const rec: RecordedUpload = {
      path,
      fileId,
      size: 0,
      ...(contentType ? { contentType } : {}),
      at: 0,
      status: 200,
    };
    const answer = (status: number, text: string, error?: string, headers: Record<string, string> = {}) => {
      rec.status = status;
      if (error) rec.error = error;
      rec.at = Date.now();
      this.#record(this.uploads, rec);
      sendText(res, status, text, headers);
    };

    if (req.method !== "POST") return answer(405, "method_not_allowed", "method_not_allowed");
    const fault = this.#takeFault("upload_url");
    if (fault) {
      const error = fault.error ?? (fault.retryAfterS !== undefined ? "ratelimited" : "internal_error");
      if (fault.retryAfterS !== undefined) {
        return answer(fault.status ?? 429, error, error, { "retry-after": String(fault.retryAfterS) });
      }
      return answer(fault.status ?? 500, error, error);
    }
    const up = this.#pendingUploads.get(fileId);
    if (!up || up.completed) return answer(404, "file_not_found", "file_not_found");
    const bytes = await uploadedBytes(raw, contentType);
    if (!bytes) return answer(400, "no_file_data", "no_file_data");
    rec.size = bytes.length;
    // Slack holds the client to the length it announced in files.getUploadURLExternal.
    if (bytes.length !== up.length) {
      return answer(
        400,
        `length_mismatch: expected ${up.length} bytes, got ${bytes.length}`,
        "length_mismatch",
      );
    }
    up.bytes = bytes;
    return answer(200, `OK - ${bytes.length}`);
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

  waitForFiles(n: number, timeoutMs = WAIT_TIMEOUT_MS): Promise<RecordedFile[]> {
    return this.#wait(
      () => (this.files.length >= n ? [...this.files] : undefined),
      () =>
        `${n} completed file(s); got ${this.files.length} (uploads: ${this.uploads.length}, completeUploadExternal calls: ${this.calls.filter((c) => c.method === "files.completeUploadExternal").length})`,
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
    this.files.length = 0;
    this.uploads.length = 0;
    this.faults = {};
    this.#refuse = this.#refuseOption;
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
