/**
 * Terminal renderers for the CLI: plain text with aligned columns, no colour codes, so output
 * reads the same on a terminal, in a pipe and in a ticket someone pastes it into.
 */
import type { Month } from "../months.js";
import { isoMonth, monthLabel, parseMonthKey, shortMonthLabel } from "../months.js";
import {
  barCells,
  cleanText,
  codePointLength,
  FILE_LABEL,
  formatChange,
  formatCount,
  formatInstant,
  formatPace,
  formatShortChange,
  formatUsage,
  formatUsagePercent,
  grantTypeLabels,
  monthTitle,
  SUM_NOTE,
  sumLabel,
  tokenKindLabel,
  truncate,
} from "./format.js";
import type { BillingExport } from "./summary.js";
import type {
  ComparisonRow,
  ComparisonView,
  HistoryLine,
  MonthView,
  SeriesView,
  Source,
  View,
} from "./view.js";

const HLL_NOTE = "MAU is a HyperLogLog estimate (about 0.6% error).";
const LABEL_MAX = 40;
const BAR_WIDTH = 30;

type Align = "left" | "right";

function pad(text: string, width: number, align: Align): string {
  const fill = " ".repeat(Math.max(0, width - codePointLength(text)));
  return align === "right" ? fill + text : text + fill;
}

/**
 * Rows padded into columns: every line of the result has the same width in code points (wide
 * CJK characters may still look wider on screen; grant types are ASCII in practice).
 */
export function alignTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[],
  footer?: readonly string[],
): string[] {
  const all = footer ? [head, ...rows, footer] : [head, ...rows];
  const widths = head.map((_, c) => Math.max(...all.map((r) => codePointLength(r[c] ?? ""))));
  const line = (r: readonly string[]): string =>
    widths.map((w, c) => pad(r[c] ?? "", w, align[c] ?? "left")).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(head), rule, ...rows.map(line), ...(footer ? [rule, line(footer)] : [])];
}

function sourceLine(host: string, fetchedAt: number, timeZone: string): string {
  return `${truncate(cleanText(host), 100) || "Unknown server"} · fetched ${formatInstant(fetchedAt, timeZone)}`;
}

function renderMonth(input: MonthView): string {
  const name = monthLabel(input.month);
  const lines = [monthTitle(input), sourceLine(input.host, input.fetchedAt, input.timeZone), ""];
  const { stats } = input;
  if (!stats) {
    lines.push(`No data for ${name}: the server reported no statistics for this month.`);
    return `${lines.join("\n")}\n`;
  }
  lines.push(`Monthly active users: ${formatCount(stats.mau)}${input.current ? " so far" : ""}`);
  const { change, previous } = input;
  if (change && previous) lines.push(`Change vs ${monthLabel(previous.month)}: ${formatChange(change)}`);
  else if (input.current && previous)
    lines.push(`${monthLabel(previous.month)}, whole month: ${formatCount(previous.mau)}`);
  if (input.current && input.pace) {
    lines.push(`At this point last month: ${formatPace(input.pace, input.timeZone)}`);
  }
  if (input.usage) lines.push(`Licensed: ${formatUsage(stats.mau, input.usage)}`);
  lines.push("");

  const totals = input.tokens;
  if (!totals || totals.grantTypes.length === 0) {
    lines.push("Tokens issued: none recorded for this month.");
  } else {
    lines.push(`Tokens issued: ${formatCount(totals.total)}`, "");
    const kinds = totals.kinds.map((k) => k.kind);
    const labels = grantTypeLabels(totals.grantTypes.map((g) => g.grantType));
    const head = ["Grant type", ...kinds.map((k) => truncate(tokenKindLabel(k), LABEL_MAX)), "Total"];
    const rows = totals.grantTypes.map((g) => {
      const byKind = new Map(g.kinds.map((k) => [k.kind, k.count]));
      return [
        truncate(labels.get(g.grantType) ?? g.grantType, LABEL_MAX),
        ...kinds.map((k) => formatCount(byKind.get(k) ?? 0)),
        formatCount(g.total),
      ];
    });
    const footer = ["Total", ...totals.kinds.map((k) => formatCount(k.count)), formatCount(totals.total)];
    const align: Align[] = ["left", ...kinds.map((): Align => "right"), "right"];
    lines.push(...alignTable(head, rows, align, footer));
  }
  lines.push("", HLL_NOTE);
  return `${lines.join("\n")}\n`;
}

/** `Jan 2021, Feb 2021`: the terminal has room to name every month. */
function monthNames(months: readonly Month[]): string {
  return months.map(shortMonthLabel).join(", ");
}

