/**
 * From a parsed query to the data a reply shows: which months to ask for, one call to the stat
 * service, and the summaries. Shared by the Slack command, its buttons, the CLI and the monthly
 * post, so every surface shows the same figures for the same question.
 */
import type { StatResult } from "../gluu/model.js";
import type { StatService } from "../gluu/stat-service.js";
import { type Month, monthLabel, monthRange, sameMonth, shortMonthLabel, tryAddMonths } from "../months.js";
import type { Query } from "../query/types.js";
import { type BillingExport, billingExport } from "../report/summary.js";

export type StatsQuery = Extract<Query, { kind: "month" | "range" | "trend" | "export" }>;

export type Answer =
  | {
      readonly kind: "month";
      readonly month: Month;
      readonly current: boolean;
      readonly result: StatResult;
    }
  | {
      readonly kind: "series";
      readonly title: string;
      readonly months: readonly Month[];
      readonly result: StatResult;
    }
  | { readonly kind: "export"; readonly export: BillingExport; readonly result: StatResult };

export function isStatsQuery(q: Query): q is StatsQuery {
  return q.kind === "month" || q.kind === "range" || q.kind === "trend" || q.kind === "export";
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

export function seriesTitle(q: Extract<StatsQuery, { kind: "range" | "trend" }>): string {
  const span = `${shortMonthLabel(q.from)} – ${shortMonthLabel(q.to)}`;
  if (q.kind === "trend") return `12-month trend: ${span}`;
  if (q.from.month === 1 && q.to.month === 12 && q.from.year === q.to.year) return `${q.from.year}`;
  return sameMonth(q.from, q.to) ? monthLabel(q.from) : span;
}

export async function answer(q: StatsQuery, stats: Pick<StatService, "get">): Promise<Answer> {
  const result = await stats.get(monthsFor(q));
  switch (q.kind) {
    case "month":
      return { kind: "month", month: q.month, current: q.current, result };
    case "range":
    case "trend":
      return { kind: "series", title: seriesTitle(q), months: monthRange(q.from, q.to), result };
    case "export":
      return { kind: "export", export: billingExport(monthRange(q.from, q.to), result), result };
  }
}
