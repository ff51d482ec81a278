/**
 * "At this point last month": the previous month's sample taken at the same day of the month
 * and time of day (± 1 hour) as now, in REPORT_TZ. Wall-clock time, not elapsed time: on the
 * 2nd at 09:00 the comparison is with the 2nd at 09:00, also across a daylight-saving change,
 * and a day the previous month did not have (the 31st after a 30-day month) has none (past the
 * tolerance).
 */
import { localTime, type Month, monthAt, sameMonth } from "../months.js";
import type { Pace } from "../report/view.js";
import type { Sample } from "../state/samples.js";

export type { Pace } from "../report/view.js";

/** A sample placed on its month's wall clock: minutes since the 1st, 00:00 local time. */
export interface PacePoint {
  readonly minute: number;
  readonly sample: Sample;
}

/** How far a sample may be from the same moment last month. */
export const PACE_TOLERANCE_MIN = 60;

function minuteOfMonth(at: number, timeZone: string): number {
  const t = localTime(at, timeZone);
  return (t.day - 1) * 1440 + t.hour * 60 + t.minute;
}

/** The month's samples on its wall clock; samples taken outside it (in `timeZone`) are left out. */
export function pacePoints(samples: readonly Sample[], month: Month, timeZone: string): PacePoint[] {
  return samples
    .filter((s) => sameMonth(monthAt(s.at, timeZone), month))
    .map((sample) => ({ minute: minuteOfMonth(sample.at, timeZone), sample }));
}

/** The point nearest to `now`'s day and time, within the tolerance; undefined when none is. */
export function paceAt(previous: readonly PacePoint[], now: number, timeZone: string): Pace | undefined {
  const target = minuteOfMonth(now, timeZone);
  let best: PacePoint | undefined;
  for (const p of previous) {
    const d = Math.abs(p.minute - target);
    if (d <= PACE_TOLERANCE_MIN && (!best || d < Math.abs(best.minute - target))) best = p;
  }
  return best && { mau: best.sample.mau, at: best.sample.at };
}
