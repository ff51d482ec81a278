/** A range, a year or the 12-month trend as a Slack message: a row per month, average, maximum. */
import type { types as slack } from "@slack/bolt";
import { monthLabel, shortMonthLabel } from "../../months.js";
import {
  barCells,
  cleanText,
  formatCount,
  formatShortChange,
  formatUsagePercent,
  truncateUnits,
} from "../format.js";
import type { LicenseUsage, SeriesRow } from "../summary.js";
import type { SeriesView } from "../view.js";
import { ACTION_IDS } from "./action-ids.js";
import {
  chartLabel,
  type DataVisualizationBlock,
  lineChart,
  type MessageBlock,
  NEWER_BLOCK_LIMITS,
  numberCell,
  type TableCell,
  tableBlock,
  textCell,
} from "./blocks.js";
import { tableLines } from "./classic.js";
import { SLACK_LIMITS } from "./limits.js";
import {
  actions,
  button,
  codeSections,
  context,
  fallback,
  fieldSections,
  firstWithinLimits,
  HLL_NOTE,
  header,
  monthList,
  plural,
  type SlackMessage,
  section,
  sourceContext,
  TITLE_FALLBACK,
} from "./primitives.js";

const SLACK_BAR_WIDTH = 12;

/** `▇▇▇▇▁▁`: MAU against the series maximum; `▁` keeps the bar's full width visible. */
export function slackBar(mau: number, max: number, width = SLACK_BAR_WIDTH): string {
  const full = barCells(mau, max, width);
  return "▇".repeat(full) + "▁".repeat(width - full);
}

/** The month list as a table block: month, MAU, licence share, change; numbers right-aligned. */
/** A licence cell: the whole percent as its number, and a warning sign over the limit. */
export function usageCell(usage: LicenseUsage): TableCell {
  return numberCell(Math.floor(usage.percent), `${usage.over ? "⚠ " : ""}${formatUsagePercent(usage)}`);
}

export function seriesTableBlock(rows: readonly SeriesRow[]): slack.TableBlock {
  const licensed = rows.some((r) => r.usage);
  const head = ["Month", "MAU", ...(licensed ? ["Licence"] : []), "Change"];
  const body = rows.map((r) => [
    textCell(shortMonthLabel(r.month)),
    r.stats ? numberCell(r.stats.mau, formatCount(r.stats.mau)) : textCell("no data"),
    ...(licensed ? [r.usage ? usageCell(r.usage) : textCell("–")] : []),
    textCell(r.inProgress && r.stats ? "so far" : formatShortChange(r.change) || "–"),
  ]);
  return tableBlock(head, body, ["left", "right", ...(licensed ? (["right"] as const) : []), "right"]);
}

/**
 * The last months a chart has room for, and the MAU points among them: only months with
 * figures, and a figure too large to be a number in JSON has no point either (formatCount
 * shows it in text).
 */
function mauPoints(rows: readonly SeriesRow[]): {
  readonly months: readonly SeriesRow[];
  readonly points: { label: string; value: number }[];
} {
  const months = rows.slice(-NEWER_BLOCK_LIMITS.chartCategories);
  const points = months
    .filter((r) => r.stats && Number.isFinite(r.stats.mau))
    .map((r) => ({ label: shortMonthLabel(r.month), value: r.stats?.mau ?? 0 }));
  return { months, points };
}

/**
 * MAU per month as a line chart, with the average and the licensed limit as flat lines. Months
 * without data have no point (a gap, not a zero). Past the chart's category limit the latest
 * months are charted; the caller says so.
 */
export function seriesChart(
  title: string,
  summary: SeriesView["summary"],
): DataVisualizationBlock | undefined {
  const { months, points } = mauPoints(summary.rows);
  if (points.length === 0) return undefined;
  const categories = months.map((r) => shortMonthLabel(r.month));
  const flat = (name: string, value: number) => ({
    name,
    data: categories.map((label) => ({ label, value: Math.round(value) })),
  });
  const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(Math.round(v));
  const series = [
    { name: "MAU", data: points },
    ...(finite(summary.average) ? [flat("Average", summary.average)] : []),
    ...(finite(summary.limit) ? [flat("Licensed limit", summary.limit)] : []),
  ];
  return lineChart(title, categories, series, { y: "Monthly active users" });
}

/** "Nov 2025 58,851; Dec 2025 no data; …": the month list in words, for the `text` field. */
export function seriesFigures(rows: readonly SeriesRow[]): string {
  return rows
    .map((r) => `${shortMonthLabel(r.month)} ${r.stats ? formatCount(r.stats.mau) : "no data"}`)
    .join("; ");
}

/** "; licensed 10,000 MAU, over it in 2 months" for a fallback text; "" without a limit. */
export function licensedClause(summary: SeriesView["summary"]): string {
  if (summary.limit === undefined) return "";
  const over = summary.overLimit ?? [];
  return `; licensed ${formatCount(summary.limit)} MAU${over.length > 0 ? `, over it in ${plural(over.length, "month")}` : ""}`;
}

/** "Licensed: 10,000 MAU; over it in Oct 2026 and Nov 2026", or undefined without a limit. */
export function limitLine(summary: SeriesView["summary"]): string | undefined {
  if (summary.limit === undefined) return undefined;
  const over = summary.overLimit ?? [];
  return over.length === 0
    ? `${formatCount(summary.limit)} MAU; no month over it`
    : `${formatCount(summary.limit)} MAU; :warning: over it in ${monthList(over)}`;
}

export interface SeriesBodyOptions {
  /** Rows past this are left out, the latest kept (the table block holds at most 99). */
  readonly maxRows: number;
  /** The native chart (with its title); absent: no chart. */
  readonly chartTitle?: string;
  /** The month list as a table block; false: as a monospace table (where tables cannot go). */
  readonly table?: boolean;
}

