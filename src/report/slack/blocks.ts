/**
 * The newer blocks Slack draws itself: a `table` (typed in `@slack/types`) and a
 * `data_visualization` chart (not typed there yet, so typed here, in one place). Builders keep to
 * the limits {@link NEWER_BLOCK_LIMITS} lists; the limits checker holds every message to them too.
 */
import type { types as slack } from "@slack/bolt";
import { cleanText, truncateUnits } from "../format.js";

type KnownBlock = slack.KnownBlock;
type TableBlock = slack.TableBlock;
type RawTextElement = slack.RawTextElement;
type RawNumberElement = slack.RawNumberElement;

/** One point of a series: `label` is one of the axis categories; a category without a point is a gap. */
export interface ChartPoint {
  readonly label: string;
  readonly value: number;
}

export interface ChartSeries {
  readonly name: string;
  readonly data: readonly ChartPoint[];
}

/**
 * Slack's `data_visualization` block, from its Block Kit reference page ("Data visualization
 * block", docs.slack.dev/reference/block-kit/blocks/data-visualization-block). Only the line
 * chart is modelled: it is the only kind the bot draws.
 */
export interface DataVisualizationBlock {
  readonly type: "data_visualization";
  readonly block_id?: string;
  readonly title: string;
  readonly chart: {
    readonly type: "line";
    readonly series: readonly ChartSeries[];
    readonly axis_config: {
      readonly categories: readonly string[];
      readonly x_label?: string;
      readonly y_label?: string;
    };
  };
}

/** Any block the bot sends in a message. */
export type MessageBlock = KnownBlock | DataVisualizationBlock;

/** Block types some workspaces refuse with `invalid_blocks`: a reply without them must exist. */
export const NEWER_BLOCK_TYPES: ReadonlySet<string> = new Set(["table", "data_visualization"]);

/**
 * The newer blocks' limits, from Slack's reference pages and `@slack/types` 3.2's doc comments:
 * - table: "Maximum 100 rows. Each row object is an array with a max of 20 table cells";
 *   `column_settings` "Maximum 20 items"; one table per message (reference page).
 * - data_visualization: title at most 50 characters, 1 to 6 series, at most 2 charts per message,
 *   axis labels at most 50 characters. Category and series-name limits are the tighter of the
 *   values published for them (20 categories, 20-character labels): a chart Slack refuses costs
 *   the whole reply, a chart with fewer points costs nothing.
 */
export const NEWER_BLOCK_LIMITS = {
  tablesPerMessage: 1,
  tableRows: 100,
  tableCells: 20,
  tableCellText: 3000,
  chartsPerMessage: 2,
  chartTitle: 50,
  chartSeriesMin: 1,
  chartSeriesMax: 6,
  chartCategories: 20,
  chartLabel: 20,
  chartAxisLabel: 50,
} as const;

export type TableCell = RawTextElement | RawNumberElement;

export function textCell(text: string): RawTextElement {
  // A cell must carry at least one character.
  return { type: "raw_text", text: text.length > 0 ? text : "–" };
}

export function numberCell(value: number, text: string): RawNumberElement {
  return { type: "raw_number", value, text };
}

export type Align = "left" | "right";

/**
 * A table block: one header row of names, then the rows. `align` per column (numbers right);
 * rows past the limit are the caller's to leave out, and are cut here as a last resort.
 */
export function tableBlock(
  head: readonly string[],
  rows: readonly (readonly TableCell[])[],
  align: readonly Align[],
): TableBlock {
  const L = NEWER_BLOCK_LIMITS;
  const width = Math.min(L.tableCells, head.length);
  const cut = (row: readonly TableCell[]) => row.slice(0, width);
  return {
    type: "table",
    rows: [cut(head.map(textCell)), ...rows.slice(0, L.tableRows - 1).map(cut)],
    column_settings: align.slice(0, width).map((a) => ({ align: a })),
  };
}

/** A chart label cleaned and cut to the limit (in UTF-16 units, never fewer than Slack counts). */
export function chartLabel(text: string, max: number = NEWER_BLOCK_LIMITS.chartLabel): string {
  return truncateUnits(cleanText(text), max) || "–";
}

export function lineChart(
  title: string,
  categories: readonly string[],
  series: readonly ChartSeries[],
  axis: { readonly x?: string; readonly y?: string } = {},
): DataVisualizationBlock {
  const L = NEWER_BLOCK_LIMITS;
  return {
    type: "data_visualization",
    title: chartLabel(title, L.chartTitle),
    chart: {
      type: "line",
      series: series.slice(0, L.chartSeriesMax),
      axis_config: {
        categories,
        ...(axis.x ? { x_label: chartLabel(axis.x, L.chartAxisLabel) } : {}),
        ...(axis.y ? { y_label: chartLabel(axis.y, L.chartAxisLabel) } : {}),
      },
    },
  };
}
