/**
 * From a parsed query to the data it needs: which months to ask for, and one call to the stat
 * service. The stat service merges simultaneous calls and caches closed months, so this stays a
 * plain function.
 */
import type { StatResult } from "../gluu/model.js";
import type { StatService } from "../gluu/stat-service.js";
import {
  type Month,
  monthLabel,
  monthRange,
  monthsBack,
  sameMonth,
  shortMonthLabel,
  tryAddMonths,
} from "../months.js";
import type { ParsedCommand, Query } from "../query/types.js";
import type { SeriesKind } from "../report/view.js";

export type StatsQuery = Extract<Query, { kind: "month" | "range" | "trend" | "export" }>;
export type StatsCommand = ParsedCommand & { readonly query: StatsQuery };

export type Answer =
  | {
      readonly kind: "month";
      readonly month: Month;
      readonly current: boolean;
      readonly result: StatResult;
    }
  | {
      readonly kind: "series";
      readonly series: SeriesKind;
      readonly title: string;
      readonly from: Month;
      readonly to: Month;
      readonly result: StatResult;
    }
  | { readonly kind: "export"; readonly from: Month; readonly to: Month; readonly result: StatResult };

export function isStatsQuery(q: Query): q is StatsQuery {
  return q.kind === "month" || q.kind === "range" || q.kind === "trend" || q.kind === "export";
}

export function isStatsCommand(c: ParsedCommand): c is StatsCommand {
  return isStatsQuery(c.query);
}

/** The months a query needs from the server (a month also needs the one before, for its change). */
export function monthsFor(q: StatsQuery): Month[] {
  switch (q.kind) {
    case "month": {
      // January 2000 has no month before it that the bot could ask for.
      const previous = tryAddMonths(q.month, -1);
      return previous ? [previous, q.month] : [q.month];
    }
    case "range":
    case "trend":
    case "export":
      return monthRange(q.from, q.to);
  }
}

/** A range that is exactly one calendar year is shown as that year. */
export function seriesKind(q: Extract<StatsQuery, { kind: "range" | "trend" }>): SeriesKind {
  if (q.kind === "trend") return "trend";
  return q.from.month === 1 && q.to.month === 12 && q.from.year === q.to.year ? "year" : "range";
}

export function seriesTitle(q: Extract<StatsQuery, { kind: "range" | "trend" }>): string {
  const span = `${shortMonthLabel(q.from)} – ${shortMonthLabel(q.to)}`;
  switch (seriesKind(q)) {
    case "trend":
      return `12-month trend: ${span}`;
    case "year":
      return `${q.from.year}`;
    case "range":
      return sameMonth(q.from, q.to) ? monthLabel(q.from) : span;
  }
}

export async function answer(q: StatsQuery, stats: Pick<StatService, "get">): Promise<Answer> {
  return answerFrom(q, await stats.get(monthsFor(q)));
}

/** The answer to a query from figures already at hand (which must hold `monthsFor(q)`). */
export function answerFrom(q: StatsQuery, result: StatResult): Answer {
  switch (q.kind) {
    case "month":
      return { kind: "month", month: q.month, current: q.current, result };
    case "range":
    case "trend":
      return { kind: "series", series: seriesKind(q), title: seriesTitle(q), from: q.from, to: q.to, result };
    case "export":
      return { kind: "export", from: q.from, to: q.to, result };
  }
}

/** The months a monthly summary shows: the month, the 11 before it, and the month a year earlier. */
export function summaryMonths(month: Month): Month[] {
  return monthRange(monthsBack(month, 12), month);
}

/** The figures of a monthly summary, in one stat request. */
export function fetchSummary(month: Month, stats: Pick<StatService, "get">): Promise<StatResult> {
  return stats.get(summaryMonths(month));
}
