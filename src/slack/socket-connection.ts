/**
 * Keeps the Socket Mode WebSocket up for as long as the app runs.
 *
 * Why not the client's own reconnection: @slack/socket-mode 3.1.0 reconnects from its `close`
 * listener with `delayReconnectAttempt(this.start)` (SocketModeClient.js:165), whose timer runs
 * `cb.apply(this).then(res)` with no rejection handler (:258). `start()` first asks
 * `apps.connections.open` for a URL, and `retrieveWSSURL()` treats a network error
 * (WebAPIRequestError) or an HTTP error (WebAPIHTTPError) as unrecoverable (:289-:298): once the
 * Web API client's own retries are spent (5 s wait + ~3.5 s with our retry policy), the
 * rejection escapes and Node ends the process. Slack being unreachable for ~9 s killed the bot.
 * (Upstream: slackapi/node-slack-sdk#2656, fix proposed in #2657, not released.)
 *
 * So the client runs with `autoReconnectEnabled: false` (its `close` then only emits
 * `disconnected`, and `start()` rejects instead of scheduling its own retries) and this class
 * owns every connection attempt: each `start()` is awaited inside p-retry, with capped
 * exponential back-off and no limit on the number of attempts, and stopped by an AbortSignal.
 * One warning when an outage begins, one info line when it ends; attempts in between go to debug.
 */
import type { Logger as BoltLogger } from "@slack/bolt";
import pRetry, { AbortError } from "p-retry";
import { errorText } from "../errors/index.js";
import type { Logger } from "../log.js";
import type { LinkState, LinkStatus } from "./probes.js";

/** What this class needs of @slack/socket-mode's SocketModeClient. */
export interface SocketClient {
  /** Resolves once Slack said hello on a new WebSocket; rejects if the URL or the socket fails. */
  start(): Promise<unknown>;
  disconnect(): Promise<void>;
  on(event: "disconnected", listener: () => void): unknown;
}

export interface Backoff {
  readonly minMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** Multiply each wait by a random factor in [1, 2), so many bots do not retry in lockstep. */
  readonly randomize: boolean;
}

/**
 * 1 s, 2 s, 4 s, then every 8 s (with jitter, capped at 8 s). The cap is what bounds the time to
 * answer again once Slack is back: the next attempt is at most 8 s away. apps.connections.open is
 * cheap and, while Slack is unreachable, never reaches its rate limiter.
 */
export const RECONNECT_BACKOFF: Backoff = { minMs: 1_000, maxMs: 8_000, factor: 2, randomize: true };

/** Attempts at start-up before giving up (start-up fails then, as a wrong token does). */
const START_RETRIES = 3;

/**
 * Wraps whatever a failed attempt produced: the client rejects with `undefined` when a socket
 * closes before hello, and p-retry gives up on a TypeError; this is neither.
 */
class AttemptError extends Error {
  constructor(readonly original: unknown) {
    super(original === undefined ? "the WebSocket closed before Slack said hello" : errorText(original));
    this.name = "AttemptError";
  }
}

/** Slack answered with an error (`invalid_auth`…): retrying at start-up would only delay the message. */
function slackRefused(err: Error): boolean {
  const original = err instanceof AttemptError ? err.original : err;
  return (original as { code?: unknown } | undefined)?.code === "slack_webapi_platform_error";
}

export interface SocketConnectionOptions {
  readonly log: Logger;
  readonly now?: () => number;
  readonly backoff?: Backoff;
}

export class SocketConnection {
  readonly #client: SocketClient;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #backoff: Backoff;
  readonly #abort = new AbortController();
  #state: LinkState = "starting";
  #since: number;
  #attempts = 0;
  #error: string | undefined;
  /** The last connection-loss line the library logged (demoted to debug), told as the outage's cause. */
  #cause: string | undefined;
  /** An attempt loop is running (start-up or reconnection); `disconnected` events are its business. */
  #busy = false;
  #loop: Promise<void> | undefined;

  constructor(client: SocketClient, opts: SocketConnectionOptions) {
    this.#client = client;
    this.#log = opts.log;
    this.#now = opts.now ?? Date.now;
    this.#backoff = opts.backoff ?? RECONNECT_BACKOFF;
    this.#since = this.#now();
    client.on("disconnected", () => this.#onDisconnected());
  }

  get status(): LinkStatus {
    return {
      mode: "socket",
      state: this.#state,
      since: this.#since,
      ...(this.#state === "reconnecting" ? { attempts: this.#attempts } : {}),
      ...(this.#error !== undefined && this.#state !== "connected" ? { error: this.#error } : {}),
    };
  }

  /** Called by the logger adapter with the library's own account of a lost connection. */
  noteCause(text: string): void {
    this.#cause = text;
  }

  #set(state: LinkState): void {
    this.#state = state;
    this.#since = this.#now();
  }

  /** One connection attempt; whatever it throws is an Error p-retry will retry. */
  async #attempt(connect: () => Promise<unknown>): Promise<void> {
    try {
      await connect();
    } catch (err) {
      throw new AttemptError(err);
    }
    if (this.#abort.signal.aborted) {
      // stop() came while this attempt was in flight and it connected anyway: undo it.
      await this.#client.disconnect();
      throw new AbortError("stopped");
    }
  }

  #retryOptions(retries: number) {
    return {
      retries,
      minTimeout: this.#backoff.minMs,
      maxTimeout: this.#backoff.maxMs,
      factor: this.#backoff.factor,
      randomize: this.#backoff.randomize,
      signal: this.#abort.signal,
    };
  }

