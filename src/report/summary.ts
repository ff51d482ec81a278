/**
 * The arithmetic of a report: month-over-month change, series average and maximum, token
 * totals and the billing export with its signature. Plain data in, plain data out; every
 * renderer (Slack, terminal, CSV, JSON) reads these results and computes nothing of its own, so
 * a figure cannot differ between two renderings of the same data.
 */
import { createHash } from "node:crypto";
import type { MonthStats, StatResult } from "../gluu/model.js";
import { STANDARD_TOKEN_KINDS } from "../gluu/model.js";
import type { Month, MonthKey } from "../months.js";
import { compareMonths, monthKey, sameMonth } from "../months.js";

export type Direction = "up" | "down" | "flat";

export interface Change {
  /** Current MAU minus previous MAU. */
  readonly absolute: number;
  /** Change in percent of the previous MAU (12.5 means +12.5%); undefined when that was 0. */
  readonly percent: number | undefined;
  readonly direction: Direction;
}

/** What a series is computed from: the stat client's result without its fetch time. */
export type SeriesInput = Pick<StatResult, "months" | "noData">;

/** MAU against the licensed limit (GLUU_MAU_LIMIT): what Gluu bills on. */
export interface LicenseUsage {
  readonly limit: number;
  /** MAU in percent of the limit (81.2 means 81.2 %). */
  readonly percent: number;
  /** Strictly more MAU than licensed. */
  readonly over: boolean;
}

export function licenseUsage(mau: number, limit: number): LicenseUsage {
  return { limit, percent: (mau / limit) * 100, over: mau > limit };
}

export interface SeriesRow {
  readonly month: Month;
  /** Against the licensed limit, when one is configured and the month has data. */
  readonly usage?: LicenseUsage;
  /** Absent when the server has no data for the month: "no data", never zero. */
  readonly stats?: MonthStats;
  /**
   * Against the calendar month before; absent when either month has no data in the result, and
   * for the month in progress (part of a month against a whole one is not a change).
   */
  readonly change?: Change;
  /** The month in progress: its figures are "so far". */
  readonly inProgress?: true;
}

export interface MonthPeak {
  readonly month: Month;
  readonly mau: number;
}

export interface SeriesSummary {
  /** Every month asked for, once each, in calendar order; months without data included. */
  readonly rows: readonly SeriesRow[];
  /** Mean MAU over the months WITH data only; undefined when no month has data. */
  readonly average?: number;
  /** Highest MAU; on a tie, the earliest month that reached it. */
  readonly maximum?: MonthPeak;
  /** How many rows have data: the denominator of `average`. */
  readonly withData: number;
  /** The licensed limit, when configured; rows then carry their usage. */
  readonly limit?: number;
  /** Months over the limit, in calendar order (empty when none or no limit). */
  readonly overLimit?: readonly Month[];
}

/**
 * Change from `previous` to `current`; undefined when either side has no data, because a
 * missing month is unknown, not zero.
 */
/** The stats of one month out of a result, if the server had any. */
export function statsOf(result: SeriesInput, m: Month): MonthStats | undefined {
  return result.months.find((s) => sameMonth(s.month, m));
}

export function monthChange(
  current: MonthStats | undefined,
  previous: MonthStats | undefined,
): Change | undefined {
  if (!current || !previous) return undefined;
  return mauChange(current.mau, previous.mau);
}

/** One MAU figure against an earlier one. */
export function mauChange(current: number, previous: number): Change {
  const absolute = current - previous;
  return {
    absolute,
    percent: previous === 0 ? undefined : (absolute / previous) * 100,
    direction: absolute > 0 ? "up" : absolute < 0 ? "down" : "flat",
  };
}

/**
 * The calendar month before `m`. Plain arithmetic without the MIN_YEAR check of `addMonths`: it
 * only serves as a lookup key or a label, and January 2000 must not throw.
 */
