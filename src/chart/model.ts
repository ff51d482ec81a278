/**
 * What the MAU trend chart shows, and the ECharts option that draws it: pure data in, pure
 * data out. Nothing here loads ECharts or resvg (their types only), so the app can build and
 * test a chart's content without paying for the renderer; svg.ts and png.ts draw it.
 */
import type { LineSeriesOption } from "echarts/charts";
import type { GridComponentOption, MarkLineComponentOption, TitleComponentOption } from "echarts/components";
import type { ComposeOption } from "echarts/core";
import { type Month, shortMonthLabel } from "../months.js";
import { formatCount } from "../report/format.js";
import type { SeriesSummary } from "../report/summary.js";

export interface ChartPoint {
  readonly month: Month;
  /** null: the server has no data for the month, drawn as a gap in the line (never as zero). */
  readonly mau: number | null;
}

export interface ChartModel {
  readonly title: string;
  /** In calendar order, one per month shown. */
  readonly points: readonly ChartPoint[];
  /** Drawn as a dashed horizontal line. */
  readonly average?: number;
  /** The licensed MAU (GLUU_MAU_LIMIT), drawn as a line in the warning colour. */
  readonly limit?: number;
}

export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

export const DEFAULT_CHART_SIZE: ChartSize = { width: 1200, height: 600 };

/**
 * Bounds on a chart's size: below the minimum the labels no longer fit; above the maximum one
 * PNG would be a pixmap of tens of megabytes in the process that renders it.
 */
export const MIN_CHART_SIDE = 200;
export const MAX_CHART_SIDE = 4000;

/** Fixed colours, so tests (and readers of two charts) can rely on them. */
export const LINE_COLOUR = "#2563eb";
export const AVERAGE_COLOUR = "#4b5563";
export const LIMIT_COLOUR = "#dc2626";
const TEXT_COLOUR = "#111827";
const MUTED_TEXT_COLOUR = "#4b5563";
const GRID_LINE_COLOUR = "#e5e7eb";
const AXIS_LINE_COLOUR = "#9ca3af";
export const BACKGROUND_COLOUR = "#ffffff";

/** The one font the PNG renderer loads (src/chart/png.ts); the SVG names it too. */
export const CHART_FONT_FAMILY = "Inter";

export type ChartOption = ComposeOption<
  LineSeriesOption | GridComponentOption | MarkLineComponentOption | TitleComponentOption
>;

/** A size the renderers accept: whole pixels, each side within MIN_CHART_SIDE..MAX_CHART_SIDE. */
export function checkChartSize(size: ChartSize): ChartSize {
  for (const [name, side] of [
    ["width", size.width],
    ["height", size.height],
  ] as const) {
    if (!Number.isInteger(side) || side < MIN_CHART_SIDE || side > MAX_CHART_SIDE) {
      throw new RangeError(
        `chart ${name} must be a whole number of pixels from ${MIN_CHART_SIDE} to ${MAX_CHART_SIDE}: ${side}`,
      );
    }
  }
  return size;
}

/** The chart of a series as the replies summarise it: the same months, average and limit. */
export function chartModelOf(title: string, summary: SeriesSummary): ChartModel {
  return {
    title,
    points: summary.rows.map((r) => ({ month: r.month, mau: r.stats ? r.stats.mau : null })),
    ...(summary.average !== undefined ? { average: summary.average } : {}),
    ...(summary.limit !== undefined ? { limit: summary.limit } : {}),
  };
}

/** A figure the chart can place; anything else (NaN from a broken source) is "no data". */
function plottable(n: number | null | undefined): n is number {
  return typeof n === "number" && Number.isFinite(n);
}

/** The series values, month by month: null where there is no data, so the line has a gap. */
export function seriesValues(model: ChartModel): (number | null)[] {
  return model.points.map((p) => (plottable(p.mau) ? p.mau : null));
}

export interface AxisScale {
  readonly min: number;
  readonly max: number;
  readonly interval: number;
}

/** 1, 2, 2.5 or 5 times a power of ten: steps whose multiples read as round numbers. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * The y-axis range: every value, the average and the limit inside it, with some room above and
 * below. It does not start at zero: MAU moves by a few percent a month and the question the
 * chart answers is how close the months come to the limit, which a zero-based axis flattens.
 * ECharts would leave a mark line outside its own range, so the range is decided here.
 */
export function yAxisScale(model: ChartModel, ticks = 5): AxisScale {
  const values = [...seriesValues(model), model.average, model.limit].filter(plottable);
  if (values.length === 0) return { min: 0, max: 1000, interval: 200 };
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  // A flat series still needs a span; 10 % of its level keeps it mid-chart.
  const span = hi - lo > 0 ? hi - lo : Math.max(Math.abs(hi) * 0.1, 10);
  const interval = niceStep((span * 1.2) / ticks);
  const min = Math.max(0, Math.floor((lo - span * 0.1) / interval) * interval);
  const max = Math.ceil((hi + span * 0.1) / interval) * interval;
  return { min, max: max > min ? max : min + interval, interval };
}

/**
 * How many x-axis labels to skip between two shown ones (ECharts' `interval`): 0 shows every
 * month. Decided here rather than by ECharts' own overlap guess, so which labels appear is
 * known before rendering. `labelWidth` is a "Nov 2026" label at 13 px plus a gap.
 */
