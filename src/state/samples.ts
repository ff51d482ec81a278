/**
 * Samples of a month's MAU as it grows: the stat endpoint answers only per month, so the curve
 * of the month in progress exists only if the bot writes it down. At most one sample per hour
 * (the first of each UTC hour is kept) and minute precision; months older than
 * SAMPLE_MONTHS_KEPT before the newest are dropped.
 *
 * Stored compactly, one string per month of `minute:mau` pairs separated by spaces, `minute`
 * counted from the month's first instant in UTC: about 11 bytes a sample, so 13 months of
 * hourly samples and the month in progress are about 120 KB (10,224 samples, measured in
 * test/alerts/costs.test.ts), in the state file as in Redis.
 */
import { z } from "zod";
import {
  addMonths,
  compareMonths,
  type MonthKey,
  monthKey,
  monthStartUtc,
  parseMonthKey,
} from "../months.js";

export interface Sample {
  /** When the figure was fetched (ms since epoch, minute precision). */
  readonly at: number;
  readonly mau: number;
}

/** Closed months keep their samples this long (the "13 months"), counted from the newest. */
export const SAMPLE_MONTHS_KEPT = 13;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface SampleStore {
  /** Adds a sample for `month` unless one of the same UTC hour is kept; true when added. */
  add(month: MonthKey, sample: Sample): Promise<boolean>;
  /** The month's samples, oldest first. */
  list(month: MonthKey): Promise<Sample[]>;
}

/** The hour a sample belongs to, for "one per hour". */
export function hourOf(at: number): number {
  return Math.floor(at / HOUR);
}

/** What the file and Redis stores read back: checked before it is used. */
export const encodedSamplesSchema = z
  .string()
  .regex(/^$|^\d{1,6}:\d{1,12}( \d{1,6}:\d{1,12})*$/, "expected space-separated `minute:mau` pairs");

export function encodeSamples(month: MonthKey, samples: readonly Sample[]): string {
  const start = monthStartOf(month);
  return samples.map((s) => `${Math.floor((s.at - start) / MINUTE)}:${Math.round(s.mau)}`).join(" ");
}

export function decodeSamples(month: MonthKey, text: string): Sample[] {
  const start = monthStartOf(month);
  if (text === "") return [];
  return text.split(" ").map((pair) => {
    const [minute, mau] = pair.split(":");
    return { at: start + Number(minute) * MINUTE, mau: Number(mau) };
  });
}

/**
 * Whether a sample can belong to `month`: taken after the month began (in UTC, as the server
 * counts) and within a month of its end (the figure still settles for a while after it).
 */
export function sampleFits(month: MonthKey, sample: Sample): boolean {
  const m = parseMonthKey(month);
  if (!m || !Number.isFinite(sample.at) || !Number.isFinite(sample.mau) || sample.mau < 0) return false;
  return sample.at >= monthStartUtc(m) && sample.at < monthStartUtc(addMonths(m, 2));
}

/** `samples` with `sample` added, or undefined when its hour already has one. */
export function withSample(samples: readonly Sample[], sample: Sample): Sample[] | undefined {
  const at = Math.floor(sample.at / MINUTE) * MINUTE;
  const hour = hourOf(at);
  if (samples.some((s) => hourOf(s.at) === hour)) return undefined;
  return [...samples, { at, mau: sample.mau }].sort((a, b) => a.at - b.at);
}

/** The months to keep of `months`: the newest SAMPLE_MONTHS_KEPT + 1 (the one in progress). */
export function monthsToKeep(months: readonly MonthKey[]): Set<MonthKey> {
  const parsed = months.flatMap((k) => {
    const m = parseMonthKey(k);
    return m ? [m] : [];
  });
  const newest = parsed.sort(compareMonths).at(-1);
  if (!newest) return new Set();
  const oldest = addMonths(newest, -SAMPLE_MONTHS_KEPT);
  return new Set(parsed.filter((m) => compareMonths(m, oldest) >= 0).map(monthKey));
}

function monthStartOf(key: MonthKey): number {
  const m = parseMonthKey(key);
  if (!m) throw new RangeError(`not a month key: ${key}`);
  return monthStartUtc(m);
}

/** In memory, for a bot without a state store and for tests. */
export class MemorySampleStore implements SampleStore {
  private readonly months = new Map<MonthKey, Sample[]>();
  async add(month: MonthKey, sample: Sample): Promise<boolean> {
    if (!sampleFits(month, sample)) return false;
    const next = withSample(this.months.get(month) ?? [], sample);
    if (!next) return false;
    this.months.set(month, next);
    const keep = monthsToKeep([...this.months.keys()]);
    for (const k of this.months.keys()) if (!keep.has(k)) this.months.delete(k);
    return true;
  }
  async list(month: MonthKey): Promise<Sample[]> {
    return [...(this.months.get(month) ?? [])];
  }
}
