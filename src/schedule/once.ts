/**
 * Exactly once, and never lost: the claim / look / post / record machinery every scheduled post
 * goes through (the monthly summary and the licence alerts, each with keys of its own; see
 * state/subject.ts).
 *   1. claim: record the delivery as `pending` (atomically; a second replica or process loses)
 *   2. look in the channel for a message carrying the delivery key (a dead claim's owner, or a
 *      lost state file, may have posted it already)
 *   3. fetch the figures and render, then post with message metadata carrying the key
 *   4. record `posted` (with the permalink) and a history entry
 * Why this order: recording `posted` before posting would lose the post on a crash in between;
 * posting before recording anything would duplicate it. With `pending` first, a crash at any
 * point leaves a trace that the next attempt reconciles through step 2. The residual risk is a
 * crash between Slack accepting the post and step 4 while Slack cannot be asked (history scope
 * missing): then it is posted again, and the log says it could not check.
 */
import pRetry from "p-retry";
import { canRetry, errorText } from "../errors/index.js";
import type { Logger } from "../log.js";
import type { SlackMessage } from "../report/slack/index.js";
import type { DeliveryKey, HistoryEntry, HistoryTrigger, StateStore } from "../state/index.js";
import type { PostedMessage, SlackPoster } from "./slack-poster.js";

export type DeliveryOutcome =
  | { readonly outcome: "posted"; readonly link?: string; readonly ts: string }
  | { readonly outcome: "already-posted"; readonly link?: string }
  | { readonly outcome: "recovered"; readonly ts: string }
  | { readonly outcome: "busy" }
  | { readonly outcome: "failed"; readonly error: string };

/** One message to deliver once. */
export interface OnceJob {
  readonly key: DeliveryKey;
  readonly trigger: HistoryTrigger;
  /** What it is, for the log ("monthly summary", "licence alert"). */
  readonly noun: string;
  /** What it is, for the admins' DM: "The November 2026 summary for <#C…>". */
  readonly what: string;
  /** Fields for the log lines. */
  readonly logFields: Readonly<Record<string, unknown>>;
  /** The earliest moment it could have been posted: where the look in the channel starts. */
  readonly postableSince: number;
  /** Fetches the figures and renders; retried within the window, like the post. */
  readonly message: () => Promise<SlackMessage>;
  readonly windowMs: number;
  readonly staleMs: number;
  /** False for a forced post: it is posted again whatever the channel holds. */
  readonly look: boolean;
  /** The shortest wait between retries: seconds when someone is waiting, else 30 s. */
  readonly minRetryMs?: number;
}

export interface OnceOptions {
  readonly store: StateStore;
  readonly slack: SlackPoster;
  readonly admins: readonly string[];
  readonly log: Logger;
  /** This process; recorded in `pending` claims. */
  readonly owner: string;
  readonly now: () => number;
  /** Backoff of the retries; shorter in tests. */
  readonly retry?: { readonly minTimeoutMs: number; readonly maxTimeoutMs: number };
}

/** The delivery key as carried in the message's metadata. */
export function deliveryKeyString(key: DeliveryKey): string {
  return `${key.channel}:${key.month}`;
}

export class OnceDelivery {
  constructor(private readonly opts: OnceOptions) {}

  async deliver(job: OnceJob): Promise<DeliveryOutcome> {
    const { store, log } = this.opts;
    const { key } = job;
    const before = await store.getDelivery(key);
    if (before?.status === "posted") return { outcome: "already-posted", link: before.link };
    if (before?.status === "failed") await store.clearDelivery(key); // a new attempt after a failed one
    if (!(await store.claimDelivery(key, this.opts.owner, this.opts.now(), job.staleMs))) {
      return { outcome: "busy" };
    }

    if (job.look) {
      // The channel is the record that cannot be lost: one look, from the first moment it could
      // have been posted (or the dead claim).
      const since = Math.min(job.postableSince, before?.status === "pending" ? before.since : Infinity);
      const found = await this.findEarlierPost(key, since);
      if (found) {
        const link = await this.opts.slack.permalink(found);
        await store.setDelivery(key, { status: "posted", at: this.opts.now(), ts: found.ts, link });
        const why = before?.status === "pending" ? "recovered after a restart" : "found in the channel";
        await this.history({ key, trigger: job.trigger, outcome: "posted", link, error: why });
        log.info(job.logFields, "%s was already in Slack (%s); recorded it", job.noun, why);
        return { outcome: "recovered", ts: found.ts };
      }
    }

    let attempts = 0;
    try {
      const message = await this.retrying(job, async () => {
        attempts++;
        return job.message();
      });
      const posted = await this.retrying(job, async () => {
        attempts++;
        return this.opts.slack.post(key.channel, message, deliveryKeyString(key));
      });
      const link = await this.opts.slack.permalink(posted);
      await store.setDelivery(key, { status: "posted", at: this.opts.now(), ts: posted.ts, link });
      await this.history({ key, trigger: job.trigger, outcome: "posted", link, attempts });
      log.info({ ...job.logFields, trigger: job.trigger, link }, "%s posted", job.noun);
      return { outcome: "posted", link, ts: posted.ts };
    } catch (err) {
      const error = errorText(err);
      await store.setDelivery(key, { status: "failed", at: this.opts.now(), error });
      await this.history({ key, trigger: job.trigger, outcome: "failed", error, attempts });
      log.error({ ...job.logFields, trigger: job.trigger, attempts }, "%s NOT posted: %s", job.noun, error);
      await this.tellAdmins(`${job.what} could not be posted: ${error}`);
      return { outcome: "failed", error };
    }
  }

