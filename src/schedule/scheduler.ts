/**
 * When the monthly post runs: node-cron on REPORT_CRON in REPORT_TZ, coordinated across replicas
 * (node-cron's `distributed` option with a Redis RunCoordinator) when state is shared, plus a
 * catch-up at start for a bot that was down at the scheduled time.
 */

import cron, { type RunCoordinator, type ScheduledTask } from "node-cron";
import { ConfigError } from "../config/index.js";
import type { Logger } from "../log.js";
import { isValidTimeZone, type Month, monthAt, monthStartUtc, sameMonth } from "../months.js";
import type { StoreHealth } from "../state/index.js";
import type { ScheduledPoster } from "./posters.js";
import { TrackedRuns } from "./runs.js";

export function validateSchedule(expression: string, timeZone: string, variable = "REPORT_CRON"): void {
  const problems: string[] = [];
  if (!cron.validate(expression)) {
    problems.push(
      `${variable}: "${expression.slice(0, 60)}" is not a cron expression; use five or six fields, e.g. "0 9 1 * *" (09:00 on the 1st)`,
    );
  }
  if (!isValidTimeZone(timeZone)) problems.push("REPORT_TZ: must be an IANA time zone such as Europe/Berlin");
  if (problems.length > 0) throw new ConfigError(problems);
}

const MINUTE = 60_000;

/** First instant (minute precision) of `m` as seen in `timeZone`. */
export function localMonthStart(m: Month, timeZone: string): number {
  // Offsets are multiples of 15 minutes and within ±14 h of UTC.
  let t = monthStartUtc(m) - 14 * 60 * MINUTE;
  while (!sameMonth(monthAt(t, timeZone), m)) t += 15 * MINUTE;
  return t;
}

/**
 * The first scheduled fire in the current month (in `timeZone`) at or before `now`, if there
 * was one: the moment this month's summary became due. Scans minute by minute with the task's
 * own matcher (node-cron has no "previous run"); at most one month of minutes, once at start.
 */
export function firstFireThisMonth(
  matches: (d: Date) => boolean,
  now: number,
  timeZone: string,
): number | undefined {
  const start = localMonthStart(monthAt(now, timeZone), timeZone);
  for (let t = start; t <= now; t += MINUTE) if (matches(new Date(t))) return t;
  return undefined;
}

export interface SchedulerOptions {
  readonly expression: string;
  readonly timeZone: string;
  readonly poster: ScheduledPoster;
  readonly log: Logger;
  /** Shared state (Redis): node-cron's distributed mode with this coordinator. */
  readonly coordinator?: RunCoordinator;
  /** The file store is one instance's: pending claims found at start are from a dead process. */
  readonly singleInstance: boolean;
  readonly now?: () => number;
  /**
   * How often the bot checks again for a summary that was due and not posted (a fire skipped
   * while the store was down) and for pending claims of dead replicas; 0 disables.
   */
  readonly reconcileEveryMs?: number;
  /** The state store's health: a run that fails on the store is one outage, logged once. */
  readonly health?: StoreHealth;
}

export class Scheduler {
  private task: ScheduledTask | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly runs: TrackedRuns;

  constructor(private readonly opts: SchedulerOptions) {
    validateSchedule(opts.expression, opts.timeZone);
    this.runs = new TrackedRuns({
      log: opts.log,
      what: "monthly summary run",
      ...(opts.health ? { health: opts.health } : {}),
    });
  }

  /**
   * Starts the cron task and the catch-up. Resolves once scheduled; the catch-up may retry for
   * the retry window, so it runs on (`settled()` waits for it).
   */
  async start(): Promise<void> {
    const { expression, timeZone, poster, log, coordinator } = this.opts;
    this.task = cron.createTask(expression, () => this.fire("scheduled"), {
      timezone: timeZone,
      name: "gluu-stats monthly summary",
      noOverlap: true,
      ...(coordinator ? { distributed: true, runCoordinator: coordinator } : {}),
    });
    await this.task.start();
    const next = this.task.getNextRun();
    log.info({ cron: expression, timeZone, next: next?.toISOString() }, "monthly summary scheduled");
    void this.track(poster.catchUp(this.dueSince(), this.opts.singleInstance));
    const every = this.opts.reconcileEveryMs ?? 5 * MINUTE;
    if (every > 0) {
      // Not only at start: a fire skipped while the store was down (node-cron's coordinator
      // fails closed) is posted at the first check after the store is back.
      this.timer = setInterval(() => {
        void this.track(poster.catchUp(this.dueSince(), false));
      }, every);
      this.timer.unref();
    }
  }

  /** When this month's summary fell due (its first scheduled fire this month), if it has. */
  private dueSince(): number | undefined {
    const task = this.task;
    if (!task) return undefined;
    // The scan is by minute; a six-field expression with a fixed second fires at that second.
    const second = fixedSecond(this.opts.expression);
    const at = firstFireThisMonth(
      (d) => task.match(new Date(d.getTime() + second * 1000)),
      (this.opts.now ?? Date.now)() - second * 1000,
      this.opts.timeZone,
    );
    return at === undefined ? undefined : at + second * 1000;
  }

  /** Resolves when every run started so far (catch-up, fires) has finished. */
  settled(): Promise<void> {
    return this.runs.settled();
  }

  nextRun(): Date | null {
    return this.task?.getNextRun() ?? null;
  }

  private fire(trigger: "scheduled"): Promise<unknown> {
    return this.track(this.opts.poster.run(trigger));
  }

  private track<T>(p: Promise<T>): Promise<T | undefined> {
    return this.runs.track(p);
  }

  /**
   * Stops firing and waits up to `graceMs` for a run in progress. A run cut short leaves its
   * `pending` claim, which the next start reconciles: nothing is lost or posted twice.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.task?.destroy();
    await this.runs.drain(graceMs);
  }
}

/** The second a six-field expression fires at when it names one (`30 0 9 1 * *`), else 0. */
export function fixedSecond(expression: string): number {
  const fields = expression.trim().split(/\s+/);
  return fields.length === 6 && /^\d{1,2}$/.test(fields[0] ?? "") ? Number(fields[0]) : 0;
}
