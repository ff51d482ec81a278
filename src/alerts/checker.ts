/**
 * The licence check: reads the month in progress through the stat service (so it shares the
 * cache, the single flight and the server's interval with every other question) and posts an
 * alert for each threshold of GLUU_MAU_LIMIT the month has reached, once per channel, month
 * and threshold, across restarts and replicas (once.ts, with alert keys of their own).
 *
 * When one check finds several thresholds reached that were not posted yet (the bot started
 * mid-month, or the month jumped), it posts the highest and records the lower ones as covered
 * by it: one message, not a burst of them, and a lower one is never posted after a higher one.
 */
import { errorText } from "../errors/index.js";
import type { Outcome, StatService } from "../gluu/stat-service.js";
import type { Logger } from "../log.js";
import {
  addMonths,
  isoMonth,
  type Month,
  monthAt,
  monthLabel,
  monthProgressAt,
  monthStartUtc,
  sameMonth,
} from "../months.js";
import { renderLicenseAlert } from "../report/slack/index.js";
import { type DeliveryOutcome, OnceDelivery } from "../schedule/once.js";
import type { SlackPoster } from "../schedule/slack-poster.js";
import { type DeliveryKey, type StateStore, subjectKey } from "../state/index.js";
import { licenseAlertView, reachedThresholds } from "./thresholds.js";

export interface AlertOptions {
  readonly store: StateStore;
  /** `lastOutcome` tells a failed request apart from a fresh answer within one millisecond. */
  readonly stats: Pick<StatService, "get"> & { readonly lastOutcome?: Outcome | undefined };
  readonly slack: SlackPoster;
  readonly channels: readonly string[];
  /** Percent of the limit, e.g. [80, 100]. */
  readonly thresholds: readonly number[];
  /** GLUU_MAU_LIMIT. */
  readonly limit: number;
  readonly admins: readonly string[];
  readonly host: string;
  /** A server after the first of GLUU_SERVERS: its name goes into the alerts' keys (state/subject.ts). */
  readonly server?: string;
  readonly timeZone: string;
  readonly log: Logger;
  readonly owner: string;
  /**
   * GLUU_MIN_INTERVAL_S in ms: a figure of the month in progress older than this at the check
   * is the cache's fallback after a failed request, not an answer from the server.
   */
  readonly freshMs: number;
  readonly now?: () => number;
  /** A pending claim older than this belongs to a process that died. */
  readonly staleMs?: number;
  readonly retry?: { readonly minTimeoutMs: number; readonly maxTimeoutMs: number };
  /** Told how each alert delivery ended (metrics). */
  readonly onOutcome?: (outcome: AlertDeliveryOutcome) => void;
  /** Told how each check ended (metrics). */
  readonly onCheck?: (outcome: CheckResult["outcome"]) => void;
}

export type AlertDeliveryOutcome = DeliveryOutcome["outcome"] | "covered";

export interface AlertDelivery {
  readonly channel: string;
  readonly threshold: number;
  readonly outcome: AlertDeliveryOutcome;
}

export type CheckResult =
  | { readonly outcome: "unreachable"; readonly error: string }
  | { readonly outcome: "no-data"; readonly month: Month }
  | {
      readonly outcome: "checked";
      readonly month: Month;
      readonly mau: number;
      readonly reached: readonly number[];
      readonly deliveries: readonly AlertDelivery[];
    };

const POSTED = new Set<AlertDeliveryOutcome>(["posted", "already-posted", "recovered"]);

export class LicenseAlerts {
  private readonly now: () => number;
  private readonly once: OnceDelivery;
  /** Since when checks fail to reach the server: one outage is logged once. */
  private downSince: number | undefined;

