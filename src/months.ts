/**
 * Calendar months: the unit every figure of the Gluu statistics endpoint is keyed by.
 *
 * A Month is a plain value (year + 1-based month) so it can travel through JSON, caches and
 * Slack button values; `monthKey` gives the server's `yyyyMM` form, the only string form used
 * as a map key.
 */

export interface Month {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
}

/** The `yyyyMM` form the statistics endpoint uses, e.g. `202111`. */
export type MonthKey = string & { readonly __brand: "MonthKey" };

export const MIN_YEAR = 2000;
export const MAX_YEAR = 9999;

const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

export function month(year: number, monthOfYear: number): Month {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`year out of range: ${year}`);
  }
  if (!Number.isInteger(monthOfYear) || monthOfYear < 1 || monthOfYear > 12) {
    throw new RangeError(`month out of range: ${monthOfYear}`);
  }
  return { year, month: monthOfYear };
}

/**
 * Like `month`, but undefined instead of throwing: for values derived from user input, where
 * an out-of-range year or month is an expected answer rather than a bug.
 */
export function tryMonth(year: number, monthOfYear: number): Month | undefined {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) return undefined;
  if (!Number.isInteger(monthOfYear) || monthOfYear < 1 || monthOfYear > 12) return undefined;
  return { year, month: monthOfYear };
}

/** Months since year 0: makes comparison and arithmetic integer operations. */
export function monthIndex(m: Month): number {
  return m.year * 12 + (m.month - 1);
}

export function fromIndex(index: number): Month {
  return month(Math.floor(index / 12), (index % 12) + 1);
}

export function addMonths(m: Month, n: number): Month {
  return fromIndex(monthIndex(m) + n);
}

/** Like `addMonths`, but undefined when the result falls outside MIN_YEAR..MAX_YEAR. */
export function tryAddMonths(m: Month, n: number): Month | undefined {
  const index = monthIndex(m) + n;
  return tryMonth(Math.floor(index / 12), (index % 12) + 1);
}

/** `m` moved back `n` months, but not before the first supported month (January MIN_YEAR). */
export function monthsBack(m: Month, n: number): Month {
  return tryAddMonths(m, -n) ?? { year: MIN_YEAR, month: 1 };
}

export function compareMonths(a: Month, b: Month): number {
  return monthIndex(a) - monthIndex(b);
}

export function sameMonth(a: Month, b: Month): boolean {
  return a.year === b.year && a.month === b.month;
}

/** Inclusive number of months from `from` to `to`; 0 or less when reversed. */
export function monthsBetween(from: Month, to: Month): number {
  return monthIndex(to) - monthIndex(from) + 1;
}

/** Every month from `from` to `to`, inclusive, in calendar order. */
export function monthRange(from: Month, to: Month): Month[] {
  const out: Month[] = [];
  for (let i = monthIndex(from); i <= monthIndex(to); i++) out.push(fromIndex(i));
  return out;
}

export function monthKey(m: Month): MonthKey {
  return `${String(m.year).padStart(4, "0")}${String(m.month).padStart(2, "0")}` as MonthKey;
}

/** Parses the server's `yyyyMM`; undefined for anything else (the server may send garbage). */
export function parseMonthKey(key: string): Month | undefined {
  const match = /^(\d{4})(\d{2})$/.exec(key);
  if (!match) return undefined;
  const year = Number(match[1]);
  const m = Number(match[2]);
  if (year < MIN_YEAR || year > MAX_YEAR || m < 1 || m > 12) return undefined;
  return { year, month: m };
}

/** `2021-11`: the ISO form, for CSV, JSON output and logs. */
export function isoMonth(m: Month): string {
  return `${String(m.year).padStart(4, "0")}-${String(m.month).padStart(2, "0")}`;
}

export function monthName(m: Month): string {
  return MONTH_NAMES[m.month - 1] ?? String(m.month);
}

/** `November 2021` */
export function monthLabel(m: Month): string {
  return `${monthName(m)} ${m.year}`;
}

/** `Nov 2021` */
export function shortMonthLabel(m: Month): string {
  return `${monthName(m).slice(0, 3)} ${m.year}`;
}

