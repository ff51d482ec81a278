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
  type Month,
  type MonthKey,
  monthStartUtc,
  parseMonthKey,
  tryAddMonths,
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

/** One server's samples, by month. */
export interface SampleStore {
  /** Adds a sample for `month` unless one of the same UTC hour is kept; true when added. */
  add(month: MonthKey, sample: Sample): Promise<boolean>;
  /** The month's samples, oldest first. */
  list(month: MonthKey): Promise<Sample[]>;
}

/**
 * Every server's samples, as the file and Redis stores keep them: `yyyyMM` for the default
 * server (the single-server keys), `staging:yyyyMM` for another, like the stat cache's keys.
 */
export type StoredSampleKey = MonthKey | `${string}:${MonthKey}`;

export interface SharedSampleStore {
  add(key: StoredSampleKey, sample: Sample): Promise<boolean>;
  list(key: StoredSampleKey): Promise<Sample[]>;
}

/** The month part of a stored key; undefined for a key no release writes. */
export function sampleMonth(key: string): MonthKey | undefined {
  const month = key.slice(key.lastIndexOf(":") + 1);
  return parseMonthKey(month) !== undefined && /^(?:[a-z][a-z0-9-]{0,19}:)?\d{6}$/.test(key)
    ? (month as MonthKey)
    : undefined;
}

/** One server's view of the shared samples (`scope` undefined: the default server's keys). */
export function serverSamples(shared: SharedSampleStore, scope: string | undefined): SampleStore {
  if (scope === undefined) return shared;
  const key = (month: MonthKey): StoredSampleKey => `${scope}:${month}`;
  return { add: (month, sample) => shared.add(key(month), sample), list: (month) => shared.list(key(month)) };
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

/**
 * The keys to keep of `keys`: for each server, its newest SAMPLE_MONTHS_KEPT + 1 months (the one
 * in progress too), so one server's months never push out another's.
 */
export function monthsToKeep<K extends string>(keys: readonly K[]): Set<K> {
  const byScope = new Map<string, Array<{ key: K; month: Month }>>();
  for (const key of keys) {
    const mk = sampleMonth(key);
    const m = mk ? parseMonthKey(mk) : undefined;
    if (!m) continue;
    const scope = key.slice(0, key.length - 6);
    byScope.set(scope, [...(byScope.get(scope) ?? []), { key, month: m }]);
  }
  const keep = new Set<K>();
  for (const entries of byScope.values()) {
    const newest = entries
      .map((e) => e.month)
      .sort(compareMonths)
      .at(-1);
    if (!newest) continue;
    // Near the first month the bot knows there is nothing older to drop (addMonths would throw).
    const oldest = tryAddMonths(newest, -SAMPLE_MONTHS_KEPT);
    for (const e of entries) if (!oldest || compareMonths(e.month, oldest) >= 0) keep.add(e.key);
  }
  return keep;
}

function monthStartOf(key: MonthKey): number {
  const m = parseMonthKey(key);
  if (!m) throw new RangeError(`not a month key: ${key}`);
  return monthStartUtc(m);
}

/** In memory, for a bot without a state store and for tests. */
export class MemorySampleStore implements SharedSampleStore {
  private readonly months = new Map<StoredSampleKey, Sample[]>();
  async add(key: StoredSampleKey, sample: Sample): Promise<boolean> {
    const month = sampleMonth(key);
    if (!month || !sampleFits(month, sample)) return false;
    const next = withSample(this.months.get(key) ?? [], sample);
    if (!next) return false;
    this.months.set(key, next);
    const keep = monthsToKeep([...this.months.keys()]);
    for (const k of this.months.keys()) if (!keep.has(k)) this.months.delete(k);
    return true;
  }
  async list(key: StoredSampleKey): Promise<Sample[]> {
    return [...(this.months.get(key) ?? [])];
  }
}
