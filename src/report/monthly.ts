/**
 * The monthly summary post and the delivery history, as Slack messages and terminal text. The
 * summary is composed from the month and series renderers, so its figures are rendered exactly
 * as a /gluu-stats answer shows them.
 */
import type { types as slack } from "@slack/bolt";
import type { StatResult } from "../gluu/model.js";
import {
  isoMonth,
  type Month,
  monthLabel,
  monthRange,
  monthsBack,
  parseMonthKey,
  shortMonthLabel,
  tryAddMonths,
} from "../months.js";
import {
  checkBlockLimits,
  escapeMrkdwn,
  renderMonthMessage,
  renderSeriesMessage,
  type SlackMessage,
  safeMrkdwn,
} from "./blocks.js";
import { formatChange, formatCount, formatInstant } from "./format.js";
import { billingExport, monthChange, statsOf } from "./summary.js";

type KnownBlock = slack.KnownBlock;

export interface MonthlySummaryInput {
  readonly month: Month;
  /** Should hold the month, the 11 before it and the same month a year earlier. */
  readonly result: StatResult;
  readonly host: string;
  readonly timeZone: string;
}

const mrkdwn = (text: string) => ({ type: "mrkdwn" as const, text, verbatim: true });
const section = (text: string): KnownBlock => ({ type: "section", text: mrkdwn(text) });
const context = (text: string): KnownBlock => ({ type: "context", elements: [mrkdwn(text)] });

export function renderMonthlySummary(input: MonthlySummaryInput): SlackMessage {
  const { month, result, host, timeZone } = input;
  const meta = { host, fetchedAt: result.fetchedAt, timeZone };
  const stats = statsOf(result, month);
  // Only a label and a lookup, never fetched: it may lie before the first supported month.
  const lastYear: Month = { year: month.year - 1, month: month.month };
  const yoy = monthChange(stats, statsOf(result, lastYear));
  const trendMonths = monthRange(monthsBack(month, 11), month);
  const before = tryAddMonths(month, -1);
  const exp = billingExport(trendMonths, result);

  const monthMessage = renderMonthMessage({
    ...meta,
    month,
    current: false,
    stats,
    previous: before && statsOf(result, before),
  });
  const series = renderSeriesMessage({ ...meta, title: "Last 12 months", months: trendMonths, result });

  const yoyLine = yoy
    ? `*Against ${monthLabel(lastYear)}:* ${escapeMrkdwn(formatChange(yoy))}`
    : `*Against ${monthLabel(lastYear)}:* no data for that month`;
  const signature = `*Billing export* ${shortMonthLabel(trendMonths[0] ?? month)} – ${shortMonthLabel(month)}: average ${
    exp.average === undefined ? "n/a" : formatCount(exp.average)
  }, maximum ${exp.maximum ? formatCount(exp.maximum.mau) : "n/a"}, \`mau-signature: ${exp.signature}\`${
    exp.missing.length > 0
      ? ` (${exp.missing.length} month(s) without data left out, as the exporter does)`
      : ""
  }`;

  const withoutHeader = (blocks: readonly KnownBlock[]) => blocks.filter((b) => b.type !== "header");
  const monthBlocks = monthMessage.blocks.filter((b) => b.type !== "context" && b.type !== "actions");
  const header: KnownBlock = {
    type: "header",
    text: { type: "plain_text", text: `Gluu monthly summary: ${monthLabel(month)}` },
  };
  const build = (tokenDetail: boolean): SlackMessage => ({
    text: `Gluu monthly summary for ${monthLabel(month)}: ${
      stats ? `${formatCount(stats.mau)} monthly active users` : "no data"
    }. mau-signature ${exp.signature}`,
    blocks: [
      header,
      ...(tokenDetail ? withoutHeader(monthBlocks) : withoutHeader(monthBlocks).slice(0, 1)),
      section(yoyLine),
      { type: "divider" },
      section("*Last 12 months*"),
      ...withoutHeader(series.blocks).filter((b) => b.type !== "actions"),
      section(signature),
    ],
  });
  const full = build(true);
  return checkBlockLimits(full).length === 0 ? full : build(false);
}

export interface HistoryLine {
  readonly month: string;
  readonly channel: string;
  readonly at: number;
  readonly trigger: string;
  readonly outcome: "posted" | "failed" | "skipped";
  readonly error?: string;
  readonly link?: string;
  readonly attempts?: number;
}

const ICON = { posted: ":white_check_mark:", failed: ":x:", skipped: ":fast_forward:" } as const;

function monthText(key: string): string {
  const m = parseMonthKey(key);
  return m ? shortMonthLabel(m) : key;
}

export function renderHistoryMessage(entries: readonly HistoryLine[], timeZone: string): SlackMessage {
  if (entries.length === 0) {
    return {
      text: "No monthly summary has been posted yet.",
      blocks: [section("No monthly summary has been posted yet.")],
    };
  }
  const lines = entries.map((e) => {
    const where = /^[CGD][A-Z0-9]+$/.test(e.channel) ? `<#${e.channel}>` : safeMrkdwn(e.channel, 40);
    const link = e.link && /^https:\/\//.test(e.link) ? ` · <${e.link}|view>` : "";
    const error = e.error ? ` · ${safeMrkdwn(e.error, 200)}` : "";
    return `${ICON[e.outcome]} *${monthText(e.month)}* → ${where} · ${escapeMrkdwn(formatInstant(e.at, timeZone))} · ${
      e.trigger
    }${link}${error}`;
  });
  const blocks: KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: "Monthly summary: delivery history" } },
  ];
  // Sections hold 3,000 characters; 12 entries of at most ~400 fit in two.
  for (let i = 0; i < lines.length; i += 6) blocks.push(section(lines.slice(i, i + 6).join("\n")));
  blocks.push(context(`Newest first; the last ${entries.length} deliveries.`));
  return {
    text: `Monthly summary history: ${entries.length} entries, newest ${monthText(entries[0]?.month ?? "")}`,
    blocks,
  };
}

export function renderHistoryText(entries: readonly HistoryLine[], timeZone: string): string {
  if (entries.length === 0) return "No monthly summary has been posted yet.\n";
  const rows = entries.map((e) => [
    isoMonth(parseMonthKey(e.month) ?? { year: 0, month: 1 }),
    e.channel,
    formatInstant(e.at, timeZone),
    e.trigger,
    e.outcome,
    e.link ?? e.error ?? "",
  ]);
  const head = ["month", "channel", "time", "trigger", "outcome", "link / error"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: readonly string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ");
  return `${[fmt(head), ...rows.map(fmt)].join("\n")}\n`;
}
