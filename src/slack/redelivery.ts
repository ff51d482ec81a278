/**
 * Slack re-sends Events API deliveries it thinks timed out (X-Slack-Retry-Num, `retry_attempt`
 * in Socket Mode), and proxies re-send requests. Answering a re-sent slash command or button
 * again means a second reply, and for `public` or "Share in channel" a second message in the
 * channel. Each request is recognised by its identity in the payload and answered once; the
 * record of what was seen lives for a few minutes, in Redis when configured so that replicas
 * share it.
 *
 * One exception: an answer sent as the body of the ack. Slack re-sends only a request whose ack
 * it did not get in time, and an answer in a lost ack reached nobody (not even the channel, for
 * `public`), so such a request is answered again.
 */
import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { errorText } from "../errors/index.js";
import type { Logger } from "../log.js";
import { within } from "./defer.js";

/** Slack's own retries come within a minute; proxies' re-sends sooner. */
export const SEEN_TTL_MS = 5 * 60_000;

/**
 * A copy of `id` that holds nothing else. V8 keeps a part of a string as a view of the whole,
 * so a trigger_id parsed from a form body kept the body (about 700 bytes) alive for as long as
 * its record: measured, 932 bytes of heap per command kept for five minutes, 545 with copies.
 */
function detached(id: string): string {
  return Buffer.from(id, "utf8").toString("utf8");
}

/** The identity of a command or button press, or undefined for payloads without one. */
export function requestIdentity(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
  // Slash commands and block actions carry a trigger_id unique to the user's gesture.
  const trigger = str(b.trigger_id);
  if (trigger) return detached(`trigger:${trigger}`);
  if (b.type === "block_actions" && Array.isArray(b.actions)) {
    const action = b.actions[0] as Record<string, unknown> | undefined;
    const container = (b.container ?? {}) as Record<string, unknown>;
    const ts = str(action?.action_ts);
    if (ts)
      return detached(`action:${ts}:${str(container.message_ts) ?? ""}:${str(action?.action_id) ?? ""}`);
  }
  return undefined;
}

/**
 * A store in this process answers at once, without a promise: the check is on every command's
 * path to its ack, where a timer and a few promises per request showed in the profile.
 */
export interface SeenRequests {
  /** True the first time `id` is seen within the window, false for every re-delivery. */
  firstTime(id: string): boolean | Promise<boolean>;
  /** Notes that `id` was answered in its ack, so a re-delivery of it is answered again. */
  answeredInAck(id: string): void | Promise<void>;
  wasAnsweredInAck(id: string): boolean | Promise<boolean>;
}

type Seen = "seen" | "ack";

export class MemorySeenRequests implements SeenRequests {
  private readonly seen: LRUCache<string, Seen>;
  constructor(ttlMs = SEEN_TTL_MS, max = 50_000) {
    this.seen = new LRUCache({ max, ttl: ttlMs });
  }
  firstTime(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.set(id, "seen");
    return true;
  }
  answeredInAck(id: string): void {
    if (this.seen.has(id)) this.seen.set(id, "ack", { noUpdateTTL: true });
  }
  wasAnsweredInAck(id: string): boolean {
    return this.seen.get(id) === "ack";
  }
}

/**
 * Shared by replicas: SET NX with an expiry is one atomic round trip. While Redis is down
 * (`isDown`), this process's own memory answers, so the check never holds up an ack.
 */
export class RedisSeenRequests implements SeenRequests {
  private readonly local: MemorySeenRequests;
  constructor(
    private readonly redis: Pick<Redis, "set" | "get">,
    private readonly isDown: () => boolean = () => false,
    private readonly ttlMs = SEEN_TTL_MS,
    private readonly prefix = "gluu-stats:seen:",
  ) {
    this.local = new MemorySeenRequests(ttlMs);
  }
  async firstTime(id: string): Promise<boolean> {
    const here = this.local.firstTime(id);
    if (!here) return false;
    if (this.isDown()) return true;
    return (await this.redis.set(`${this.prefix}${id}`, "1", "PX", this.ttlMs, "NX")) === "OK";
  }
  async answeredInAck(id: string): Promise<void> {
    this.local.answeredInAck(id);
    if (this.isDown()) return;
    // XX: only a record this window holds; KEEPTTL: the window does not grow.
    await this.redis.set(`${this.prefix}${id}`, "ack", "KEEPTTL", "XX");
  }
  async wasAnsweredInAck(id: string): Promise<boolean> {
    if (this.local.wasAnsweredInAck(id)) return true;
    if (this.isDown()) return false;
    return (await this.redis.get(`${this.prefix}${id}`)) === "ack";
  }
}

/** Set in the context of a first delivery: the listener calls it after an ack carrying the answer. */
export const ANSWERED_IN_ACK = "gluuStatsAnsweredInAck";

/** How long the check may take before the request is answered anyway: Slack's ack is due in 3 s. */
export const SEEN_CHECK_MS = 300;

/** A store's answer as it is, or a remote one's if it comes within SEEN_CHECK_MS, else `fallback`. */
function settle<T>(answer: T | Promise<T>, fallback: T): T | Promise<T> {
  return answer instanceof Promise ? within(answer, SEEN_CHECK_MS, fallback) : answer;
}

/**
 * Global middleware: a re-delivered request is acknowledged (so Slack stops re-sending) and
 * goes no further. When the record cannot be read (Redis down), the request is answered: a
 * rare double reply is better than none.
 */
export function answerOnce(seen: SeenRequests, log: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const id = requestIdentity(args.body);
    if (id === undefined) {
      await args.next();
      return;
    }
    let first = true;
    try {
      first = await settle(seen.firstTime(id), true);
    } catch (err) {
      log.warn({ err: errorText(err) }, "could not check for a re-sent request; answering it");
    }
    if (first) {
      args.context[ANSWERED_IN_ACK] = async () => {
        try {
          await seen.answeredInAck(id);
        } catch (err) {
          log.warn({ err: errorText(err) }, "could not note an answer sent in the ack");
        }
      };
      await args.next();
      return;
    }
    const { retryNum, retryReason } = args.context;
    if (await Promise.resolve(settle(seen.wasAnsweredInAck(id), false)).catch(() => false)) {
      // Its answer went in an ack Slack never got: nobody saw it, so it is answered again.
      log.info(
        { retryNum, retryReason },
        "answering a re-sent request again: its first answer was in a lost ack",
      );
      await args.next();
      return;
    }
    log.info({ retryNum, retryReason }, "ignored a re-sent request already answered");
    if ("ack" in args && typeof args.ack === "function") await (args.ack as () => Promise<void>)();
  };
}