function renderSeries(input: SeriesView): string {
  const { summary } = input;
  const title = truncate(cleanText(input.title), 150) || "Monthly active users";
  const lines = [title, sourceLine(input.host, input.fetchedAt, input.timeZone), ""];
  if (summary.rows.length === 0) {
    lines.push("No months were asked for.");
    return `${lines.join("\n")}\n`;
  }
  const max = summary.maximum?.mau ?? 0;
  const licensed = summary.limit !== undefined;
  const rows = summary.rows.map((r) => [
    shortMonthLabel(r.month),
    r.stats ? formatCount(r.stats.mau) : "no data",
    ...(licensed ? [r.usage ? `${r.usage.over ? "over " : ""}${formatUsagePercent(r.usage)}` : ""] : []),
    r.inProgress && r.stats ? "so far" : formatShortChange(r.change),
    r.stats ? "█".repeat(barCells(r.stats.mau, max, BAR_WIDTH)) : "",
  ]);
  // The bar column is padded to its full width so every table line has the same length.
  const head = ["Month", "MAU", ...(licensed ? ["Licence"] : []), "Change", " ".repeat(BAR_WIDTH)];
  const align: Align[] = ["left", "right", ...(licensed ? (["right"] as const) : []), "left", "left"];
  lines.push(...alignTable(head, rows, align), "");

  if (summary.average !== undefined && summary.maximum) {
    lines.push(
      `Average: ${formatCount(summary.average)} (over the ${summary.withData} of ${summary.rows.length} months with data)`,
      `Maximum: ${formatCount(summary.maximum.mau)} in ${monthLabel(summary.maximum.month)}`,
    );
  }
  const missing = summary.rows.filter((r) => !r.stats).map((r) => r.month);
  if (missing.length === summary.rows.length) lines.push("No data for any month in this range.");
  else if (missing.length > 0) lines.push(`No data: ${monthNames(missing)}`);
  if (summary.limit !== undefined) {
    const over = summary.overLimit ?? [];
    lines.push(
      `Licensed: ${formatCount(summary.limit)} MAU; ${over.length > 0 ? `over it in ${monthNames(over)}` : "no month over it"}`,
    );
  }
  lines.push("", `${HLL_NOTE} The average counts months with data only.`);
  return `${lines.join("\n")}\n`;
}

/**
 * One month (MAU, change, tokens table), a range/trend (a table with a bar per month) or the
 * billing export.
 */
export function renderTextView(view: View): string {
  switch (view.kind) {
    case "month":
      return renderMonth(view);
    case "series":
      return renderSeries(view);
    case "export":
      return renderExportText(view.export, view);
  }
}

/**
 * The billing export as Gluu's exporter reports it (each month's MAU, then the signature line
 * `mau-signature: <hex>`), with the average and maximum the oxTrust MAU report adds.
 */
export function renderExportText(exp: BillingExport, meta?: Source): string {
  const first = exp.rows[0]?.month;
  const last = exp.rows[exp.rows.length - 1]?.month;
  const lines = [
    first && last ? `MAU billing export: ${isoMonth(first)} to ${isoMonth(last)}` : "MAU billing export",
  ];
  if (meta) lines.push(sourceLine(meta.host, meta.fetchedAt, meta.timeZone));
  lines.push("");
  if (exp.rows.length > 0) {
    const rows = exp.rows.map((r) => [
      isoMonth(r.month),
      r.mau === undefined ? "no data" : formatCount(r.mau),
    ]);
    lines.push(...alignTable(["Month", "MAU"], rows, ["left", "right"]), "");
  }
  const withData = exp.rows.length - exp.missing.length;
  if (exp.average !== undefined) {
    lines.push(`average: ${formatCount(exp.average)} (over the ${withData} months with data)`);
  }
  if (exp.maximum) lines.push(`maximum: ${formatCount(exp.maximum.mau)} (${isoMonth(exp.maximum.month)})`);
  lines.push(`mau-signature: ${exp.signature}`);
  if (exp.missing.length > 0) {
    lines.push(
      "",
      `No data for ${exp.missing.map(isoMonth).join(", ")}: the official exporter leaves such months out, so they add nothing to the signature. They are missing, not zero.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The delivery history as a table, newest first. */
export function renderHistoryText(entries: readonly HistoryLine[], timeZone: string): string {
  if (entries.length === 0) return "No monthly summary has been posted yet.\n";
  const servers = entries.some((e) => e.server !== undefined);
  const rows = entries.map((e) => {
    const m = parseMonthKey(e.month);
    return [
      (m ? isoMonth(m) : e.month) +
        (e.alert === undefined ? "" : ` alert ${e.alert} %`) +
        (e.file === undefined ? "" : ` ${FILE_LABEL[e.file]}`),
      ...(servers ? [e.server ?? ""] : []),
      e.channel,
      formatInstant(e.at, timeZone),
      e.trigger,
      e.outcome === "posting" ? "posting…" : e.outcome,
      e.link ?? e.error ?? "",
    ];
  });
  const head = [
    "month",
    ...(servers ? ["server"] : []),
    "channel",
    "time",
    "trigger",
    "outcome",
    "link / error",
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: readonly string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ");
  return `${[fmt(head), ...rows.map(fmt)].join("\n")}\n`;
}

/** `gluu-stats report all`: one aligned row per server, then the sum of separate servers. */
export function renderComparisonText(view: ComparisonView): string {
  const licensed = view.rows.some((r) => r.usage);
  const change = (c: ComparisonRow["change"]) => (view.current ? "so far" : formatShortChange(c) || "–");
  const rows = view.rows.map((r) => {
    if (r.unavailable !== undefined) return [r.displayName, r.unavailable, "", "", ...(licensed ? [""] : [])];
    if (!r.stats) return [r.displayName, "no data", "", "", ...(licensed ? [""] : [])];
    return [
      r.displayName,
      formatCount(r.stats.mau),
      change(r.change),
      formatCount(r.tokens ?? 0),
      ...(licensed ? [r.usage ? formatUsagePercent(r.usage) : "–"] : []),
    ];
  });
  const { sum } = view;
  if (sum) {
    rows.push([
      sumLabel(sum.servers),
      formatCount(sum.mau),
      change(sum.change),
      formatCount(sum.tokens),
      ...(licensed ? [""] : []),
    ]);
  }
  const head = ["server", "MAU", "change", "tokens", ...(licensed ? ["licence"] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: readonly string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const lines = [`MAU by server: ${monthTitle(view)}`, "", fmt(head), ...rows.map(fmt)];
  if (sum) lines.push("", SUM_NOTE);
  if (view.fetchedAt !== undefined) lines.push(`Fetched ${formatInstant(view.fetchedAt, view.timeZone)}.`);
  return `${lines.join("\n")}\n`;
}
