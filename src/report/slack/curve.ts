/**
 * The month's curve as a Slack message: a sparkline per month on one scale (so the two can be
 * compared at a glance), then the figures day by day. Slack's native chart block comes with
 * the charts issue; this keeps the numbers readable everywhere meanwhile.
 */
import { monthLabel, shortMonthLabel } from "../../months.js";
import { formatCount } from "../format.js";
import type { MonthCurveView } from "../view.js";
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
    blocks: [header(title), ...codeSections(spark), ...codeSections(rows), note],
  };
}
