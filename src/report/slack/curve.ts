/**
 * The month's curve as a Slack message: a native line chart of this month against last month
 * (day of the month on the axis), a sparkline per month on one scale for a workspace that does
 * not draw charts, then the figures day by day, which stay searchable and readable everywhere.
 */
import { monthLabel, shortMonthLabel } from "../../months.js";
import { formatCount } from "../format.js";
import type { CurveDay, MonthCurveView } from "../view.js";
import { type ChartPoint, type DataVisualizationBlock, lineChart, NEWER_BLOCK_LIMITS } from "./blocks.js";
import {
  codeSections,
  context,
  fallback,
  HLL_NOTE,
  header,
  type SlackMessage,
  safeMrkdwn,
  section,
} from "./primitives.js";

const SPARKS = "▁▂▃▄▅▆▇█";

/**
 * One character per day: the value on a shared min..max scale (from zero, 58,851 and 66,202
 * would look the same), a space for a gap.
 */
export function sparkline(values: ReadonlyArray<number | undefined>, min: number, max: number): string {
  const top = SPARKS.length - 1;
  return values
    .map((v) => {
      if (v === undefined) return " ";
      if (max <= min) return SPARKS[Math.floor(top / 2)];
      return SPARKS[Math.min(top, Math.max(0, Math.round(((v - min) / (max - min)) * top)))];
    })
    .join("");
}

/** The two months' sparklines on one scale, one line each; none without any sample. */
export function curveSparklines(view: MonthCurveView): string[] {
  const cur = view.days.map((d) => d.current);
  const prev = view.days.map((d) => d.previous);
  const known = [...cur, ...prev].filter((v): v is number => v !== undefined);
  if (known.length === 0) return [];
  const min = Math.min(...known);
  const max = Math.max(...known);
  const a = shortMonthLabel(view.month);
  const b = shortMonthLabel(view.previousMonth);
  const width = Math.max(a.length, b.length);
  return [
    `${a.padEnd(width)} ${sparkline(cur, min, max)}`,
    `${b.padEnd(width)} ${sparkline(prev, min, max)}`,
  ];
}

/**
 * The days a chart shows: every day while they fit in the chart's categories, else every other
 * day (1, 3, …, 31), each point the last figure of its two days, as the table's days are the
 * last figure of their day.
 */
export function chartDays(days: readonly CurveDay[]): { day: number; current?: number; previous?: number }[] {
  if (days.length <= CHART_DAYS) return days.map((d) => ({ day: d.day, ...figures(d, undefined) }));
  const out: { day: number; current?: number; previous?: number }[] = [];
  for (let i = 0; i < days.length; i += 2) {
    const first = days[i];
    if (first) out.push({ day: first.day, ...figures(first, days[i + 1]) });
  }
  return out;
}
const CHART_DAYS = NEWER_BLOCK_LIMITS.chartCategories;

function figures(d: CurveDay, next: CurveDay | undefined): { current?: number; previous?: number } {
  const current = next?.current ?? d.current;
  const previous = next?.previous ?? d.previous;
  return { ...(current !== undefined ? { current } : {}), ...(previous !== undefined ? { previous } : {}) };
}

/** This month and last as two lines; days without a sample are gaps, not zeros. */
export function curveChart(view: MonthCurveView): DataVisualizationBlock | undefined {
  const days = chartDays(view.days);
  const label = (day: number) => String(day);
  const points = (pick: (d: (typeof days)[number]) => number | undefined): ChartPoint[] =>
    days.flatMap((d) => {
      const v = pick(d);
      return v !== undefined && Number.isFinite(v) ? [{ label: label(d.day), value: v }] : [];
    });
  const current = points((d) => d.current);
  const previous = points((d) => d.previous);
  if (current.length === 0 && previous.length === 0) return undefined;
  return lineChart(
    `${shortMonthLabel(view.month)} against ${shortMonthLabel(view.previousMonth)}`,
    days.map((d) => label(d.day)),
    [
      ...(current.length > 0 ? [{ name: shortMonthLabel(view.month), data: current }] : []),
      ...(previous.length > 0 ? [{ name: shortMonthLabel(view.previousMonth), data: previous }] : []),
    ],
    { x: "Day of the month", y: "Monthly active users" },
  );
}

export function renderMonthCurve(view: MonthCurveView): SlackMessage {
  const title = `${monthLabel(view.month)} so far, day by day`;
  const note = context([
    `${safeMrkdwn(view.host, 100) || "Unknown server"} · each day is the last figure the bot recorded that day (${safeMrkdwn(view.timeZone, 60)}); ${HLL_NOTE}`,
  ]);
  if (view.daysWithData.current === 0 && view.daysWithData.previous === 0) {
    const text =
      "No samples yet: the bot records the month's MAU when it fetches it (each licence check, each question), at most once an hour. The curve fills in from there.";
    return { text: fallback(`${title}: ${text}`), blocks: [header(title), section(text), note] };
  }
  const chart = curveChart(view);
  const spark = curveSparklines(view);
  const a = shortMonthLabel(view.month);
  const b = shortMonthLabel(view.previousMonth);
  const cell = (v: number | undefined) => (v === undefined ? "–" : formatCount(v)).padStart(10);
  const rows = [
    `Day ${a.padStart(10)} ${b.padStart(10)}`,
    ...view.days
      .filter((d) => d.current !== undefined || d.previous !== undefined)
      .map((d) => `${String(d.day).padStart(3)} ${cell(d.current)} ${cell(d.previous)}`),
  ];
  const latest = [...view.days].reverse().find((d) => d.current !== undefined);
  const summary =
    latest?.current !== undefined
      ? `${monthLabel(view.month)}: ${formatCount(latest.current)} MAU on day ${latest.day}`
      : `${monthLabel(view.month)}: no samples yet`;
  return {
    text: fallback(`${title}. ${summary}.`),
    // The sparklines stay: a workspace that refuses charts gets the message without the chart.
    blocks: [header(title), ...(chart ? [chart] : []), ...codeSections(spark), ...codeSections(rows), note],
  };
}
