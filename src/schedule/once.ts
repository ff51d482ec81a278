/**
 * Exactly once, and never lost: the claim / look / post / record machinery every scheduled post
 * goes through (the monthly summary, the files in its thread and the licence alerts, each with
 * keys of its own; see state/subject.ts).
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
import type { ReportFile } from "../files/index.js";
import type { Logger } from "../log.js";
import type { SlackMessage } from "../report/slack/index.js";
import type { DeliveryKey, HistoryEntry, HistoryTrigger, StateStore } from "../state/index.js";
import type { FileUploader, PostedMessage, SlackPoster } from "./slack-poster.js";

export type DeliveryOutcome =
  | { readonly outcome: "posted"; readonly link?: string; readonly ts: string }
  | { readonly outcome: "already-posted"; readonly link?: string }
  | { readonly outcome: "recovered"; readonly ts: string }
  | { readonly outcome: "busy" }
  | { readonly outcome: "failed"; readonly error: string };

/** A file to share once in the thread of a message the bot posted. */
export interface FileUpload {
  readonly files: FileUploader;
  readonly thread: PostedMessage;
  /** Known before the file is built: what the look in the thread searches for. */
  readonly filename: string;
  /** Builds the file; retried within the window, like the upload. */
  readonly file: () => Promise<ReportFile>;
}

/** What a delivery puts in Slack: a message carrying its key, or a file in a thread. */
export type OnceContent =
  /** Fetches the figures and renders; retried within the window, like the post. */
  { readonly message: () => Promise<SlackMessage> } | { readonly upload: FileUpload };

/** One message (or file) to deliver once. */
export type OnceJob = OnceJobBase & OnceContent;

interface OnceJobBase {
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

/** Where a delivery is in Slack: a message's ts, or a file's id, and its link. */
interface Delivered {
  readonly ts: string;
  readonly link?: string;
}

/** The delivery key as carried in the message's metadata. */
export function deliveryKeyString(key: DeliveryKey): string {
  return `${key.channel}:${key.month}`;
}

export class OnceDelivery {
  /**
   * Deliveries under way in this process. The store's claim tells processes apart, but a process
   * cannot tell its own live claim from a dead one left in a single-instance store (which a
   * start-up catch-up takes over at once): an admin's post during the catch-up would be posted twice.
   * A second delivery of the same key here joins the first and gets its outcome.
   */
  private readonly inFlight = new Map<string, Promise<DeliveryOutcome>>();

  constructor(private readonly opts: OnceOptions) {}

  deliver(job: OnceJob): Promise<DeliveryOutcome> {
    const id = deliveryKeyString(job.key);
    const running = this.inFlight.get(id);
    if (running) return running;
    const delivery = this.claimAndDeliver(job).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, delivery);
    return delivery;
  }

  private async claimAndDeliver(job: OnceJob): Promise<DeliveryOutcome> {
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
      const found = await this.findEarlier(job, since);
      if (found) {
        const { link } = found;
        await store.setDelivery(key, {
          status: "posted",
          at: this.opts.now(),
          ts: found.ts,
          ...(link ? { link } : {}),
        });
        const why = before?.status === "pending" ? "recovered after a restart" : "found in the channel";
        await this.history({
          key,
          trigger: job.trigger,
          outcome: "posted",
          ...(link ? { link } : {}),
          error: why,
        });
        log.info(job.logFields, "%s was already in Slack (%s); recorded it", job.noun, why);
        return { outcome: "recovered", ts: found.ts };
      }
    }

    const counted = { attempts: 0 };
    try {
      const posted = await this.send(job, counted);
      const { link } = posted;
      await store.setDelivery(key, {
        status: "posted",
        at: this.opts.now(),
        ts: posted.ts,
        ...(link ? { link } : {}),
      });
      await this.history({
        key,
        trigger: job.trigger,
        outcome: "posted",
        ...(link ? { link } : {}),
        attempts: counted.attempts,
      });
      log.info({ ...job.logFields, trigger: job.trigger, link }, "%s posted", job.noun);
      return { outcome: "posted", ...(link ? { link } : {}), ts: posted.ts };
    } catch (err) {
      const error = errorText(err);
      await store.setDelivery(key, { status: "failed", at: this.opts.now(), error });
      const { attempts } = counted;
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

  /** Builds what the job delivers and puts it in Slack, each step retried within the window. */
  private async send(job: OnceJob, counted: { attempts: number }): Promise<Delivered> {
    const { key } = job;
    const step = <T>(fn: () => Promise<T>) =>
      this.retrying(job, async () => {
        counted.attempts++;
        return fn();
      });
    if ("upload" in job) {
      const { upload } = job;
      const file = await step(upload.file);
      const shared = await step(() => upload.files.upload(upload.thread.channel, file, upload.thread.ts));
      // A file has no ts of its own in what Slack answers; its id stands in the record.
      return { ts: shared.fileId, ...(shared.link ? { link: shared.link } : {}) };
    }
    const message = await step(job.message);
    const posted = await step(() => this.opts.slack.post(key.channel, message, deliveryKeyString(key)));
    const link = await this.opts.slack.permalink(posted);
    return { ts: posted.ts, ...(link ? { link } : {}) };
  }

  /** What an earlier attempt (or a process that died) may have put in Slack already. */
  private async findEarlier(job: OnceJob, since: number): Promise<Delivered | undefined> {
    const { key } = job;
    try {
      if ("upload" in job) {
        const { thread, filename, files } = job.upload;
        const found = await files.findInThread(thread.channel, thread.ts, filename);
        return found ? { ts: found.fileId, ...(found.link ? { link: found.link } : {}) } : undefined;
      }
      const found = await this.opts.slack.findPosted(key.channel, deliveryKeyString(key), since);
      if (!found) return undefined;
      const link = await this.opts.slack.permalink(found);
      return { ts: found.ts, ...(link ? { link } : {}) };
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
