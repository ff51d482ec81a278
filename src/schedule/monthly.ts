/**
 * The monthly summary post: for each report channel, the previous month's summary, posted once
 * (through once.ts: claim, look in the channel, post, record), retried for REPORT_RETRY_HOURS,
 * and caught up after a start for a bot that was down when it fell due. Once posted, its thread
 * gets the 12-month chart (PNG) and the billing export (CSV), each a delivery of its own: a file
 * that cannot be uploaded never holds the summary back or makes it look unposted.
 */
import { fetchSummary, monthlySummaryView } from "../answer/index.js";
import type { Crossing } from "../curve/crossings.js";
import { errorText } from "../errors/index.js";
import {
  type DrawPng,
  FILE_KINDS,
  type FileKind,
  fileName,
  NO_PNG,
  summaryFilePlans,
} from "../files/index.js";
import type { StatService } from "../gluu/stat-service.js";
import type { Logger } from "../log.js";
import {
  addMonths,
  isoMonth,
  type Month,
  monthAt,
  monthLabel,
  monthStartUtc,
  monthsBack,
} from "../months.js";
import { FILE_LABEL } from "../report/format.js";
import type { SlackMessage } from "../report/slack/index.js";
import type { MonthlySummaryView } from "../report/view.js";
import {
  type DeliveryKey,
  type HistoryTrigger,
  parseSubject,
  type StateStore,
  subjectKey,
} from "../state/index.js";
import { type DeliveryOutcome, deliveryKeyString, OnceDelivery } from "./once.js";
import type { FileUploader, PostedMessage, SlackPoster } from "./slack-poster.js";

export { type DeliveryOutcome, deliveryKeyString } from "./once.js";

export interface MonthlyOptions {
  readonly store: StateStore;
  readonly stats: Pick<StatService, "get">;
  readonly slack: SlackPoster;
  readonly render: (view: MonthlySummaryView) => SlackMessage;
  readonly channels: readonly string[];
  readonly admins: readonly string[];
  readonly host: string;
  /**
   * The server in GLUU_SERVERS order after the first: its name goes into every key (see
   * state/subject.ts). Absent for the default server, whose keys are the single-server ones.
   */
  readonly server?: string;
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
  /** The chart and the CSV in the summary's thread; absent: the summary goes without files. */
  readonly files?: {
    readonly uploader: FileUploader;
    /** The PNG renderer, loaded on first use (src/chart). */
    readonly png: () => Promise<DrawPng>;
  };
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

  /** The summary's key in a channel, this server's. */
  private summaryKey(channel: string, month: Month): DeliveryKey {
    return { channel, month: subjectKey({ kind: "summary", month, ...this.scope }) };
  }

  /** The key of a file in the thread of the month's summary in a channel. */
  private fileKey(channel: string, month: Month, file: FileKind): DeliveryKey {
    return { channel, month: subjectKey({ kind: "file", month, file, ...this.scope }) };
  }

  private get scope(): { server?: string } {
    return this.opts.server === undefined ? {} : { server: this.opts.server };
  }

  /** How the summary is named in messages: with the server's name once there are several. */
  private summaryOf(month: Month): string {
    return this.opts.server === undefined
      ? `${monthLabel(month)} summary`
      : `${monthLabel(month)} summary of ${this.opts.host}`;
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
    let view: MonthlySummaryView | undefined;
    const result = await this.attempt(channel, month, trigger, staleMs, (v) => {
      view = v;
    });
    this.opts.onOutcome?.(result.outcome);
    try {
      if (result.outcome === "posted" || result.outcome === "recovered") {
        await this.attachFiles(channel, month, { channel, ts: result.ts }, trigger, staleMs, true, view);
      } else if (result.outcome === "already-posted") {
        // Someone asked again: a file that failed before gets another try; a run on a timer leaves it.
        await this.ensureFiles(channel, month, trigger, staleMs, trigger === "manual");
      }
    } catch (err) {
      // The summary's outcome stands; a file left pending is finished by the next catch-up.
      this.opts.log.warn(
        { channel, month: isoMonth(month), err: errorText(err) },
        "the summary's files could not be attached; the next catch-up tries again",
      );
    }
    return result;
  }

  /** The summary's files, where its thread exists and they are not there yet. */
  private async ensureFiles(
    channel: string,
    month: Month,
    trigger: HistoryTrigger,
    staleMs: number,
    retryFailed: boolean,
  ): Promise<void> {
    if (!this.opts.files) return;
    const state = await this.opts.store.getDelivery(this.summaryKey(channel, month));
    if (state?.status !== "posted" || !state.ts) return;
    await this.attachFiles(channel, month, { channel, ts: state.ts }, trigger, staleMs, retryFailed);
  }

