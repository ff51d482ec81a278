/**
 * Socket Mode side of the double: a `ws` server behind the URLs `apps.connections.open` hands
 * out. Frames follow what @slack/socket-mode expects: `hello` on connect, envelopes
 * `{envelope_id, type, payload, accepts_response_payload}`, acks `{envelope_id, payload}`,
 * `disconnect` to ask for a reconnect, and WebSocket pings (ws answers the client's pings itself).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { refusedAck } from "./blocks.js";
import { slashCommandFields } from "./payloads.js";
import type { RecordedAck, SlashCommandFields, SocketModeDoubleApi, SocketSendOptions } from "./types.js";

interface PendingAck {
  type: string;
  ws: WebSocket;
  resolve(payload: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

interface Waiter {
  done(): boolean;
  resolve(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface SocketDoubleContext {
  appId: string;
  teamId: string;
  botUserId: string;
  pingIntervalMs: number;
  /** A fresh response_url, so commands sent without one can still be answered. */
  responseUrl(): string;
  /** Block types the workspace refuses right now (the double's `refuseBlockTypes`). */
  refuseBlockTypes(): readonly string[];
}

const ACK_TIMEOUT_MS = 3_000;
const WAIT_TIMEOUT_MS = 5_000;

export class SocketModeDouble implements SocketModeDoubleApi {
  readonly acks: RecordedAck[] = [];
  #wss = new WebSocketServer({ noServer: true });
  #open = new Set<WebSocket>();
  #tickets = new Set<string>();
  #pending = new Map<string, PendingAck>();
  #waiters = new Set<Waiter>();
  #total = 0;
  #pings = 0;
  #closed = false;

  constructor(private readonly ctx: SocketDoubleContext) {}

  get connectionCount(): number {
    return this.#open.size;
  }

  get pingsReceived(): number {
    return this.#pings;
  }

  get totalConnections(): number {
    return this.#total;
  }

  /** A one-time WebSocket URL, as `apps.connections.open` returns (Slack tickets are single-use too). */
  issueUrl(origin: string): string {
    const ticket = randomUUID();
    this.#tickets.add(ticket);
    return `${origin.replace(/^http/, "ws")}/link/?ticket=${ticket}&app_id=${this.ctx.appId}`;
  }