export function xLabelInterval(months: number, plotPixels: number, labelWidth = 72): number {
  if (months <= 1 || plotPixels <= 0) return 0;
  const fit = Math.max(1, Math.floor(plotPixels / labelWidth));
  return Math.max(0, Math.ceil(months / fit) - 1);
}

/**
 * Whether the x-axis labels month `index` of `count`, skipping `interval` between two labels.
 * Counted from the end, so the latest month, the one a reader looks for, is always labelled.
 */
export function xLabelShown(index: number, count: number, interval: number): boolean {
  return (count - 1 - index) % (interval + 1) === 0;
}

/** A y-axis label: the figure as every reply writes it, `61,234`. */
export function yAxisLabel(value: number): string {
  return formatCount(value);
}

/** Space around the plot, in pixels: the title above, the y labels left, the x labels below. */
const GRID = { left: 80, right: 48, top: 84, bottom: 48 } as const;

function plotWidth(width: number): number {
  return width - GRID.left - GRID.right;
}

/** The month labels the x-axis shows at a size, in order. */
export function shownMonthLabels(model: ChartModel, size: ChartSize = DEFAULT_CHART_SIZE): string[] {
  const count = model.points.length;
  const interval = xLabelInterval(count, plotWidth(checkChartSize(size).width));
  return model.points.flatMap((p, i) => (xLabelShown(i, count, interval) ? [shortMonthLabel(p.month)] : []));
}

/** "No data for Mar 2026", or the count when many months are missing. */
function missingNote(model: ChartModel): string {
  const missing = model.points.filter((p) => !plottable(p.mau));
  if (missing.length === 0) return "";
  if (missing.length === model.points.length) return "No data for these months";
  if (missing.length <= 3)
    return `No data for ${missing.map((p) => shortMonthLabel(p.month)).join(", ")} (gap in the line)`;
  return `No data for ${missing.length} months (gaps in the line)`;
}

type MarkLineData = NonNullable<NonNullable<LineSeriesOption["markLine"]>["data"]>;

function markLines(model: ChartModel): MarkLineData {
  const lines: MarkLineData = [];
  const label = (text: string, colour: string, position: "insideStartTop" | "insideEndTop") => ({
    formatter: text,
    position,
    color: colour,
    fontSize: 13,
    fontWeight: 600 as const,
    backgroundColor: BACKGROUND_COLOUR,
    padding: [2, 6],
  });
  // The two labels sit at opposite ends, so they cannot cover each other when the lines are close.
  if (plottable(model.average)) {
    lines.push({
      name: "Average",
      yAxis: model.average,
      lineStyle: { type: "dashed", color: AVERAGE_COLOUR, width: 2 },
      label: label(`Average ${formatCount(model.average)}`, AVERAGE_COLOUR, "insideStartTop"),
    });
  }
  if (plottable(model.limit)) {
    lines.push({
      name: "Licence",
      yAxis: model.limit,
      lineStyle: { type: "solid", color: LIMIT_COLOUR, width: 2 },
      label: label(`Licence ${formatCount(model.limit)}`, LIMIT_COLOUR, "insideEndTop"),
    });
  }
  return lines;
}

/** The ECharts option of a chart at a size: everything the picture shows, decided here. */
export function chartOption(model: ChartModel, size: ChartSize = DEFAULT_CHART_SIZE): ChartOption {
  const { width } = checkChartSize(size);
  const scale = yAxisScale(model);
  const interval = xLabelInterval(model.points.length, plotWidth(width));
  const shown = (index: number) => xLabelShown(index, model.points.length, interval);
  const lines = markLines(model);
  const note = missingNote(model);
  return {
    animation: false,
    backgroundColor: BACKGROUND_COLOUR,
    textStyle: { fontFamily: CHART_FONT_FAMILY, color: TEXT_COLOUR },
    title: {
      text: model.title,
      subtext: note,
      left: GRID.left - 8,
      top: 16,
      textStyle: {
        fontSize: 20,
        fontWeight: 600,
        color: TEXT_COLOUR,
        width: plotWidth(width),
        overflow: "truncate",
      },
      subtextStyle: { fontSize: 13, color: MUTED_TEXT_COLOUR },
      itemGap: 6,
    },
    grid: { ...GRID },
    xAxis: {
      type: "category",
      boundaryGap: false,
      data: model.points.map((p) => shortMonthLabel(p.month)),
      axisLine: { lineStyle: { color: AXIS_LINE_COLOUR } },
      axisTick: { alignWithLabel: true, interval: shown },
      axisLabel: {
        interval: shown,
        color: MUTED_TEXT_COLOUR,
        fontSize: 13,
        margin: 12,
      },
    },
    yAxis: {
      type: "value",
      min: scale.min,
      max: scale.max,
      interval: scale.interval,
      axisLabel: { formatter: yAxisLabel, color: MUTED_TEXT_COLOUR, fontSize: 13 },
      splitLine: { lineStyle: { color: GRID_LINE_COLOUR } },
    },
    series: [
      {
        type: "line",
        name: "Monthly active users",
        data: seriesValues(model),
        connectNulls: false,
        // A month with data between two gaps is a point without a segment: only its symbol shows it.
        showSymbol: true,
        showAllSymbol: true,
        symbol: "circle",
        symbolSize: 7,
        lineStyle: { color: LINE_COLOUR, width: 3 },
        itemStyle: { color: LINE_COLOUR },
        ...(lines.length > 0 ? { markLine: { silent: true, symbol: ["none", "none"], data: lines } } : {}),
      },
    ],
  };
}
