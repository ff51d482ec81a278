/**
 * Which months a stat request brings besides those asked for. On Gluu 4.x every request may
 * cost the caller a minute, and the server accepts any number of months in one request, so a
 * request also asks for what the next questions are likely to need: the months around the
 * ones asked (previous/next buttons, a month a year earlier) and the last two years (trend,
 * export, the monthly post). Pure: the stat service drops what it has cached.
 */
import { fromIndex, MIN_YEAR, type Month, monthIndex } from "../months.js";

/** Months on either side of each month asked for. */
export const NEIGHBOURS = 12;
/** Months up to and including the current one. */
export const RECENT_MONTHS = 24;
/**
 * Months per request at most when prefetching: a question of up to 12 months (a month, the
 * trend, the export) with 12 on either side and the last 24 months. A longer question gets the
 * nearest of its neighbourhood that fit (the monthly post's 13 months lose the oldest recent
 * month), and one of 60 months or more gets none.
 */
export const MAX_MONTHS_PER_REQUEST = 60;

const FIRST_INDEX = monthIndex({ year: MIN_YEAR, month: 1 });

/**
 * The months of the neighbourhood of `asked` that are not asked themselves, nearest first: the
 * 12 on either side of each asked month by distance, then the rest of the 24 months up to
 * `current`, newest first. Never before January MIN_YEAR or after `current` (the server has
 * nothing there), and at most `limit` of them.
 */
export function neighbourhood(
  asked: readonly Month[],
  current: Month,
  limit = Number.POSITIVE_INFINITY,
): Month[] {
  const last = monthIndex(current);
  const askedIndexes = new Set(asked.map(monthIndex));
  const rank = new Map<number, number>();
  const consider = (index: number, r: number): void => {
    if (index < FIRST_INDEX || index > last || askedIndexes.has(index)) return;
    const prev = rank.get(index);
    if (prev === undefined || r < prev) rank.set(index, r);
  };
  for (const a of askedIndexes) {
    for (let d = 1; d <= NEIGHBOURS; d++) {
      consider(a - d, d);
      consider(a + d, d);
    }
  }
  for (let back = 0; back < RECENT_MONTHS; back++) consider(last - back, NEIGHBOURS + 1 + back);
  return [...rank]
    .sort(([ia, ra], [ib, rb]) => ra - rb || ib - ia)
    .slice(0, Math.max(0, limit))
    .map(([index]) => fromIndex(index));
}