  /** Takes over an HTTP upgrade if it is for us; returns false to let the caller refuse it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/link/" && url.pathname !== "/link") return false;
    const ticket = url.searchParams.get("ticket") ?? "";
    if (this.#closed || !this.#tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return true;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
    return true;
  }

  #accept(ws: WebSocket): void {
    this.#open.add(ws);
    this.#total += 1;
    ws.on("error", () => {
      // A reset connection also emits "close", where the cleanup happens; nothing to add here.
    });
    ws.on("ping", () => {
      // ws answers with a pong by itself; counting lets tests see the client's keep-alive at work.
      this.#pings += 1;
    });
    ws.on("message", (data, isBinary) => {
      if (!isBinary) this.#onMessage(data.toString());
    });
    let ping: NodeJS.Timeout | undefined;
    if (this.ctx.pingIntervalMs > 0) {
      ping = setInterval(
        () => ws.ping(Buffer.from(`Ping from applink-double (${Date.now()})`)),
        this.ctx.pingIntervalMs,
      );
      ping.unref();
    }
    ws.on("close", () => {
      clearInterval(ping);
      this.#open.delete(ws);
      for (const [id, p] of this.#pending) {
        if (p.ws === ws) {
          this.#pending.delete(id);
          clearTimeout(p.timer);
          p.reject(new Error(`Socket Mode connection closed before envelope ${id} (${p.type}) was acked`));
        }
      }
      this.#checkWaiters();
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.#open.size,
        debug_info: { host: "applink-double", build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.ctx.appId },
      }),
    );
    this.#checkWaiters();
  }

  #onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg !== "object" || msg === null || !("envelope_id" in msg)) return;
    const id = String(msg.envelope_id);
    const payload = "payload" in msg ? msg.payload : undefined;
    const pending = this.#pending.get(id);
    const ack: RecordedAck = { envelope_id: id, type: pending?.type ?? "unknown", payload, at: Date.now() };
    // A slash-command ack is shown to the user as a message; a refused block makes it an error instead.
    const refused =
      ack.type === "slash_commands" ? refusedAck(payload, this.ctx.refuseBlockTypes()) : undefined;
    if (refused) ack.refused = refused;
    this.acks.push(ack);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(payload);
  }

  #wait(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    if (this.#closed) return Promise.reject(new Error(`Socket Mode double is closed (waiting for ${what})`));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        done,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  #checkWaiters(): void {
    for (const w of this.#waiters) {
      if (w.done()) {
        this.#waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve();
      }
    }
  }

  connected(timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
    return this.#wait(() => this.#open.size > 0, "a Socket Mode connection", timeoutMs);
  }

  disconnected(timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
    return this.#wait(() => this.#open.size === 0, "all Socket Mode connections to close", timeoutMs);
  }

  async #send(
    type: string,
    payload: Record<string, unknown>,
    extra: Record<string, unknown>,
    opts: SocketSendOptions,
  ): Promise<unknown> {
    const timeoutMs = opts.timeoutMs ?? ACK_TIMEOUT_MS;
    await this.connected(timeoutMs);
    // Slack spreads envelopes over connections; the newest is the one least likely to be draining.
    const ws = [...this.#open].at(-1);
    if (!ws) throw new Error("No Socket Mode connection");
    const envelopeId = randomUUID();
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(envelopeId);
        reject(new Error(`The app did not ack ${type} envelope ${envelopeId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(envelopeId, { type, ws, resolve, reject, timer });
      ws.send(JSON.stringify({ envelope_id: envelopeId, type, payload, ...extra }), (err) => {
        if (!err) return;
        this.#pending.delete(envelopeId);
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  sendSlashCommand(
    payload: Partial<SlashCommandFields> & { text: string },
    opts: SocketSendOptions = {},
  ): Promise<unknown> {
    const fields = slashCommandFields({
      ...payload,
      response_url: payload.response_url ?? this.ctx.responseUrl(),
    });
    return this.#send("slash_commands", { ...fields }, { accepts_response_payload: true }, opts);
  }

  sendInteraction(payload: Record<string, unknown>, opts: SocketSendOptions = {}): Promise<unknown> {
    // Slack only lets an ack carry a response for interactions that have one (views, options).
    const accepts = payload.type !== "block_actions" && payload.type !== "message_action";
    return this.#send("interactive", payload, { accepts_response_payload: accepts }, opts);
  }

  sendEvent(event: Record<string, unknown>, opts: SocketSendOptions = {}): Promise<unknown> {
    const payload = {
      token: "doubleverificationtoken",
      team_id: this.ctx.teamId,
      api_app_id: this.ctx.appId,
      event: { event_ts: `${(Date.now() / 1000).toFixed(6)}`, ...event },
      type: "event_callback",
      event_id: `Ev${randomUUID().replaceAll("-", "").slice(0, 10).toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        { enterprise_id: null, team_id: this.ctx.teamId, user_id: this.ctx.botUserId, is_bot: true },
      ],
      is_ext_shared_channel: false,
    };
    return this.#send(
      "events_api",
      payload,
      { accepts_response_payload: false, retry_attempt: 0, retry_reason: "" },
      opts,
    );
  }

  sendDisconnect(reason: "warning" | "refresh_requested" | "link_disabled" = "refresh_requested"): void {
    const frame = JSON.stringify({ type: "disconnect", reason, debug_info: { host: "applink-double" } });
    for (const ws of this.#open) ws.send(frame);
  }

  drop(): void {
    for (const ws of this.#open) ws.terminate();
  }

  clearAcks(): void {
    this.acks.length = 0;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#tickets.clear();
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(new Error("Socket Mode double closed"));
    }
    this.#waiters.clear();
    for (const ws of this.#open) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
