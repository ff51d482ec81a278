/**
 * The files the bot hands to people outside Slack: the MAU chart as a PNG and the billing export
 * as CSV. Pure: the chart is drawn by the renderer passed in (src/chart, loaded on first use), so
 * names, titles and contents can be tested without it. The file name is known before the file is
 * built, which is how an upload that may have happened before a crash is looked for.
 */
import type { ChartModel } from "../chart/index.js";
import { chartModelOf } from "../chart/index.js";
import { isoMonth, type Month, shortMonthLabel } from "../months.js";
import type { FileRequest } from "../query/types.js";
import { renderBillingCsv } from "../report/csv.js";
import { formatCount } from "../report/format.js";
import type { BillingExport, SeriesSummary } from "../report/summary.js";
import type { MonthlySummaryView, SeriesView, View } from "../report/view.js";

import type { FileKind } from "../state/subject.js";

export { FILE_KINDS, type FileKind } from "../state/subject.js";

export interface ReportFile {
  readonly kind: FileKind;
  readonly filename: string;
  /** What Slack shows above the file. */
  readonly title: string;
  /** Read out by screen readers for the image; Slack allows 1,000 characters. */
  readonly altText?: string;
  readonly bytes: Buffer;
}

/** Draws a chart model as PNG bytes (src/chart's renderer). */
export type DrawPng = (model: ChartModel) => Promise<Buffer>;

/** A file to build, named before it is built. */
export interface FilePlan {
  readonly kind: FileKind;
  readonly filename: string;
  readonly build: (png: DrawPng) => Promise<ReportFile>;
}

const ALT_TEXT_MAX = 1000;

function span(from: Month, to: Month): string {
  return from.year === to.year && from.month === to.month
    ? isoMonth(from)
    : `${isoMonth(from)}_${isoMonth(to)}`;
}

function spanLabel(from: Month, to: Month): string {
  return from.year === to.year && from.month === to.month
    ? shortMonthLabel(from)
    : `${shortMonthLabel(from)} – ${shortMonthLabel(to)}`;
}

/** `gluu-mau-2025-12_2026-11.png`: what the chart of these months is called. */
export function fileName(kind: FileKind, from: Month, to: Month): string {
  return kind === "chart" ? `gluu-mau-${span(from, to)}.png` : `gluu-billing-${span(from, to)}.csv`;
}

/** The billing export as a CSV file; undefined when it covers no months. */
export function billingCsvPlan(exp: BillingExport): FilePlan | undefined {
  const from = exp.rows[0]?.month;
  const to = exp.rows.at(-1)?.month;
  if (!from || !to) return undefined;
  const filename = fileName("csv", from, to);
  return {
    kind: "csv",
    filename,
    build: async () => ({
      kind: "csv",
      filename,
      title: `Billing export ${spanLabel(from, to)} (CSV)`,
      bytes: Buffer.from(renderBillingCsv(exp), "utf8"),
    }),
  };
}

/** The title drawn on a series' chart: the same in a PNG from Slack and one from the CLI. */
export function chartTitle(view: Pick<SeriesView, "host" | "title">): string {
  return `Monthly active users · ${view.host} · ${view.title}`;
}

/** A series drawn as a PNG line chart; undefined when it covers no months. */
export function chartPlan(view: Pick<SeriesView, "host" | "title" | "summary">): FilePlan | undefined {
  const { summary } = view;
  const from = summary.rows[0]?.month;
  const to = summary.rows.at(-1)?.month;
  if (!from || !to) return undefined;
  const filename = fileName("chart", from, to);
  return {
    kind: "chart",
    filename,
    build: async (png) => ({
      kind: "chart",
      filename,
      title: `MAU ${spanLabel(from, to)} (chart)`,
      altText: chartAltText(summary, from, to),
      bytes: await png(chartModelOf(chartTitle(view), summary)),
    }),
  };
}

/** What the picture shows, in words: the span, the peak, the average, the months without data. */
export function chartAltText(summary: SeriesSummary, from: Month, to: Month): string {
  const parts = [`Line chart of monthly active users, ${spanLabel(from, to)}`];
  if (summary.maximum) {
    parts.push(`highest ${formatCount(summary.maximum.mau)} in ${shortMonthLabel(summary.maximum.month)}`);
  }
  if (summary.average !== undefined) parts.push(`average ${formatCount(summary.average)}`);
  if (summary.limit !== undefined) parts.push(`licensed limit ${formatCount(summary.limit)}`);
  const gaps = summary.rows.length - summary.withData;
  if (gaps > 0) parts.push(`${gaps} ${gaps === 1 ? "month" : "months"} without data`);
  const text = `${parts.join("; ")}.`;
  return text.length <= ALT_TEXT_MAX ? text : `${text.slice(0, ALT_TEXT_MAX - 1)}…`;
}

/** The monthly summary's two files: the 12-month chart and the billing export. */
export function summaryFilePlans(view: MonthlySummaryView): FilePlan[] {
  return [chartPlan(view.trend), billingCsvPlan(view.export)].filter((p): p is FilePlan => p !== undefined);
}

/** The file a command asked for (`export csv`, `trend chart`), from its answer's view. */
export function requestedFilePlan(view: View, request: FileRequest): FilePlan | undefined {
  if (request === "csv") return view.kind === "export" ? billingCsvPlan(view.export) : undefined;
  return view.kind === "series" ? chartPlan(view) : undefined;
}

/** For a plan that is not a chart: building it never draws. */
export const NO_PNG: DrawPng = () =>
  Promise.reject(new Error("no chart renderer for a file that is not a chart"));
