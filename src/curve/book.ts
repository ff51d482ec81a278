/**
 * The month's curve, kept: every fresh figure of the month in progress becomes a sample in the
 * state store (at most one an hour, see state/samples.ts), and the previous month's samples are
 * held in memory, on their wall clock, so "at this point last month" costs an answer nothing,
 * not even in the acknowledgement. A store that fails costs the sample, never the answer.
 */
import { errorText } from "../errors/index.js";
import type { MonthStats } from "../gluu/model.js";
import type { Logger } from "../log.js";
import { addMonths, type Month, monthAt, monthEndUtc, monthKey, sameMonth } from "../months.js";
import { renderErrorMessage, renderMonthCurve, type SlackMessage } from "../report/slack/index.js";
import type { MonthCurveView } from "../report/view.js";
import type { Sample, SampleStore } from "../state/samples.js";
import { type Pace, type PacePoint, paceAt, pacePoints } from "./pace.js";
import { monthCurveView } from "./view.js";

const RELOAD_MS = 5 * 60_000;

interface Loaded {
  readonly points: readonly PacePoint[];
  readonly loadedAt: number;
  /** The read failed: nothing to show, asked again after RETRY_MS (not at every answer). */
  readonly failed?: true;
}

const RETRY_MS = 60_000;

export class MonthCurves {
  private readonly previous = new Map<string, Loaded | Promise<void>>();
  /** One failing store is logged once, until it works again. */
  private failing = false;

  constructor(
    private readonly store: SampleStore,
    private readonly opts: { readonly timeZone: string; readonly log: Logger; readonly now?: () => number },
  ) {}

  /**
   * Records the month in progress from a server's answer (the stat service's `fetched` event).
   * The server counts by UTC month, so that is the month a figure fetched at `at` grows.
   */
  record(stats: readonly MonthStats[], at: number): Promise<void> {
    const open = monthAt(at, "UTC");
    const s = stats.find((x) => sameMonth(x.month, open));
    if (!s) return Promise.resolve();
    return this.store.add(monthKey(open), { at, mau: s.mau }).then(
      () => this.recovered(),
      (err: unknown) => this.failed("could not record a sample of the month's curve", err),
    );
  }

  /** The previous month's sample at this point, when it is loaded; starts loading it if not. */
  paceAt(now: number): Pace | undefined {
    const prev = addMonths(monthAt(now, this.opts.timeZone), -1);
    const loaded = this.previous.get(monthKey(prev));
    if (loaded === undefined || (!(loaded instanceof Promise) && this.outdated(prev, loaded))) {
      void this.load(prev);
      return undefined;
    }
    return loaded instanceof Promise ? undefined : paceAt(loaded.points, now, this.opts.timeZone);
  }

  /** Resolves once the previous month's samples are in memory (or could not be read). */
  async ready(now: number): Promise<void> {
    const prev = addMonths(monthAt(now, this.opts.timeZone), -1);
    const loaded = this.previous.get(monthKey(prev));
    if (loaded instanceof Promise) return loaded;
    if (loaded === undefined || this.outdated(prev, loaded)) return this.load(prev);
  }

  /** A month's samples, oldest first (for the curve itself). */
  async samples(month: Month): Promise<Sample[]> {
    return this.store.list(monthKey(month));
  }

  /** This month against last month, day by day, in REPORT_TZ: read from the store. */
  async curveView(now: number, host: string): Promise<MonthCurveView> {
    const { timeZone } = this.opts;
    const month = monthAt(now, timeZone);
    const [current, previous] = await Promise.all([this.samples(month), this.samples(addMonths(month, -1))]);
    return monthCurveView({ current, previous, now, timeZone, host });
  }

  /**
   * Loaded before its month ended in UTC (a REPORT_TZ ahead of UTC starts the month early):
   * samples may have come since. Read again, at most every few minutes.
   */
  private outdated(month: Month, loaded: Loaded): boolean {
    const now = (this.opts.now ?? Date.now)();
    if (loaded.failed) return now - loaded.loadedAt > RETRY_MS;
    return loaded.loadedAt < monthEndUtc(month) && now - loaded.loadedAt > RELOAD_MS;
  }

  private load(month: Month): Promise<void> {
    const key = monthKey(month);
    const existing = this.previous.get(key);
    if (existing instanceof Promise) return existing;
    const loadedAt = (this.opts.now ?? Date.now)();
    const loading = this.store.list(key).then(
      (samples) => {
        this.recovered();
        this.previous.set(key, { points: pacePoints(samples, month, this.opts.timeZone), loadedAt });
        // Only last month is asked for: older ones are not kept in memory.
        for (const k of this.previous.keys()) if (k < key) this.previous.delete(k);
      },
      (err: unknown) => {
        this.failed("could not read last month's samples", err);
        this.previous.set(key, { points: [], loadedAt, failed: true });
      },
    );
    this.previous.set(key, loading);
    return loading;
  }

  private failed(what: string, err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.opts.log.warn({ err: errorText(err) }, "%s; answers go on without it", what);
  }

  private recovered(): void {
    this.failing = false;
  }
}

/** The answer to `/gluu-stats month-curve`: this month's and last month's samples, day by day. */
export function curveAnswer(
  curves: Pick<MonthCurves, "curveView">,
  opts: { readonly host: string; readonly now: () => number },
): () => Promise<SlackMessage> {
  return async () => {
    try {
      return renderMonthCurve(await curves.curveView(opts.now(), opts.host));
    } catch {
      return renderErrorMessage(
        "The state store is not answering right now, so the month's samples cannot be read. Figures still answer; try this again in a few minutes.",
      );
    }
  };
}