  /** Each file once in the summary's thread; the figures are fetched again only when not at hand. */
  private async attachFiles(
    channel: string,
    month: Month,
    thread: PostedMessage,
    trigger: HistoryTrigger,
    staleMs: number,
    retryFailed: boolean,
    view?: MonthlySummaryView,
  ): Promise<void> {
    const { files } = this.opts;
    if (!files) return;
    let summary: Promise<MonthlySummaryView> | undefined = view ? Promise.resolve(view) : undefined;
    const summaryView = () => {
      summary ??= this.summaryView(month);
      return summary;
    };
    const waiting = trigger === "manual" || trigger === "forced";
    for (const kind of FILE_KINDS) {
      const key = this.fileKey(channel, month, kind);
      const before = await this.opts.store.getDelivery(key);
      if (before?.status === "posted" || (before?.status === "failed" && !retryFailed)) continue;
      await this.once.deliver({
        key,
        trigger,
        noun: `summary ${FILE_LABEL[kind]}`,
        what: `The ${FILE_LABEL[kind]} in the thread of the ${this.summaryOf(month)} in <#${channel}>`,
        logFields: { channel, month: isoMonth(month), file: kind, ...this.scope },
        postableSince: Number(thread.ts) * 1000,
        upload: {
          files: files.uploader,
          thread,
          filename: fileName(kind, monthsBack(month, 11), month),
          file: async () => {
            const plan = summaryFilePlans(await summaryView()).find((p) => p.kind === kind);
            if (!plan) throw new Error(`the ${monthLabel(month)} summary has no ${FILE_LABEL[kind]}`);
            return plan.build(kind === "chart" ? await files.png() : NO_PNG);
          },
        },
        windowMs: waiting ? Math.min(this.opts.retryWindowMs, 2 * 60_000) : this.opts.retryWindowMs,
        ...(waiting ? { minRetryMs: 2_000 } : {}),
        staleMs,
        look: true,
      });
    }
  }

  private async summaryView(month: Month): Promise<MonthlySummaryView> {
    const result = await fetchSummary(month, this.opts.stats);
    const crossings = await this.crossingsOf(month);
    return monthlySummaryView({
      month,
      result,
      host: this.opts.host,
      timeZone: this.opts.timeZone,
      ...(this.opts.licensedMau !== undefined ? { licensedMau: this.opts.licensedMau } : {}),
      crossings,
    });
  }

  private async attempt(
    channel: string,
    month: Month,
    trigger: HistoryTrigger,
    staleMs: number,
    rendered: (view: MonthlySummaryView) => void,
  ): Promise<DeliveryOutcome> {
    const key = this.summaryKey(channel, month);
    const forced = trigger === "forced";
    if (forced) {
      this.opts.log.warn(
        { channel, month: isoMonth(month), ...this.scope },
        "posting with --force: bypassing the once-only record",
      );
      await this.opts.store.clearDelivery(key);
      // A new post is a new thread: its files go there too.
      for (const kind of FILE_KINDS) await this.opts.store.clearDelivery(this.fileKey(channel, month, kind));
    }
    // Someone is waiting for a manual post: retry for minutes, not for the scheduled window.
    const waiting = trigger === "manual" || forced;
    return this.once.deliver({
      key,
      trigger,
      noun: "monthly summary",
      what: `The ${this.summaryOf(month)} for <#${channel}>`,
      logFields: { channel, month: isoMonth(month), ...this.scope },
      // The first day the summary could have been posted.
      postableSince: monthStartUtc(addMonths(month, 1)),
      message: async () => {
        const view = await this.summaryView(month);
        rendered(view);
        return this.opts.render(view);
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
      // This server's summaries and their files: alerts are finished by their own checks, and
      // each server's poster finishes its own.
      const subject = parseSubject(key.month);
      if (subject?.server !== this.opts.server) continue;
      if (this.now() - state.since < staleMs) continue;
      if (subject?.kind === "file") {
        await this.ensureFiles(key.channel, subject.month, "catch-up", staleMs, false);
        continue;
      }
      if (subject?.kind !== "summary") continue;
      const { month } = subject;
      handled.add(deliveryKeyString(key));
      out.push(await this.deliver(key.channel, month, "catch-up", staleMs));
    }
    if (dueSince !== undefined && dueSince <= this.now()) {
      const month = this.reportMonth();
      for (const channel of this.opts.channels) {
        const key = this.summaryKey(channel, month);
        if (handled.has(deliveryKeyString(key))) continue;
        const state = await this.opts.store.getDelivery(key);
        // Posted: only its files may be missing (a crash right after the post).
        if (state?.status === "posted") await this.ensureFiles(channel, month, "catch-up", staleMs, false);
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