export function previousMonth(m: Month): Month {
  return m.month === 1 ? { year: m.year - 1, month: 12 } : { year: m.year, month: m.month - 1 };
}

/** The calendar month after `m`; see `previousMonth`. */
export function nextMonth(m: Month): Month {
  return m.month === 12 ? { year: m.year + 1, month: 1 } : { year: m.year, month: m.month + 1 };
}

/** Months asked for, deduplicated and in calendar order, whatever order the caller built. */
function calendarOrder(months: readonly Month[]): Month[] {
  const unique = new Map<MonthKey, Month>();
  for (const m of months) unique.set(monthKey(m), m);
  return [...unique.values()].sort(compareMonths);
}

function statsByKey(result: SeriesInput): ReadonlyMap<MonthKey, MonthStats> {
  const byKey = new Map<MonthKey, MonthStats>();
  for (const s of result.months) {
    const key = monthKey(s.month);
    // The stat client never repeats a month; if it ever did, the first figure wins deterministically.
    if (!byKey.has(key)) byKey.set(key, s);
  }
  return byKey;
}

/**
 * One row per month asked. A month is "with data" only when the result holds its figures; a
 * month in neither `result.months` nor `result.noData` is treated as no data too. Figures the
 * result holds for months not asked are only used as the "previous month" of the first row.
 */