  constructor(private readonly opts: AlertOptions) {
    this.now = opts.now ?? Date.now;
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

  /** One check; never throws for the Gluu server or Slack (the state store's errors escape). */
  async check(): Promise<CheckResult> {
    const result = await this.checkNow();
    this.opts.onCheck?.(result.outcome);
    return result;
  }

  private async checkNow(): Promise<CheckResult> {
    const { log, timeZone } = this.opts;
    const at = this.now();
    const month = monthAt(at, timeZone);
    let current: Awaited<ReturnType<StatService["get"]>>;
    try {
      // The neighbourhood comes with it, so the previous month costs no request of its own.
      current = await this.opts.stats.get([month]);
    } catch (err) {
      return this.unreachable(errorText(err));
    }
    const outcome = this.opts.stats.lastOutcome;
    if (outcome && !outcome.ok && outcome.at >= at) {
      // This check's request failed and the cache answered with what it had.
      return this.unreachable(`the server did not answer (${errorText(outcome.error)})`);
    }
    if (current.fetchedAt < at - this.opts.freshMs) {
      return this.unreachable(
        `the server did not answer; the last figures are from ${new Date(current.fetchedAt).toISOString()}`,
      );
    }
    if (this.downSince !== undefined) {
      log.info({ downForMs: at - this.downSince }, "licence check: the Gluu server answers again");
      this.downSince = undefined;
    }
    const stats = current.months.find((s) => sameMonth(s.month, month));
    if (!stats) return { outcome: "no-data", month };
    const reached = reachedThresholds(stats.mau, this.opts.limit, this.opts.thresholds);
    if (reached.length === 0) return { outcome: "checked", month, mau: stats.mau, reached, deliveries: [] };

    const previous = await this.previousMonth(month);
    const view = (threshold: number) =>
      licenseAlertView({
        month,
        threshold,
        stats,
        limit: this.opts.limit,
        progress: monthProgressAt(at, timeZone),
        ...(previous ? { previous } : {}),
        host: this.opts.host,
        fetchedAt: current.fetchedAt,
        timeZone,
      });
    const deliveries: AlertDelivery[] = [];
    for (const channel of this.opts.channels) {
      deliveries.push(...(await this.deliverChannel(channel, month, reached, view)));
    }
    for (const d of deliveries) this.opts.onOutcome?.(d.outcome);
    return { outcome: "checked", month, mau: stats.mau, reached, deliveries };
  }

  private async deliverChannel(
    channel: string,
    month: Month,
    reached: readonly number[],
    view: (threshold: number) => ReturnType<typeof licenseAlertView>,
  ): Promise<AlertDelivery[]> {
    const out: AlertDelivery[] = [];
    const descending = [...reached].sort((a, b) => b - a);
    const staleMs = this.opts.staleMs ?? 15 * 60_000;
    let cover: { threshold: number; link?: string; ts?: string } | undefined;
    for (const threshold of descending) {
      const scope = this.opts.server === undefined ? {} : { server: this.opts.server };
      const key: DeliveryKey = { channel, month: subjectKey({ kind: "alert", month, threshold, ...scope }) };
      if (cover) {
        const why = `reached together with ${cover.threshold} %: covered by that alert`;
        out.push({
          channel,
          threshold,
          outcome: await this.once.recordCovered(key, "scheduled", cover, why, staleMs),
        });
        continue;
      }
      const result = await this.once.deliver({
        key,
        trigger: "scheduled",
        noun: "licence alert",
        what: `The ${threshold} % licence alert for ${monthLabel(month)} in <#${channel}>`,
        logFields: { channel, month: isoMonth(month), threshold },
        // A day early: the month may start before UTC's in REPORT_TZ.
        postableSince: monthStartUtc(month) - 86_400_000,
        message: async () => renderLicenseAlert(view(threshold)),
        // The next check retries a failed post; a check does not hold on for long.
        windowMs: 2 * 60_000,
        minRetryMs: 2_000,
        staleMs,
        look: true,
      });
      out.push({ channel, threshold, outcome: result.outcome });
      // Busy: another replica is posting it right now, and it covers the lower ones as well.
      if (POSTED.has(result.outcome) || result.outcome === "busy") {
        cover = {
          threshold,
          ...("link" in result && result.link ? { link: result.link } : {}),
          ...("ts" in result ? { ts: result.ts } : {}),
        };
      }
    }
    return out.reverse();
  }

  private async previousMonth(month: Month) {
    const prev = addMonths(month, -1);
    try {
      const r = await this.opts.stats.get([prev]);
      return r.months.find((s) => sameMonth(s.month, prev));
    } catch {
      return undefined; // for scale only: the alert goes out without it
    }
  }

  private unreachable(error: string): CheckResult {
    if (this.downSince === undefined) {
      this.downSince = this.now();
      this.opts.log.warn(
        { err: error },
        "licence check could not reach the Gluu server; no alert until it answers, checked again at the next run",
      );
    } else {
      this.opts.log.debug({ err: error }, "licence check: the Gluu server still does not answer");
    }
    return { outcome: "unreachable", error };
  }
}
