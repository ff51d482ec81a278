/**
 * Answer → view: everything a reply shows, decided once for every output (Slack, terminal,
 * files). Pure functions of the answer, the clock's month and the source.
 */

import type { Crossing } from "../curve/crossings.js";
import type { Pace } from "../curve/pace.js";
import type { StatResult } from "../gluu/model.js";
import {
  type Month,
  type MonthProgress,
  monthRange,
  monthsBack,
  sameMonth,
  tryAddMonths,
} from "../months.js";
import {
  billingExport,
  licenseUsage,
  monthChange,
  type SeriesInput,
  seriesSummary,
  statsOf,
  tokenTotals,
} from "../report/summary.js";
import type {
  CommandButton,
  ExportView,
  MonthButtons,
  MonthlySummaryView,
  MonthView,
  SeriesKind,
  SeriesView,
  Source,
  View,
} from "../report/view.js";
import { monthButtons, shareButton } from "./buttons.js";
import type { Answer, StatsCommand } from "./fetch.js";

export interface MonthViewInput {
  readonly month: Month;
  readonly current: boolean;
  /** With `current`: how far the month is. */
  readonly progress?: MonthProgress;
  /** With `current`: last month at this point. */
  readonly pace?: Pace;
  /** Should hold the month and the one before it. */
  readonly result: SeriesInput;
  readonly buttons?: MonthButtons;
}

export function monthView(input: MonthViewInput, source: Source): MonthView {
  const { month, result } = input;
  const stats = statsOf(result, month);
  const before = tryAddMonths(month, -1);
  const previous = before && statsOf(result, before);
  // Part of a month against a whole one is not a change: the previous month is shown for scale.
  const change = input.current ? undefined : monthChange(stats, previous);
  return {
    kind: "month",
    ...source,
    month,
    current: input.current,
    ...(input.current && input.progress ? { progress: input.progress } : {}),
    ...(input.current && input.pace ? { pace: input.pace } : {}),
    ...(stats ? { stats, tokens: tokenTotals(stats) } : {}),
    ...(stats && source.licensedMau !== undefined
      ? { usage: licenseUsage(stats.mau, source.licensedMau) }
      : {}),
    ...(previous ? { previous } : {}),
    ...(change ? { change } : {}),
    summary: seriesSummary([month], result, input.current ? month : undefined, source.licensedMau),
    ...(input.buttons ? { buttons: input.buttons } : {}),
  };
}

export interface SeriesViewInput {
  readonly series: SeriesKind;
  readonly title: string;
  readonly months: readonly Month[];
  readonly result: SeriesInput;
  readonly share?: CommandButton;
  /** The month in progress, if the series reaches it: its row is "so far", without a change. */
  readonly inProgress?: Month;
}

export function seriesView(input: SeriesViewInput, source: Source): SeriesView {
  return {
    kind: "series",
    ...source,
    series: input.series,
    title: input.title,
    summary: seriesSummary(input.months, input.result, input.inProgress, source.licensedMau),
    ...(input.share ? { share: input.share } : {}),
  };
}

export function exportView(
  input: { readonly months: readonly Month[]; readonly result: SeriesInput; readonly share?: CommandButton },
  source: Source,
): ExportView {
  return {
    kind: "export",
    ...source,
    export: billingExport(input.months, input.result),
    summary: seriesSummary(input.months, input.result, undefined, source.licensedMau),
    ...(input.share ? { share: input.share } : {}),
  };
}

export interface ViewContext {
  readonly host: string;
  readonly timeZone: string;
  /** The month in progress, which decides the next-month button. */
  readonly currentMonth: Month;
  /** How far the month in progress is. */
  readonly progress: MonthProgress;
  /** GLUU_MAU_LIMIT, when configured. */
  readonly licensedMau?: number;
  /** Last month at this point (for the month in progress), when a sample of it is kept. */
  readonly pace?: Pace;
}

/** The view of an answer; a shared (public) answer has no buttons. */
export function viewOf(a: Answer, command: StatsCommand, ctx: ViewContext): View {
  const source: Source = {
    host: ctx.host,
    fetchedAt: a.result.fetchedAt,
    timeZone: ctx.timeZone,
    ...(ctx.licensedMau !== undefined ? { licensedMau: ctx.licensedMau } : {}),
  };
  const interactive = !command.public;
  switch (a.kind) {
    case "month": {
      // A button written last month names this month without "current": the clock decides.
      const current = a.current || sameMonth(a.month, ctx.currentMonth);
      return monthView(
        {
          month: a.month,
          current,
          progress: ctx.progress,
          ...(ctx.pace ? { pace: ctx.pace } : {}),
          result: a.result,
          ...(interactive ? { buttons: monthButtons(a.month, ctx.currentMonth, command.server) } : {}),
        },
        source,
      );
    }
    case "series":
      return seriesView(
        {
          series: a.series,
          title: a.title,
          months: monthRange(a.from, a.to),
          result: a.result,
          inProgress: ctx.currentMonth,
          ...(interactive ? { share: shareButton(command.query, command.server) } : {}),
        },
        source,
      );
    case "export":
      return exportView(
        {
          months: monthRange(a.from, a.to),
          result: a.result,
          ...(interactive ? { share: shareButton(command.query, command.server) } : {}),
        },
        source,
      );
  }
}

export interface SummaryInput {
  readonly month: Month;
  /** The months of `summaryMonths(month)`: the month, the 11 before it, the month a year earlier. */
  readonly result: StatResult;
  readonly host: string;
  readonly timeZone: string;
  readonly licensedMau?: number;
  /** When the month crossed each licence threshold, from its samples. */
  readonly crossings?: readonly Crossing[];
}

/** The monthly summary post of a closed month. */
export function monthlySummaryView(input: SummaryInput): MonthlySummaryView {
  const { month, result } = input;
  const source: Source = {
    host: input.host,
    fetchedAt: result.fetchedAt,
    timeZone: input.timeZone,
    ...(input.licensedMau !== undefined ? { licensedMau: input.licensedMau } : {}),
  };
  // Only a label and a lookup, never fetched: it may lie before the first supported month.
  const lastYear: Month = { year: month.year - 1, month: month.month };
  const trendMonths = monthRange(monthsBack(month, 11), month);
  const yearOverYear = monthChange(statsOf(result, month), statsOf(result, lastYear));
  return {
    ...source,
    month,
    detail: monthView({ month, current: false, result }, source),
    lastYear,
    ...(yearOverYear ? { yearOverYear } : {}),
    trend: seriesView({ series: "trend", title: "Last 12 months", months: trendMonths, result }, source),
    export: billingExport(trendMonths, result),
    ...(input.crossings && input.crossings.length > 0 ? { crossings: input.crossings } : {}),
  };
}
