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
import type { SeriesRow } from "../summary.js";
import type { SeriesView } from "../view.js";
import { ACTION_IDS } from "./action-ids.js";
import { SLACK_LIMITS } from "./limits.js";
import {
  actions,
  button,
  codeSections,
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

type KnownBlock = slack.KnownBlock;

const SLACK_BAR_WIDTH = 12;

/** `▇▇▇▇▁▁`: MAU against the series maximum; `▁` keeps the bar's full width visible. */
export function slackBar(mau: number, max: number, width = SLACK_BAR_WIDTH): string {
  const full = barCells(mau, max, width);
  return "▇".repeat(full) + "▁".repeat(width - full);
}

function seriesTable(rows: readonly SeriesRow[], max: number | undefined): string[] {
  const cells = rows.map((r) => ({
    month: shortMonthLabel(r.month),
    mau: r.stats ? formatCount(r.stats.mau) : "no data",
    change: r.inProgress && r.stats ? "so far" : formatShortChange(r.change),
    bar: r.stats ? slackBar(r.stats.mau, max ?? 0) : "",
    // Licensed usage, when a limit is configured: "81 %", "⚠ 112 %" over it.
    usage: r.usage ? `${r.usage.over ? "⚠ " : ""}${formatUsagePercent(r.usage)}` : "",
  }));
  const licensed = rows.some((r) => r.usage);
  const mw = Math.max(5, ...cells.map((c) => c.month.length));
  const nw = Math.max(3, ...cells.map((c) => c.mau.length));
  const cw = Math.max(6, ...cells.map((c) => c.change.length));
  const uw = Math.max(7, ...cells.map((c) => c.usage.length));
  const usageHead = licensed ? `  ${"Licence".padStart(uw)}` : "";
  const head = `${"Month".padEnd(mw)}  ${"MAU".padStart(nw)}${usageHead}  ${"Change".padEnd(cw)}`.trimEnd();
  return [
    head,
    ...cells.map((c) =>
      `${c.month.padEnd(mw)}  ${c.mau.padStart(nw)}${licensed ? `  ${c.usage.padStart(uw)}` : ""}  ${c.change.padEnd(cw)}  ${c.bar}`.trimEnd(),
    ),
  ];
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

/** The table and the average/maximum/no-data fields, without header, source or buttons. */
export function seriesBody(view: SeriesView, maxRows: number): KnownBlock[] {
  const { summary } = view;
  const blocks: KnownBlock[] = [];
  const shown = summary.rows.slice(Math.max(0, summary.rows.length - maxRows));
  const hidden = summary.rows.length - shown.length;
  if (shown.length === 0) blocks.push(section("No months were asked for."));
  else blocks.push(...codeSections(seriesTable(shown, summary.maximum?.mau)));
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
  const blocks: KnownBlock[] = [
    header(title),
    ...seriesBody(view, maxRows),
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
  return { text: fallback(`${title}: ${stats}${gaps}${licensedClause(summary)}.`), blocks };
}

/** Rebuilt with fewer rows (the latest kept) until it fits Slack's limits. */
export function renderSeriesMessage(view: SeriesView): SlackMessage {
  return firstWithinLimits([36, 24, 12, 6].map((rows) => () => buildSeriesMessage(view, rows)));
}
