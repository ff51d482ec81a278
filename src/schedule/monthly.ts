/**
 * The monthly summary post: for each report channel, the previous month's summary, posted once.
 *
 * Exactly once, and never lost: the order of record and post.
 *   1. claim: record the delivery as `pending` (atomically; a second replica or process loses)
 *   2. fetch the figures, render
 *   3. post, with message metadata carrying the delivery key
 *   4. record `posted` (with the message's permalink) and a history entry
 * Why this order: recording `posted` before posting would lose the post on a crash in between
 * (the record says done, Slack never got it); posting before recording anything would duplicate
 * it (a restart sees no record and posts again). With a `pending` record first, a crash at ANY
 * point leaves a trace: on restart the bot asks Slack whether a message with this delivery key
 * is in the channel (conversations.history with metadata) and records it as posted if so (no
 * duplicate) or posts it if not (nothing lost). The same look happens before every post, so a
 * lost or replaced state file does not post a month again. The only residual risk is a crash in the
 * milliseconds between Slack accepting the post and step 4 when Slack cannot be asked
 * (history scope missing); then the bot posts again and logs that it could not check.
 */
import pRetry from "p-retry";
import { fetchSummary, monthlySummaryView } from "../answer/index.js";
import { canRetry, errorText } from "../errors/index.js";
import type { StatService } from "../gluu/stat-service.js";
import type { Logger } from "../log.js";
import {
  addMonths,
  isoMonth,
  type Month,
  monthAt,
  monthKey,
  monthLabel,
  monthStartUtc,
  parseMonthKey,
} from "../months.js";
import type { SlackMessage } from "../report/slack/index.js";
import type { MonthlySummaryView } from "../report/view.js";
import type { DeliveryKey, HistoryEntry, HistoryTrigger, StateStore } from "../state/index.js";
import type { SlackPoster } from "./slack-poster.js";

export interface MonthlyOptions {
  readonly store: StateStore;
  readonly stats: Pick<StatService, "get">;
  readonly slack: SlackPoster;
  readonly render: (view: MonthlySummaryView) => SlackMessage;
  readonly channels: readonly string[];
  readonly admins: readonly string[];
  readonly host: string;
  readonly timeZone: string;
  readonly log: Logger;
  /** This process; recorded in `pending` claims. */
  readonly owner: string;
  /** How long failing fetches and posts are retried before the post is recorded as failed. */
  readonly retryWindowMs: number;
  /** A pending claim older than this belongs to a process that died. */
  readonly staleMs?: number;
  readonly now?: () => number;
  /** Backoff of the retries; shorter in tests. */
  readonly retry?: { readonly minTimeoutMs: number; readonly maxTimeoutMs: number };
  /** GLUU_MAU_LIMIT: the summary shows usage against it. */
  readonly licensedMau?: number;
  /** Told how each delivery ended (metrics). */
  readonly onOutcome?: (outcome: DeliveryOutcome["outcome"]) => void;
}

export type DeliveryOutcome =
  | { readonly outcome: "posted"; readonly link?: string; readonly ts: string }
  | { readonly outcome: "already-posted"; readonly link?: string }
  | { readonly outcome: "recovered"; readonly ts: string }
  | { readonly outcome: "busy" }
  | { readonly outcome: "failed"; readonly error: string };

export function deliveryKeyString(key: DeliveryKey): string {
  return `${key.channel}:${key.month}`;
}

export class MonthlyPoster {
  private readonly now: () => number;
  private readonly staleMs: number;

  constructor(private readonly opts: MonthlyOptions) {
    this.now = opts.now ?? Date.now;
    this.staleMs = opts.staleMs ?? 15 * 60_000;
  }

  /** The month a run at `now` reports on: the previous calendar month in REPORT_TZ. */
  reportMonth(now = this.now()): Month {
    return addMonths(monthAt(now, this.opts.timeZone), -1);
  }

  /** Posts `month` to every report channel (or the given ones). */
  async run(
    trigger: HistoryTrigger,
    month = this.reportMonth(),
    channels = this.opts.channels,
  ): Promise<DeliveryOutcome[]> {
    return Promise.all(channels.map((channel) => this.deliver(channel, month, trigger)));
  }

  /**
   * Delivers one summary, exactly once (see the file comment). `forced` posts again even when it
   * was posted before, and says so in the history.
   */
  async deliver(
    channel: string,
    month: Month,
    trigger: HistoryTrigger,
    staleMs = this.staleMs,
  ): Promise<DeliveryOutcome> {
    const result = await this.attempt(channel, month, trigger, staleMs);
    this.opts.onOutcome?.(result.outcome);
    return result;
  }