/** The chart, the month table and the average/maximum/no-data fields, without header, source or buttons. */
export function seriesBody(view: SeriesView, options: SeriesBodyOptions): MessageBlock[] {
  const { summary } = view;
  const blocks: MessageBlock[] = [];
  const maxRows = Math.min(options.maxRows, NEWER_BLOCK_LIMITS.tableRows - 1);
  const shown = summary.rows.slice(Math.max(0, summary.rows.length - maxRows));
  const hidden = summary.rows.length - shown.length;
  const chart = options.chartTitle === undefined ? undefined : seriesChart(options.chartTitle, summary);
  if (chart) {
    blocks.push(chart);
    const charted = chart.chart.axis_config.categories.length;
    if (charted < summary.rows.length)
      blocks.push(
        context([
          `The chart shows the last ${plural(charted, "month")} of ${formatCount(summary.rows.length)}.`,
        ]),
      );
  }
  if (shown.length === 0) blocks.push(section("No months were asked for."));
  else if (options.table === false) blocks.push(...codeSections(tableLines(seriesTableBlock(shown))));
  else blocks.push(seriesTableBlock(shown));
  if (hidden > 0) {
    blocks.push(
      section(`_${plural(hidden, "earlier month")} not shown here; the CLI and CSV export list them all._`),
    );
  }

  const missing = summary.rows.filter((r) => !r.stats).map((r) => r.month);
  const fields: string[] = [];
  if (summary.average !== undefined && summary.maximum) {
    fields.push(
      `*Average*\n${formatCount(summary.average)}\n_over the ${plural(summary.withData, "month")} with data_`,
      `*Maximum*\n${formatCount(summary.maximum.mau)} in ${monthLabel(summary.maximum.month)}`,
    );
  }
  if (missing.length > 0) fields.push(`*No data*\n${monthList(missing)}`);
  const limit = limitLine(summary);
  if (limit) fields.push(`*Licensed*\n${limit}`);
  if (fields.length > 0) blocks.push(...fieldSections(fields));
  else if (summary.rows.length > 0) blocks.push(section("*No data* for any month in this range."));
  return blocks;
}

function buildSeriesMessage(view: SeriesView, maxRows: number): SlackMessage {
  const { summary } = view;
  const title = truncateUnits(cleanText(view.title), SLACK_LIMITS.headerText) || TITLE_FALLBACK;
  const blocks: MessageBlock[] = [
    header(title),
    ...seriesBody(view, { maxRows, chartTitle: title }),
    sourceContext(
      view.host,
      view.fetchedAt,
      view.timeZone,
      `${HLL_NOTE}; the average counts months with data only.`,
    ),
    ...actions(button("Share in channel", ACTION_IDS.share, view.share?.value, true)),
  ];

  const missing = summary.rows.length - summary.withData;
  const stats =
    summary.average !== undefined && summary.maximum
      ? `average ${formatCount(summary.average)} MAU over ${plural(summary.withData, "month")} with data, maximum ${formatCount(summary.maximum.mau)} in ${monthLabel(summary.maximum.month)}`
      : "no data";
  const gaps = missing > 0 && summary.withData > 0 ? `; no data for ${plural(missing, "month")}` : "";
  // The month figures stay in text too: notifications, search and screen readers read it.
  const figures = summary.rows.length > 0 ? ` ${seriesFigures(summary.rows)}.` : "";
  return { text: fallback(`${title}: ${stats}${gaps}${licensedClause(summary)}.${figures}`), blocks };
}

/** Rebuilt with fewer rows (the latest kept) until it fits Slack's limits. */
export function renderSeriesMessage(view: SeriesView): SlackMessage {
  return firstWithinLimits([99, 36, 24, 12, 6].map((rows) => () => buildSeriesMessage(view, rows)));
}

/** One server's line in {@link serversCharts}. */
export interface ServerLine {
  readonly name: string;
  readonly summary: SeriesView["summary"];
}

/**
 * Several servers' MAU per month, a line each: Slack draws at most 2 charts per message (or
 * view) and 6 series per chart, so up to 12 servers, 6 to a chart; `left` says how many more
 * were not charted. Months without data are gaps; a server without any has no line.
 */
export function serversCharts(
  title: string,
  lines: readonly ServerLine[],
): { charts: DataVisualizationBlock[]; left: number } {
  const L = NEWER_BLOCK_LIMITS;
  const drawn = lines
    .map((l) => {
      const { months, points } = mauPoints(l.summary.rows);
      return { name: l.name, points, all: months };
    })
    .filter((l) => l.points.length > 0);
  const room = L.chartsPerMessage * L.chartSeriesMax;
  const shown = drawn.slice(0, room);
  // The categories are the longest span among the lines (servers of one bot share the clock).
  const span = shown.reduce<(typeof shown)[number]["all"]>(
    (a, l) => (l.all.length > a.length ? l.all : a),
    [],
  );
  const categories = span.map((r) => shortMonthLabel(r.month));
  const known = new Set(categories);
  const charts: DataVisualizationBlock[] = [];
  const groups = Math.ceil(shown.length / L.chartSeriesMax);
  for (let g = 0; g < groups; g++) {
    const group = shown.slice(g * L.chartSeriesMax, (g + 1) * L.chartSeriesMax);
    const series = group.map((l) => ({
      name: chartLabel(l.name),
      data: l.points.filter((p) => known.has(p.label)),
    }));
    const part = groups > 1 ? ` (${g + 1}/${groups})` : "";
    charts.push(lineChart(`${title}${part}`, categories, series, { y: "Monthly active users" }));
  }
  return { charts, left: drawn.length - shown.length };
}