export const MONTH_NAME_LIST: readonly string[] = MONTH_NAMES;

/**
 * Every command asks for "now", and Intl's formatToParts is the costliest step of parsing one.
 * Offsets in use are whole minutes (multiples of 15), so months and days begin on a minute
 * boundary and the answer for one minute is the answer for all of it: each zone keeps its last.
 */
function perMinute<T>(
  memo: Map<string, { readonly minute: number; readonly value: T }>,
  ms: number,
  timeZone: string,
  compute: () => T,
): T {
  const minute = Math.floor(ms / 60_000);
  const last = memo.get(timeZone);
  if (last?.minute === minute) return last.value;
  const value = compute();
  memo.set(timeZone, { minute, value });
  return value;
}

const lastMonth = new Map<string, { readonly minute: number; readonly value: Month }>();
const lastProgress = new Map<string, { readonly minute: number; readonly value: MonthProgress }>();

/**
 * The month an instant falls in, as seen in an IANA time zone. "Current month" is a business
 * notion: a team in Auckland reading its figures at 08:00 on the 1st expects the new month.
 */
export function monthAt(instant: Date | number, timeZone = "UTC"): Month {
  const ms = typeof instant === "number" ? instant : instant.getTime();
  return perMinute(lastMonth, ms, timeZone, () => {
    const parts = dateFormat(timeZone, false).formatToParts(new Date(ms));
    const year = Number(parts.find((p) => p.type === "year")?.value);
    const m = Number(parts.find((p) => p.type === "month")?.value);
    return month(year, m);
  });
}

/** An instant's wall-clock time in a time zone, to the minute. */
export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

const lastLocal = new Map<string, { readonly minute: number; readonly value: LocalTime }>();

/** To the minute, so a minute's answer is reused (every answer of the month in progress asks for now's). */
export function localTime(instant: number, timeZone = "UTC"): LocalTime {
  return perMinute(lastLocal, instant, timeZone, () => computeLocalTime(instant, timeZone));
}

function computeLocalTime(instant: number, timeZone: string): LocalTime {
  let f = wallClocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      hourCycle: "h23",
    });
    wallClocks.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
  };
}

/** How far into its month an instant is, in a time zone: "day 2 of 31". */
export interface MonthProgress {
  readonly day: number;
  readonly days: number;
}

/** Days in a calendar month (Gregorian; February 29 in leap years). */
export function daysInMonth(m: Month): number {
  return new Date(Date.UTC(m.year, m.month, 0)).getUTCDate();
}

export function monthProgressAt(instant: number, timeZone = "UTC"): MonthProgress {
  return perMinute(lastProgress, instant, timeZone, () => {
    const parts = dateFormat(timeZone, true).formatToParts(new Date(instant));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return { day: get("day"), days: daysInMonth({ year: get("year"), month: get("month") }) };
  });
}

// Building an Intl.DateTimeFormat costs far more than using one; every command needs several.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(timeZone: string, withDay: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withDay}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      ...(withDay ? { day: "numeric" } : {}),
    });
    dateFormats.set(key, f);
  }
  return f;
}

/** First instant of a month in UTC (the server buckets its counters by UTC month). */
export function monthStartUtc(m: Month): number {
  return Date.UTC(m.year, m.month - 1, 1);
}

/** First instant after a month in UTC. */
export function monthEndUtc(m: Month): number {
  return Date.UTC(m.year, m.month, 1);
}

/** Default grace after a month's end before its figures count as final (see isClosed). */
export const DEFAULT_CLOSE_GRACE_MS = 2 * 60 * 60 * 1000;

/**
 * A month is closed, and its figures final, once a grace period after its end has passed:
 * server nodes flush their counters every 15 minutes and Janssen caches answers for an hour,
 * so a month read at 00:05 on the 1st may still grow.
 */
export function isClosed(m: Month, now: number, graceMs = DEFAULT_CLOSE_GRACE_MS): boolean {
  return now >= monthEndUtc(m) + graceMs;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    dateFormat(tz, false);
    return true;
  } catch {
    return false;
  }
}
