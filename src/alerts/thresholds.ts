/**
 * Which licence thresholds a month has reached: the pure core of the alerts. Thresholds are per
 * month (a new month starts below all of them), so what a check must post is every threshold the
 * month has reached; the once-only record (one key per month and threshold) drops those already
 * posted.
 */
import type { MonthStats } from "../gluu/model.js";
import type { Month, MonthProgress } from "../months.js";
import { licenseUsage } from "../report/summary.js";
import type { LicenseAlertView } from "../report/view.js";

/** Thresholds reached by `mau` against `limit`, lowest first; integer arithmetic, no rounding. */
export function reachedThresholds(mau: number, limit: number, thresholds: readonly number[]): number[] {
  return [...new Set(thresholds)].filter((t) => mau * 100 >= t * limit).sort((a, b) => a - b);
}

export interface AlertFacts {
  readonly month: Month;
  readonly threshold: number;
  readonly stats: MonthStats;
  readonly limit: number;
  readonly progress: MonthProgress;
  /** The previous month's final figures, for scale; absent when the server had none. */
  readonly previous?: MonthStats;
  readonly host: string;
  readonly fetchedAt: number;
  readonly timeZone: string;
}

export function licenseAlertView(f: AlertFacts): LicenseAlertView {
  return {
    kind: "license-alert",
    month: f.month,
    threshold: f.threshold,
    mau: f.stats.mau,
    usage: licenseUsage(f.stats.mau, f.limit),
    progress: f.progress,
    ...(f.previous ? { previous: f.previous } : {}),
    host: f.host,
    fetchedAt: f.fetchedAt,
    timeZone: f.timeZone,
    licensedMau: f.limit,
  };
}
