/**
 * When a month crossed each licence threshold, read off its samples: the first sample at or
 * above it. A month whose first sample was already above a threshold (the bot started late)
 * crossed it by then, not then, and says so.
 */
import type { Crossing } from "../report/view.js";
import type { Sample } from "../state/samples.js";

export type { Crossing } from "../report/view.js";

export function crossings(
  samples: readonly Sample[],
  limit: number,
  thresholds: readonly number[],
): Crossing[] {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  return [...new Set(thresholds)]
    .sort((a, b) => a - b)
    .flatMap((threshold) => {
      const i = sorted.findIndex((s) => s.mau * 100 >= threshold * limit);
      const s = sorted[i];
      return s ? [{ threshold, at: s.at, mau: s.mau, byThen: i === 0 }] : [];
    });
}