export function seriesSummary(
  months: readonly Month[],
  result: SeriesInput,
  inProgress?: Month,
  limit?: number,
): SeriesSummary {
  const byKey = statsByKey(result);
  const rows: SeriesRow[] = [];
  let sum = 0;
  let withData = 0;
  let maximum: MonthPeak | undefined;
  for (const m of calendarOrder(months)) {
    const stats = byKey.get(monthKey(m));
    const partial = inProgress !== undefined && sameMonth(m, inProgress);
    const change = partial ? undefined : monthChange(stats, byKey.get(monthKey(previousMonth(m))));
    rows.push({
      month: m,
      ...(stats ? { stats } : {}),
      ...(stats && limit !== undefined ? { usage: licenseUsage(stats.mau, limit) } : {}),
      ...(change ? { change } : {}),
      ...(partial ? { inProgress: true as const } : {}),
    });
    if (stats) {
      sum += stats.mau;
      withData++;
      if (!maximum || stats.mau > maximum.mau) maximum = { month: m, mau: stats.mau };
    }
  }
  return {
    rows,
    ...(withData > 0 ? { average: sum / withData } : {}),
    ...(maximum ? { maximum } : {}),
    withData,
    ...(limit !== undefined
      ? { limit, overLimit: rows.filter((r) => r.usage?.over).map((r) => r.month) }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

export interface KindCount {
  readonly kind: string;
  readonly count: number;
}

export interface GrantTypeTotal {
  readonly grantType: string;
  /** All token kinds of this grant type. */
  readonly total: number;
  /** Every kind the model holds for this grant type, in `kindOrder`. */
  readonly kinds: readonly KindCount[];
}

export interface TokenTotals {
  /** Largest total first; ties by name, so the order never depends on the server's hash map. */
  readonly grantTypes: readonly GrantTypeTotal[];
  /** Per kind across all grant types: the four standard kinds first, then others by total. */
  readonly kinds: readonly KindCount[];
  readonly total: number;
}

const STANDARD_KIND_ORDER: ReadonlyMap<string, number> = new Map(STANDARD_TOKEN_KINDS.map((k, i) => [k, i]));

function byKindOrder(totals: ReadonlyMap<string, number>): (a: string, b: string) => number {
  return (a, b) => {
    const sa = STANDARD_KIND_ORDER.get(a);
    const sb = STANDARD_KIND_ORDER.get(b);
    if (sa !== undefined && sb !== undefined) return sa - sb;
    if (sa !== undefined) return -1;
    if (sb !== undefined) return 1;
    return (totals.get(b) ?? 0) - (totals.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0);
  };
}

/**
 * Totals per grant type, per token kind and overall. Arrays of pairs rather than records keyed
 * by server strings: a grant type named `__proto__` must stay a row, not become a prototype.
 */
export function tokenTotals(stats: MonthStats): TokenTotals {
  const kindTotals = new Map<string, number>(STANDARD_TOKEN_KINDS.map((k) => [k, 0]));
  const perGrantType: Array<{ grantType: string; total: number; counts: Array<[string, number]> }> = [];
  let total = 0;
  for (const [grantType, counts] of Object.entries(stats.tokens)) {
    let gtTotal = 0;
    const pairs = Object.entries(counts);
    for (const [kind, count] of pairs) {
      gtTotal += count;
      kindTotals.set(kind, (kindTotals.get(kind) ?? 0) + count);
    }
    total += gtTotal;
    perGrantType.push({ grantType, total: gtTotal, counts: pairs });
  }
  const order = byKindOrder(kindTotals);
  const grantTypes = perGrantType
    .map(({ grantType, total: t, counts }) => ({
      grantType,
      total: t,
      kinds: counts.sort(([a], [b]) => order(a, b)).map(([kind, count]) => ({ kind, count })),
    }))
    .sort(
      (a, b) => b.total - a.total || (a.grantType < b.grantType ? -1 : a.grantType > b.grantType ? 1 : 0),
    );
  const kinds = [...kindTotals.keys()]
    .sort(order)
    .map((kind) => ({ kind, count: kindTotals.get(kind) ?? 0 }));
  return { grantTypes, kinds, total };
}

// ---------------------------------------------------------------------------------------------
// The billing export
// ---------------------------------------------------------------------------------------------

/** The constant Gluu's exporter starts its sum from (`int totalMau = 42;`). */
const SIGNATURE_SEED = 42;

/**
 * Gluu's `mau-signature`: lower-case hex SHA-256 of the decimal string of 42 + the sum of the
 * MAU values. It must match the official exporter (oxAuth `stat-exporter`) bit for bit, and that
 * one sums in a Java `int` after `JsonNode.asInt()`: each value and the running total wrap at
 * 32 bits. `| 0` is the same two's-complement wrap, so for integer MAU up to 2^53 the string is
 * the one Java prints; for any realistic total (below 2^31) it is plainly 42 + sum.
 */
export function mauSignature(maus: readonly number[]): string {
  let total = SIGNATURE_SEED;
  for (const mau of maus) total = (total + (mau | 0)) | 0;
  return createHash("sha256").update(String(total)).digest("hex");
}

export interface BillingExportRow {
  readonly month: Month;
  /** Undefined when the server has no data for the month. */
  readonly mau: number | undefined;
}

export interface BillingExport {
  /** Every month asked for, in calendar order. */
  readonly rows: readonly BillingExportRow[];
  /** Over months with data only, as in `seriesSummary`. */
  readonly average: number | undefined;
  readonly maximum: MonthPeak | undefined;
  readonly signature: string;
  /** Months without data: not printed by the exporter, so not part of the signature. */
  readonly missing: readonly Month[];
}

/**
 * The billing export of `months` (the 12 the export covers). Months without data enter the
 * signature the way the official exporter treats them: the server omits them, the exporter
 * prints only the months it received and sums exactly the values it printed, so a missing month
 * adds nothing. Our signature therefore equals the one the exporter would print for the same
 * server answer; `missing` lists those months so that nobody reads them as zero.
 */
export function billingExport(months: readonly Month[], result: SeriesInput): BillingExport {
  const summary = seriesSummary(months, result);
  const rows = summary.rows.map((r) => ({ month: r.month, mau: r.stats?.mau }));
  const printed = rows.flatMap((r) => (r.mau === undefined ? [] : [r.mau]));
  return {
    rows,
    average: summary.average,
    maximum: summary.maximum,
    signature: mauSignature(printed),
    missing: rows.filter((r) => r.mau === undefined).map((r) => r.month),
  };
}
