/**
 * The monthly summary post: for each report channel, the previous month's summary, posted once
 * (through once.ts: claim, look in the channel, post, record), retried for REPORT_RETRY_HOURS,
 * and caught up after a start for a bot that was down when it fell due.
 */
import { fetchSummary, monthlySummaryView } from "../answer/index.js";
import type { Crossing } from "../curve/crossings.js";
import { errorText } from "../errors/index.js";
import type { StatService } from "../gluu/stat-service.js";
import type { Logger } from "../log.js";
import { addMonths, isoMonth, type Month, monthAt, monthKey, monthLabel, monthStartUtc } from "../months.js";
import type { SlackMessage } from "../report/slack/index.js";
import type { MonthlySummaryView } from "../report/view.js";
import { type DeliveryKey, type HistoryTrigger, parseSubject, type StateStore } from "../state/index.js";
import { type DeliveryOutcome, deliveryKeyString, OnceDelivery } from "./once.js";
import type { SlackPoster } from "./slack-poster.js";

export { type DeliveryOutcome, deliveryKeyString } from "./once.js";

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
  /** When the month crossed each licence threshold (from its samples); none when unknown. */
  readonly crossings?: (month: Month) => Promise<readonly Crossing[]>;
  /** Told how each delivery ended (metrics). */
  readonly onOutcome?: (outcome: DeliveryOutcome["outcome"]) => void;
}

export class MonthlyPoster {
  private readonly now: () => number;
  private readonly staleMs: number;
  private readonly once: OnceDelivery;

  constructor(private readonly opts: MonthlyOptions) {
    this.now = opts.now ?? Date.now;
    this.staleMs = opts.staleMs ?? 15 * 60_000;
    this.once = new OnceDelivery({
      store: opts.store,
      slack: opts.slack,
      admins: opts.admins,
      log: opts.log,
      owner: opts.owner,
      now: this.now,
      ...(opts.retry ? { retry: opts.retry } : {}),
    });
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
    const key: DeliveryKey = { channel, month: monthKey(month) };
    const forced = trigger === "forced";
    if (forced) {
      this.opts.log.warn(
        { channel, month: isoMonth(month) },
        "posting with --force: bypassing the once-only record",
      );
      await this.opts.store.clearDelivery(key);
    }
    // Someone is waiting for a manual post: retry for minutes, not for the scheduled window.
    const waiting = trigger === "manual" || forced;
    return this.once.deliver({
      key,
      trigger,
      noun: "monthly summary",
      what: `The ${monthLabel(month)} summary for <#${channel}>`,
      logFields: { channel, month: isoMonth(month) },
      // The first day the summary could have been posted.
      postableSince: monthStartUtc(addMonths(month, 1)),
      message: async () => {
        const result = await fetchSummary(month, this.opts.stats);
        const crossings = await this.crossingsOf(month);
        return this.opts.render(
          monthlySummaryView({
            month,
            result,
            host: this.opts.host,
            timeZone: this.opts.timeZone,
            ...(this.opts.licensedMau !== undefined ? { licensedMau: this.opts.licensedMau } : {}),
            crossings,
          }),
        );
      },
      windowMs: waiting ? Math.min(this.opts.retryWindowMs, 2 * 60_000) : this.opts.retryWindowMs,
      ...(waiting ? { minRetryMs: 2_000 } : {}),
      staleMs,
      look: !forced,
    });
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
      // Only summaries: other deliveries (alerts) are finished by their own checks.
      const subject = parseSubject(key.month);
      if (subject?.kind !== "summary" || this.now() - state.since < staleMs) continue;
      const { month } = subject;
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

  /** The crossings, or none: samples are a footnote, never a reason to hold a summary back. */
  private async crossingsOf(month: Month): Promise<readonly Crossing[]> {
    try {
      return (await this.opts.crossings?.(month)) ?? [];
    } catch (err) {
      this.opts.log.warn(
        { err: errorText(err) },
        "could not read the month's samples; the summary goes without its threshold days",
      );
      return [];
    }
  }

  /** A direct message to every admin; a failure to reach one is logged, never thrown. */
  tellAdmins(text: string): Promise<void> {
    return this.once.tellAdmins(text);
  }
}
