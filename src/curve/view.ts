/**
 * `/gluu-stats month-curve`: the month in progress day by day against the month before, from
 * the samples the bot kept. Each day is the last sample of that day (its figure at the day's
 * end, or so far today), in REPORT_TZ; a day without a sample is a gap, never a zero.
 */
import { addMonths, daysInMonth, localTime, type Month, monthAt, sameMonth } from "../months.js";
import type { CurveDay, MonthCurveView } from "../report/view.js";
import type { Sample } from "../state/samples.js";

export type { CurveDay, MonthCurveView } from "../report/view.js";

/** The last sample of each local day of `month`, by day. */
function byDay(samples: readonly Sample[], month: Month, timeZone: string): Map<number, number> {
  const out = new Map<number, { at: number; mau: number }>();
  for (const s of samples) {
    const t = localTime(s.at, timeZone);
    if (!sameMonth({ year: t.year, month: t.month }, month)) continue;
    const seen = out.get(t.day);
    if (!seen || s.at > seen.at) out.set(t.day, s);
  }
  return new Map([...out].map(([d, s]) => [d, s.mau]));
}

export function monthCurveView(input: {
  readonly current: readonly Sample[];
  readonly previous: readonly Sample[];
  readonly now: number;
  readonly timeZone: string;
  readonly host: string;
}): MonthCurveView {
  const month = monthAt(input.now, input.timeZone);
  const previousMonth = addMonths(month, -1);
  const today = localTime(input.now, input.timeZone).day;
  const cur = byDay(input.current, month, input.timeZone);
  const prev = byDay(input.previous, previousMonth, input.timeZone);
  const last = Math.max(daysInMonth(month), daysInMonth(previousMonth));
  const days: CurveDay[] = [];
  for (let day = 1; day <= last; day++) {
    const c = day <= today ? cur.get(day) : undefined;
    const p = prev.get(day);
    days.push({
      day,
      ...(c !== undefined ? { current: c } : {}),
      ...(p !== undefined ? { previous: p } : {}),
    });
  }
  return {
    kind: "curve",
    month,
    previousMonth,
    today,
    days,
    daysWithData: { current: cur.size, previous: prev.size },
    host: input.host,
    timeZone: input.timeZone,
  };
}