  private async attempt(
    channel: string,
    month: Month,
    trigger: HistoryTrigger,
    staleMs: number,
  ): Promise<DeliveryOutcome> {
    const { store, log } = this.opts;
    const key: DeliveryKey = { channel, month: monthKey(month) };
    if (trigger === "forced") {
      log.warn({ channel, month: isoMonth(month) }, "posting with --force: bypassing the once-only record");
      await store.clearDelivery(key);
    }
    const before = await store.getDelivery(key);
    if (before?.status === "posted") return { outcome: "already-posted", link: before.link };
    if (before?.status === "failed") await store.clearDelivery(key); // a new attempt after a failed one
    if (!(await store.claimDelivery(key, this.opts.owner, this.now(), staleMs))) return { outcome: "busy" };

    if (trigger !== "forced") {
      // The channel is the record that cannot be lost: a claim whose owner died may have
      // posted, and a deleted or replaced state file knows nothing of what was posted. One
      // look, from the first day the summary could have been posted (or the dead claim).
      const since = Math.min(
        monthStartUtc(addMonths(month, 1)),
        before?.status === "pending" ? before.since : Infinity,
      );
      const found = await this.findEarlierPost(key, since);
      if (found) {
        const link = await this.opts.slack.permalink(found);
        await store.setDelivery(key, { status: "posted", at: this.now(), ts: found.ts, link });
        const why = before?.status === "pending" ? "recovered after a restart" : "found in the channel";
        await this.history({ key, trigger, outcome: "posted", link, error: why });
        log.info(
          { channel, month: isoMonth(month) },
          "monthly post was already in Slack (%s); recorded it",
          why,
        );
        return { outcome: "recovered", ts: found.ts };
      }
    }

    let attempts = 0;
    // Someone is waiting for a manual post: retry for minutes, not for the scheduled window.
    const windowMs =
      trigger === "manual" || trigger === "forced"
        ? Math.min(this.opts.retryWindowMs, 2 * 60_000)
        : this.opts.retryWindowMs;
    try {
      const message = await this.retrying(windowMs, async () => {
        attempts++;
        const result = await fetchSummary(month, this.opts.stats);
        return this.opts.render(
          monthlySummaryView({
            month,
            result,
            host: this.opts.host,
            timeZone: this.opts.timeZone,
            ...(this.opts.licensedMau !== undefined ? { licensedMau: this.opts.licensedMau } : {}),
          }),
        );
      });
      const posted = await this.retrying(windowMs, async () => {
        attempts++;
        return this.opts.slack.post(channel, message, deliveryKeyString(key));
      });
      const link = await this.opts.slack.permalink(posted);
      await store.setDelivery(key, { status: "posted", at: this.now(), ts: posted.ts, link });
      await this.history({ key, trigger, outcome: "posted", link, attempts });
      log.info({ channel, month: isoMonth(month), trigger, link }, "monthly summary posted");
      return { outcome: "posted", link, ts: posted.ts };
    } catch (err) {
      const error = errorText(err);
      await store.setDelivery(key, { status: "failed", at: this.now(), error });
      await this.history({ key, trigger, outcome: "failed", error, attempts });
      log.error(
        { channel, month: isoMonth(month), trigger, attempts },
        "monthly summary NOT posted: %s",
        error,
      );
      await this.tellAdmins(
        `The ${monthLabel(month)} summary for <#${channel}> could not be posted: ${error}`,
      );
      return { outcome: "failed", error };
    }
  }

  /**
   * After a start: posts what is due and missing. The summary of the previous month is due once
   * this month's scheduled time has passed (`dueSince`), and a pending claim left by a dead
   * process is finished. `singleInstance` stores (the file store) know every pending claim at
   * start-up is dead; shared stores wait for the claim to go stale.
   */
  async catchUp(dueSince: number | undefined, singleInstance: boolean): Promise<DeliveryOutcome[]> {
    const out: DeliveryOutcome[] = [];
    const staleMs = singleInstance ? 0 : this.staleMs;
    const handled = new Set<string>();
    for (const { key, state } of await this.opts.store.pendingDeliveries()) {
      const month = parseMonthKey(key.month);
      if (!month || this.now() - state.since < staleMs) continue;
      handled.add(deliveryKeyString(key));
      out.push(await this.deliver(key.channel, month, "catch-up", staleMs));
    }
    if (dueSince !== undefined && dueSince <= this.now()) {
      const month = this.reportMonth();
      for (const channel of this.opts.channels) {
        const key = { channel, month: monthKey(month) };
        if (handled.has(deliveryKeyString(key))) continue;
        const state = await this.opts.store.getDelivery(key);
        if (state?.status === "posted" || state?.status === "failed") continue;
        out.push(await this.deliver(channel, month, "catch-up", staleMs));
      }
    }
    return out;
  }

  private async findEarlierPost(key: DeliveryKey, since: number) {
    try {
      return await this.opts.slack.findPosted(key.channel, deliveryKeyString(key), since);
    } catch (err) {
      this.opts.log.warn(
        { channel: key.channel, month: key.month, err: errorText(err) },
        "could not check Slack for an earlier post (needs channels:history); posting, which may duplicate it",
      );
      return undefined;
    }
  }

  /** Retries what may pass (server down, 403 interval, Slack 429/5xx) within the retry window. */
  private retrying<T>(windowMs: number, fn: () => Promise<T>): Promise<T> {
    return pRetry(fn, {
      retries: Number.POSITIVE_INFINITY,
      maxRetryTime: windowMs,
      // A manual post has someone waiting: retry every few seconds rather than every 30 s.
      minTimeout: Math.min(
        this.opts.retry?.minTimeoutMs ?? 30_000,
        windowMs < this.opts.retryWindowMs ? 2_000 : 30_000,
      ),
      maxTimeout: this.opts.retry?.maxTimeoutMs ?? 30 * 60_000,
      factor: 2,
      shouldRetry: ({ error }) => canRetry(error),
      onFailedAttempt: ({ error, attemptNumber }) => {
        this.opts.log.warn({ attempt: attemptNumber }, "monthly post attempt failed: %s", error.message);
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
    const at = this.now();
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
}