  /**
   * Records `key` as delivered by another message (`by`), without posting: claimed like a post,
   * so two replicas cannot both record it, and listed in the history as skipped with `why`.
   */
  async recordCovered(
    key: DeliveryKey,
    trigger: HistoryTrigger,
    by: { readonly ts?: string; readonly link?: string },
    why: string,
    staleMs: number,
  ): Promise<"covered" | "already-posted" | "busy"> {
    const { store } = this.opts;
    const before = await store.getDelivery(key);
    if (before?.status === "posted") return "already-posted";
    if (before?.status === "failed") await store.clearDelivery(key);
    if (!(await store.claimDelivery(key, this.opts.owner, this.opts.now(), staleMs))) return "busy";
    const link = by.link;
    await store.setDelivery(key, {
      status: "posted",
      at: this.opts.now(),
      ts: by.ts ?? "",
      ...(link ? { link } : {}),
    });
    await this.history({ key, trigger, outcome: "skipped", error: why, ...(link ? { link } : {}) });
    return "covered";
  }

  /** A direct message to every admin; a failure to reach one is logged, never thrown. */
  async tellAdmins(text: string): Promise<void> {
    for (const admin of this.opts.admins) {
      try {
        await this.opts.slack.directMessage(admin, `:warning: ${text}`);
      } catch (err) {
        this.opts.log.warn({ admin, err: errorText(err) }, "could not tell an admin");
      }
    }
  }

  private async findEarlierPost(key: DeliveryKey, since: number): Promise<PostedMessage | undefined> {
    try {
      return await this.opts.slack.findPosted(key.channel, deliveryKeyString(key), since);
    } catch (err) {
      this.opts.log.warn(
        { channel: key.channel, key: key.month, err: errorText(err) },
        "could not check Slack for an earlier post (needs channels:history); posting, which may duplicate it",
      );
      return undefined;
    }
  }

  /** Retries what may pass (server down, 403 interval, Slack 429/5xx) within the job's window. */
  private retrying<T>(job: OnceJob, fn: () => Promise<T>): Promise<T> {
    return pRetry(fn, {
      retries: Number.POSITIVE_INFINITY,
      maxRetryTime: job.windowMs,
      minTimeout: Math.min(this.opts.retry?.minTimeoutMs ?? 30_000, job.minRetryMs ?? 30_000),
      maxTimeout: this.opts.retry?.maxTimeoutMs ?? 30 * 60_000,
      factor: 2,
      shouldRetry: ({ error }) => canRetry(error),
      onFailedAttempt: ({ error, attemptNumber }) => {
        this.opts.log.warn({ attempt: attemptNumber }, "%s attempt failed: %s", job.noun, error.message);
      },
    });
  }

  private async history(e: {
    key: DeliveryKey;
    trigger: HistoryTrigger;
    outcome: HistoryEntry["outcome"];
    link?: string;
    error?: string;
    attempts?: number;
  }): Promise<void> {
    const at = this.opts.now();
    await this.opts.store.appendHistory({
      id: `${at.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      month: e.key.month,
      channel: e.key.channel,
      at,
      trigger: e.trigger,
      outcome: e.outcome,
      ...(e.link ? { link: e.link } : {}),
      ...(e.error ? { error: e.error } : {}),
      ...(e.attempts ? { attempts: e.attempts } : {}),
    });
  }
}