  /** The first connection (`connect` is `app.start()`); throws what the last attempt threw. */
  async start(connect: () => Promise<unknown>): Promise<void> {
    this.#set("connecting");
    this.#busy = true;
    try {
      await pRetry(() => this.#attempt(connect), {
        ...this.#retryOptions(START_RETRIES),
        shouldRetry: ({ error }) => !slackRefused(error),
        onFailedAttempt: ({ error, attemptNumber }) => {
          this.#error = error.message;
          if (attemptNumber === 1 && !slackRefused(error))
            this.#log.warn(
              { err: error.message, retries: START_RETRIES },
              "connecting to Slack failed; retrying",
            );
        },
      });
      this.#set("connected");
    } catch (err) {
      this.#set("stopped");
      throw err instanceof AttemptError && err.original instanceof Error ? err.original : err;
    } finally {
      this.#busy = false;
    }
  }

  #onDisconnected(): void {
    if (this.#busy || this.#abort.signal.aborted) return;
    this.#busy = true;
    this.#set("reconnecting");
    this.#attempts = 0;
    const cause = this.#cause;
    this.#error = cause;
    const lostAt = this.#now();
    let warned = false;
    this.#loop = pRetry(() => this.#attempt(() => this.#client.start()), {
      ...this.#retryOptions(Number.POSITIVE_INFINITY),
      onFailedAttempt: ({ error, attemptNumber }) => {
        this.#attempts = attemptNumber;
        this.#error = error.message;
        if (!warned) {
          warned = true;
          this.#log.warn(
            { err: error.message, cause, backoffMs: [this.#backoff.minMs, this.#backoff.maxMs] },
            "Slack is unreachable: Socket Mode connection lost; reconnecting with back-off until it is back",
          );
        } else {
          this.#log.debug(
            { attempt: attemptNumber, err: error.message },
            "Socket Mode reconnect attempt failed",
          );
        }
      },
    })
      .then(
        () => {
          const downMs = this.#now() - lostAt;
          this.#set("connected");
          this.#error = undefined;
          this.#cause = undefined;
          if (warned) {
            this.#log.info(
              { downMs, attempts: this.#attempts + 1 },
              "Slack is reachable again: Socket Mode reconnected after %d s",
              Math.round(downMs / 1000),
            );
          } else {
            this.#log.debug({ downMs }, "Socket Mode reconnected");
          }
        },
        (err: unknown) => {
          if (this.#abort.signal.aborted) return;
          // Unreachable with unlimited retries, unless p-retry itself changes; say so loudly.
          this.#log.error({ err: errorText(err) }, "Socket Mode reconnection gave up");
        },
      )
      .finally(() => {
        this.#busy = false;
        this.#loop = undefined;
      });
  }

  /**
   * Stops reconnecting: a wait between attempts ends at once; an attempt in flight settles when
   * the receiver's stop() closes the client (or its request times out) and is undone if it
   * connected. Call before the receiver's stop(), then await {@link settled}.
   */
  stop(): void {
    this.#abort.abort(new Error("stopped"));
    this.#set("stopped");
  }

  /** Resolves once no attempt is in flight, or after `graceMs`. */
  async settled(graceMs = 2_000): Promise<void> {
    const loop = this.#loop;
    if (loop) await Promise.race([loop, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }
}

/** Lines @slack/socket-mode writes when a live connection is lost: told once, as the outage's cause. */
const LOSS = [
  /^WebSocket error/,
  /^A pong wasn't received/,
  /^A ping wasn't received/,
  /^Peer did not complete/,
];
/** Lines it (and its Web API client) writes on every failed attempt: the outage warning covers them. */
const ATTEMPT = [/^Failed to retrieve a new WSS URL/, /^http request failed/];

/**
 * The logger for the Socket Mode client and its Web API client: their per-attempt warnings and
 * errors about the connection go to debug (SocketConnection logs the outage once), the first
 * words of a lost connection are remembered as its cause; everything else passes through.
 */
export function connectionLogger(base: BoltLogger, onLoss: (text: string) => void): BoltLogger {
  const quiet =
    (level: (...msg: unknown[]) => void) =>
    (...msg: unknown[]) => {
      const text = typeof msg[0] === "string" ? msg[0] : "";
      if (LOSS.some((re) => re.test(text))) {
        onLoss(text);
        base.debug(...msg);
      } else if (ATTEMPT.some((re) => re.test(text))) {
        base.debug(...msg);
      } else {
        level(...msg);
      }
    };
  return {
    debug: (...msg) => base.debug(...msg),
    info: (...msg) => base.info(...msg),
    warn: quiet((...msg) => base.warn(...msg)),
    error: quiet((...msg) => base.error(...msg)),
    setLevel: (l) => base.setLevel(l),
    getLevel: () => base.getLevel(),
    setName: (n) => base.setName(n),
  };
}
