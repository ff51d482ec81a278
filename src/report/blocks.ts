/**
 * Slack Block Kit renderers: report data in, `{ text, blocks }` out, ready for `respond` or
 * `chat.postMessage`. Pure: no clock (`fetchedAt` is a parameter), no Slack client.
 *
 * Every renderer must stay within Slack's limits for any input, including a server that reports
 * thirty grant types with kilobyte names. Rather than trusting hand-made arithmetic, each
 * renderer builds a full message and, if `checkBlockLimits` finds a violation, rebuilds it with
 * less detail (fewer grant types, fewer rows) until one fits; the last candidate is small by
 * construction. Tests run `checkBlockLimits` over random data to hold every renderer to that.
 */
import type { types as slack } from "@slack/bolt";
import type { MonthStats } from "../gluu/model.js";
import type { Month } from "../months.js";
import { isoMonth, monthLabel, shortMonthLabel } from "../months.js";
import {
  barCells,
  cleanText,
  formatChange,
  formatCount,
  formatInstant,
  formatShortChange,
  grantTypeLabels,
  tokenKindLabel,
  truncateUnits,
} from "./format.js";
import type { BillingExport, SeriesInput, SeriesRow } from "./summary.js";
import { monthChange, nextMonth, previousMonth, seriesSummary, tokenTotals } from "./summary.js";

type KnownBlock = slack.KnownBlock;
type Block = slack.Block;
type Button = slack.Button;
type MrkdwnElement = slack.MrkdwnElement;
type PlainTextElement = slack.PlainTextElement;
type SectionBlock = slack.SectionBlock;

export interface SlackMessage {
  /** Fallback for notifications, screen readers and clients without Block Kit: the key numbers. */
  readonly text: string;
  readonly blocks: KnownBlock[];
}

/**
 * Slack's limits, from the Block Kit reference (docs.slack.dev/reference/block-kit) and the
 * `@slack/types` 3.x doc comments, which repeat it:
 * - "You can include up to 50 blocks in each message" (blocks reference).
 * - header: "Maximum length for the text in this field is 150 characters".
 * - section: text "maximum length is 3000 characters"; fields "Maximum number of items is 10.
 *   Maximum length for the text in each item is 2000 characters".
 * - text object: "The minimum length is 1 and maximum length is 3000 characters".
 * - context: elements "Maximum number of items is 10".
 * - actions: "There is a maximum of 25 elements in each action block".
 * - button: text "Maximum length … is 75 characters", value "… 2000 characters", url "… 3000
 *   characters", action_id "… 255 characters"; block_id "… 255 characters".
 * - message `text`: Slack truncates past 40,000 characters (changelog 2018-04 "Truncating really
 *   long messages") and earlier asked apps to stay under 4,000; we keep to 4,000.
 * - `totalBlockText` is ours, not Slack's: chat.postMessage rejects block sets with
 *   `msg_blocks_too_long` well below the sum of the per-block limits, at an undocumented total
 *   around 12,000-13,000 text characters (slackapi/bolt-js#2509, #2867); we keep a wide margin.
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  textObjectMin: 1,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  fallbackText: 4000,
  totalBlockText: 8000,
} as const;

/** The action_ids of the navigation buttons; the Slack layer registers its handlers on these. */
export const ACTION_IDS = {
  prev: "gluu_stats_prev",
  next: "gluu_stats_next",
  trend: "gluu_stats_trend",
  share: "gluu_stats_share",
} as const;

const HLL_NOTE = "MAU is a HyperLogLog estimate (about 0.6% error)";
/** Server-provided names beyond this are cut: a label is there to be recognised, not read. */
const LABEL_MAX = 60;
const KIND_LABEL_MAX = 30;
const HOST_MAX = 100;
const TITLE_FALLBACK = "Monthly active users";

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/**
 * Escapes the three characters Slack gives meaning in mrkdwn (links, mentions, entities), so a
 * server or user string shows as itself. Other mrkdwn (`*`, `_`) has no escape in Slack; server
 * strings therefore go in their own field, where stray formatting cannot spill into the rest.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Untrusted text made safe for mrkdwn and at most `max` characters once escaped: escaping can
 * multiply a length by five (`&` → `&amp;`), so the budget is spent on the escaped form and the
 * cut falls between characters, never inside an entity.
 */
export function safeMrkdwn(text: string, max: number): string {
  const clean = cleanText(text);
  // Nearly every string fits: escape it whole and skip the per-character budget walk.
  const whole = escapeMrkdwn(clean);
  if (whole.length <= max) return whole;
  const chars = Array.from(clean);
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const piece = escapeMrkdwn(chars[i] ?? "");
    const room = i === chars.length - 1 ? max : max - 1;
    if (out.length + piece.length > room) return `${out}…`;
    out += piece;
  }
  return out;
}

// verbatim: no auto-linking of a grant type or host that happens to look like a URL or #channel.
function mrkdwn(text: string): MrkdwnElement {
  return { type: "mrkdwn", text, verbatim: true };
}

function plain(text: string): PlainTextElement {
  return { type: "plain_text", text };
}

function header(text: string): KnownBlock {
  return { type: "header", text: plain(truncateUnits(text, SLACK_LIMITS.headerText)) };
}

function section(text: string): KnownBlock {
  return { type: "section", text: mrkdwn(text) };
}

/** Fields in sections of at most 10; the first section may carry a heading text. */
function fieldSections(fields: readonly string[], heading?: string): KnownBlock[] {
  if (fields.length === 0) return heading ? [section(heading)] : [];
  const out: KnownBlock[] = [];
  for (let i = 0; i < fields.length; i += SLACK_LIMITS.sectionFields) {
    const block: SectionBlock = {
      type: "section",
      fields: fields.slice(i, i + SLACK_LIMITS.sectionFields).map(mrkdwn),
    };
    if (i === 0 && heading) block.text = mrkdwn(heading);
    out.push(block);
  }
  return out;
}

function context(texts: readonly string[]): KnownBlock {
  return { type: "context", elements: texts.slice(0, SLACK_LIMITS.contextElements).map(mrkdwn) };
}

/**
 * Packs lines into chunks of at most `max - overhead` characters (the overhead is left for a
 * wrapper such as a code fence), never splitting a line; a single line too long for a chunk is
 * cut instead.
 */
function packLines(lines: readonly string[], max: number, overhead = 0): string[] {
  const budget = max - overhead;
  const chunks: string[] = [];
  let current = "";
  for (const raw of lines) {
    const line = raw.length > budget ? truncateUnits(raw, budget) : raw;
    if (current && current.length + 1 + line.length > budget) {
      chunks.push(current);
      current = line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/** A monospace table as one or more code-block sections, so columns line up in Slack too. */
function codeSections(lines: readonly string[]): KnownBlock[] {
  const fence = "```";
  return packLines(lines, SLACK_LIMITS.sectionText, fence.length * 2 + 2).map((chunk) =>
    section(`${fence}\n${chunk}\n${fence}`),
  );
}

/**
 * A button, or nothing when its value cannot be sent: an empty or over-long command text would
 * be rejected by Slack, and a shortened one would run a different command.
 */
function button(text: string, actionId: string, value: string | undefined, primary = false): Button[] {
  if (!value || value.length > SLACK_LIMITS.buttonValue) return [];
  const b: Button = {
    type: "button",
    text: plain(truncateUnits(text, SLACK_LIMITS.buttonText)),
    action_id: actionId,
    value,
  };
  if (primary) b.style = "primary";
  return [b];
}

function actions(buttons: readonly Button[]): KnownBlock[] {
  return buttons.length > 0 ? [{ type: "actions", elements: [...buttons] }] : [];
}

function sourceContext(host: string, fetchedAt: number, timeZone: string, note?: string): KnownBlock {
  const where = `${safeMrkdwn(host, HOST_MAX) || "Unknown server"} · fetched ${escapeMrkdwn(formatInstant(fetchedAt, timeZone))}`;
  return context(note ? [where, note] : [where]);
}

/** Fallback texts are one-line summaries; 1,000 characters is plenty and far below the 4,000. */
function fallback(text: string): string {
  return safeMrkdwn(text, 1000) || "Gluu statistics";
}

/** The first candidate within Slack's limits; the last one otherwise (small by construction). */
function firstWithinLimits(candidates: ReadonlyArray<() => SlackMessage>): SlackMessage {
  let last: SlackMessage | undefined;
  for (const build of candidates) {
    last = build();
    if (checkBlockLimits(last).length === 0) return last;
  }
  if (!last) throw new Error("no message candidates");
  return last;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------------
// One month
// ---------------------------------------------------------------------------------------------

export interface Navigation {
  /** Canonical command texts, sent back as button values. */
  readonly prev?: string;
  /** Undefined at the current month: there is nothing after it yet. */
  readonly next?: string;
  readonly trend: string;
  readonly share?: string;
}

export interface MonthMessageInput {
  readonly stats?: MonthStats;
  readonly previous?: MonthStats;
  readonly month: Month;
  /** The month in progress: its figures are "so far". */
  readonly current: boolean;
  readonly host: string;
  readonly fetchedAt: number;
  readonly timeZone: string;
  readonly navigation?: Navigation;
}

interface MonthDetail {
  /** Grant types shown one by one; the rest are folded into one "N more grant types" field. */
  readonly grantTypes: number;
  /** Token kinds shown as fields (of at most 9; the tenth is "N more kinds"). */
  readonly kinds: number;
  /** Kinds named inside each grant type's field. */
  readonly kindsPerGrantType: number;
}

const MONTH_DETAIL: readonly MonthDetail[] = [
  { grantTypes: 12, kinds: 9, kindsPerGrantType: 4 },
  { grantTypes: 6, kinds: 6, kindsPerGrantType: 3 },
  { grantTypes: 3, kinds: 4, kindsPerGrantType: 2 },
  { grantTypes: 0, kinds: 0, kindsPerGrantType: 0 },
];

function tokenBlocks(stats: MonthStats, detail: MonthDetail): KnownBlock[] {
  const totals = tokenTotals(stats);
  if (totals.grantTypes.length === 0) return [section("*Tokens issued*\nNone recorded for this month.")];

  const kindFields: string[] = [];
  const shownKinds = totals.kinds.slice(0, detail.kinds);
  for (const k of shownKinds) {
    kindFields.push(`*${safeMrkdwn(tokenKindLabel(k.kind), KIND_LABEL_MAX)}*\n${formatCount(k.count)}`);
  }
  const hiddenKinds = totals.kinds.slice(shownKinds.length);
  if (hiddenKinds.length > 0 && detail.kinds > 0) {
    const sum = hiddenKinds.reduce((s, k) => s + k.count, 0);
    kindFields.push(`*${plural(hiddenKinds.length, "more kind")}*\n${formatCount(sum)}`);
  }
  const blocks = fieldSections(kindFields, `*Tokens issued:* ${formatCount(totals.total)}`);

  const labels = grantTypeLabels(totals.grantTypes.map((g) => g.grantType));
  const shown = totals.grantTypes.slice(0, detail.grantTypes);
  const grantFields = shown.map((g) => {
    const nonZero = g.kinds.filter((k) => k.count !== 0);
    const named = nonZero
      .slice(0, detail.kindsPerGrantType)
      .map((k) => `${safeMrkdwn(tokenKindLabel(k.kind), KIND_LABEL_MAX)} ${formatCount(k.count)}`);
    if (nonZero.length > named.length) named.push(plural(nonZero.length - named.length, "more kind"));
    const label = safeMrkdwn(labels.get(g.grantType) ?? g.grantType, LABEL_MAX);
    return `*${label}*\n${[plural(g.total, "token"), ...named].join(" · ")}`;
  });
  const folded = totals.grantTypes.slice(shown.length);
  if (folded.length > 0) {
    const sum = folded.reduce((s, g) => s + g.total, 0);
    const what =
      shown.length > 0 ? plural(folded.length, "more grant type") : plural(folded.length, "grant type");
    grantFields.push(`*${what}*\n${plural(sum, "token")}`);
  }
  return [...blocks, ...fieldSections(grantFields, "*By grant type*")];
}

function buildMonthMessage(input: MonthMessageInput, detail: MonthDetail): SlackMessage {
  const { stats, month, current } = input;
  const name = monthLabel(month);
  const blocks: KnownBlock[] = [header(current ? `${name} (so far)` : name)];
  let text: string;

  if (stats) {
    const change = monthChange(stats, input.previous);
    const soFar = current ? " so far" : "";
    const fields = [`*Monthly active users*\n*${formatCount(stats.mau)}*${soFar}`];
    if (change && input.previous) {
      const against = monthLabel(input.previous.month);
      const partial = current ? "\n_this month is still in progress_" : "";
      fields.push(`*Change vs ${against}*\n${formatChange(change)}${partial}`);
    }
    blocks.push(...fieldSections(fields), { type: "divider" }, ...tokenBlocks(stats, detail));
    const vs =
      change && input.previous
        ? ` (${formatShortChange(change)} vs ${monthLabel(input.previous.month)})`
        : "";
    text = `${name}: ${formatCount(stats.mau)} monthly active users${soFar}${vs}.`;
  } else {
    const later = current
      ? " Figures appear once sign-ins are recorded; server nodes write them every 15 minutes."
      : "";
    blocks.push(section(`*No data for ${name}.* The server reported no statistics for this month.${later}`));
    text = `${name}: no data.`;
  }

  blocks.push(sourceContext(input.host, input.fetchedAt, input.timeZone, stats ? HLL_NOTE : undefined));

  const nav = input.navigation;
  if (nav) {
    blocks.push(
      ...actions([
        ...button(`◀ ${monthLabel(previousMonth(month))}`, ACTION_IDS.prev, nav.prev),
        // Never offer a month after the one in progress, whatever the caller passed.
        ...(current ? [] : button(`${monthLabel(nextMonth(month))} ▶`, ACTION_IDS.next, nav.next)),
        ...button("12-month trend", ACTION_IDS.trend, nav.trend),
        ...button("Share in channel", ACTION_IDS.share, nav.share, true),
      ]),
    );
  }
  return { text: fallback(text), blocks };
}

/** One month: MAU, change against the previous month, tokens by kind and grant type. */
export function renderMonthMessage(input: MonthMessageInput): SlackMessage {
  return firstWithinLimits(MONTH_DETAIL.map((detail) => () => buildMonthMessage(input, detail)));
}

// ---------------------------------------------------------------------------------------------
// A range of months, and the 12-month trend
// ---------------------------------------------------------------------------------------------

export interface SeriesMessageInput {
  readonly title: string;
  readonly months: readonly Month[];
  readonly result: SeriesInput;
  readonly host: string;
  readonly fetchedAt: number;
  readonly timeZone: string;
  readonly share?: string;
}

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
    change: formatShortChange(r.change),
    bar: r.stats ? slackBar(r.stats.mau, max ?? 0) : "",
  }));
  const mw = Math.max(5, ...cells.map((c) => c.month.length));
  const nw = Math.max(3, ...cells.map((c) => c.mau.length));
  const cw = Math.max(6, ...cells.map((c) => c.change.length));
  const head = `${"Month".padEnd(mw)}  ${"MAU".padStart(nw)}  ${"Change".padEnd(cw)}`.trimEnd();
  return [
    head,
    ...cells.map((c) =>
      `${c.month.padEnd(mw)}  ${c.mau.padStart(nw)}  ${c.change.padEnd(cw)}  ${c.bar}`.trimEnd(),
    ),
  ];
}

/** `Jan 2021, Feb 2021 and 3 more`: months named until the list gets long. */
function monthList(
  months: readonly Month[],
  name: (m: Month) => string = shortMonthLabel,
  named = 6,
): string {
  const shown = months.slice(0, named).map(name);
  const rest = months.length - shown.length;
  return rest > 0 ? `${shown.join(", ")} and ${formatCount(rest)} more` : shown.join(", ");
}

function buildSeriesMessage(input: SeriesMessageInput, maxRows: number): SlackMessage {
  const summary = seriesSummary(input.months, input.result);
  const title = truncateUnits(cleanText(input.title), SLACK_LIMITS.headerText) || TITLE_FALLBACK;
  const blocks: KnownBlock[] = [header(title)];

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
  if (fields.length > 0) blocks.push(...fieldSections(fields));
  else if (summary.rows.length > 0) blocks.push(section("*No data* for any month in this range."));

  blocks.push(
    sourceContext(
      input.host,
      input.fetchedAt,
      input.timeZone,
      `${HLL_NOTE}; the average counts months with data only.`,
    ),
    ...actions(button("Share in channel", ACTION_IDS.share, input.share, true)),
  );

  const stats =
    summary.average !== undefined && summary.maximum
      ? `average ${formatCount(summary.average)} MAU over ${plural(summary.withData, "month")} with data, maximum ${formatCount(summary.maximum.mau)} in ${monthLabel(summary.maximum.month)}`
      : "no data";
  const gaps =
    missing.length > 0 && summary.withData > 0 ? `; no data for ${plural(missing.length, "month")}` : "";
  return { text: fallback(`${title}: ${stats}${gaps}.`), blocks };
}

/** A range or the trend: a line per month with MAU, bar and change; average and maximum. */
export function renderSeriesMessage(input: SeriesMessageInput): SlackMessage {
  return firstWithinLimits([36, 24, 12, 6].map((rows) => () => buildSeriesMessage(input, rows)));
}

// ---------------------------------------------------------------------------------------------
// The billing export
// ---------------------------------------------------------------------------------------------

export interface ExportMessageMeta {
  readonly host: string;
  readonly fetchedAt: number;
  readonly timeZone: string;
  readonly share?: string;
}

function buildExportMessage(exp: BillingExport, meta: ExportMessageMeta, maxRows: number): SlackMessage {
  const first = exp.rows[0]?.month;
  const last = exp.rows[exp.rows.length - 1]?.month;
  const span = first && last ? `${shortMonthLabel(first)} – ${shortMonthLabel(last)}` : "";
  const title = span ? `MAU billing export: ${span}` : "MAU billing export";
  const blocks: KnownBlock[] = [header(title)];

  const rows = exp.rows.slice(Math.max(0, exp.rows.length - maxRows));
  if (rows.length > 0) {
    const cells = rows.map((r) => ({
      month: isoMonth(r.month),
      mau: r.mau === undefined ? "no data" : formatCount(r.mau),
    }));
    const nw = Math.max(3, ...cells.map((c) => c.mau.length));
    blocks.push(
      ...codeSections([
        `Month    ${"MAU".padStart(nw)}`,
        ...cells.map((c) => `${c.month}  ${c.mau.padStart(nw)}`),
      ]),
    );
  }
  if (rows.length < exp.rows.length) {
    blocks.push(section(`_${plural(exp.rows.length - rows.length, "earlier month")} not shown here._`));
  }

  const fields: string[] = [];
  if (exp.average !== undefined) {
    const withData = exp.rows.length - exp.missing.length;
    fields.push(`*Average*\n${formatCount(exp.average)}\n_over the ${plural(withData, "month")} with data_`);
  }
  if (exp.maximum)
    fields.push(`*Maximum*\n${formatCount(exp.maximum.mau)} in ${monthLabel(exp.maximum.month)}`);
  if (fields.length > 0) blocks.push(...fieldSections(fields));

  blocks.push(section(`*mau-signature*\n\`${exp.signature}\``));
  if (exp.missing.length > 0) {
    blocks.push(
      section(
        `:warning: *No data for ${monthList(exp.missing, isoMonth)}.* The official exporter leaves such months out, so they add nothing to the signature. They are missing, not zero.`,
      ),
    );
  }
  blocks.push(
    sourceContext(
      meta.host,
      meta.fetchedAt,
      meta.timeZone,
      "Signature as Gluu's stat-exporter computes it: SHA-256 of 42 + the sum of the MAU values listed.",
    ),
    ...actions(button("Share in channel", ACTION_IDS.share, meta.share, true)),
  );

  const figures =
    exp.average !== undefined && exp.maximum
      ? `average ${formatCount(exp.average)}, maximum ${formatCount(exp.maximum.mau)} (${monthLabel(exp.maximum.month)})`
      : "no data";
  const what = span ? `MAU billing export (${span})` : "MAU billing export";
  return { text: fallback(`${what}: ${figures}; mau-signature ${exp.signature}.`), blocks };
}

/** The billing export: each month's MAU, average, maximum and the `mau-signature`. */
export function renderExportMessage(exp: BillingExport, meta: ExportMessageMeta): SlackMessage {
  return firstWithinLimits([36, 24, 12, 0].map((rows) => () => buildExportMessage(exp, meta, rows)));
}

// ---------------------------------------------------------------------------------------------
// Help, errors, refusals
// ---------------------------------------------------------------------------------------------

/**
 * `usage` is the bot's own mrkdwn (src/query/usage.ts) and goes through unescaped, so its
 * formatting survives; it is split over sections by lines and cut if absurdly long.
 */
function usageBlocks(usage: string, budget: number): KnownBlock[] {
  const chunks = packLines(usage.split("\n"), SLACK_LIMITS.sectionText);
  const out: KnownBlock[] = [];
  let used = 0;
  for (const chunk of chunks) {
    if (used + chunk.length > budget) {
      out.push(section("_(usage text cut short)_"));
      break;
    }
    out.push(section(chunk));
    used += chunk.length;
  }
  return out;
}

const USAGE_BUDGET = SLACK_LIMITS.totalBlockText - 3500;

export function renderHelpMessage(usage: string): SlackMessage {
  const blocks = usage.trim() ? usageBlocks(usage, USAGE_BUDGET) : [section("No usage text is available.")];
  return { text: "How to use the Gluu statistics command.", blocks };
}

/** `sentence` is one sentence for the user; `ref` lets an admin find the error in the bot's log. */
export function renderErrorMessage(sentence: string, ref?: string): SlackMessage {
  const said = safeMrkdwn(sentence, 2000) || "Something went wrong.";
  const blocks: KnownBlock[] = [section(`:warning: ${said}`)];
  const reference = ref === undefined ? "" : safeMrkdwn(ref.replace(/`/g, ""), 100);
  if (reference) blocks.push(context([`Reference \`${reference}\`: quote it to whoever runs this bot.`]));
  return { text: safeMrkdwn(sentence, 1000) || said, blocks };
}

export function renderUsageError(message: string, usage: string): SlackMessage {
  const said = safeMrkdwn(message, 2000) || "That command was not understood.";
  return {
    text: safeMrkdwn(message, 1000) || said,
    blocks: [section(`:warning: ${said}`), ...usageBlocks(usage, USAGE_BUDGET)],
  };
}

export function renderRefusal(): SlackMessage {
  const said = "Sorry, you can't use Gluu statistics here. Ask whoever runs this bot for access.";
  return { text: said, blocks: [section(`:no_entry: ${said}`)] };
}

// ---------------------------------------------------------------------------------------------
// Limits check
// ---------------------------------------------------------------------------------------------

type Loose = Readonly<Record<string, unknown>>;

function asLoose(value: unknown): Loose | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Loose) : undefined;
}

function asArray(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** Every `text` string in a block, however deeply nested: what Slack's total-size check counts. */
function textLength(value: unknown): number {
  const arr = asArray(value);
  if (arr) return arr.reduce<number>((n, v) => n + textLength(v), 0);
  const obj = asLoose(value);
  if (!obj) return 0;
  let n = 0;
  for (const [key, v] of Object.entries(obj))
    n += key === "text" && typeof v === "string" ? v.length : textLength(v);
  return n;
}

/**
 * Violations of SLACK_LIMITS in a message, as readable paths (`blocks[3].fields[2]: 2,013 > 2,000
 * characters`); empty when Slack will accept it. Lengths are UTF-16 code units, never fewer than
 * the characters Slack counts.
 */
export function checkBlockLimits(message: {
  readonly text: string;
  readonly blocks: readonly (KnownBlock | Block)[];
}): string[] {
  const L = SLACK_LIMITS;
  const problems: string[] = [];
  const length = (path: string, value: unknown, max: number, min = L.textObjectMin): void => {
    if (typeof value !== "string") {
      problems.push(`${path}: missing text`);
      return;
    }
    if (value.length < min) problems.push(`${path}: ${value.length} < ${min} characters`);
    if (value.length > max) problems.push(`${path}: ${value.length} > ${max} characters`);
  };
  const textObject = (path: string, value: unknown, max: number, plainOnly = false): void => {
    const obj = asLoose(value);
    if (!obj) {
      problems.push(`${path}: not a text object`);
      return;
    }
    const allowed = plainOnly
      ? obj.type === "plain_text"
      : obj.type === "plain_text" || obj.type === "mrkdwn";
    if (!allowed) problems.push(`${path}: text type ${String(obj.type)} not allowed`);
    length(`${path}.text`, obj.text, max);
  };

  length("text", message.text, L.fallbackText);
  if (message.blocks.length > L.blocksPerMessage) {
    problems.push(`blocks: ${message.blocks.length} > ${L.blocksPerMessage} blocks`);
  }
  const actionIds = new Set<string>();
  let total = 0;
  message.blocks.forEach((block, i) => {
    const b = asLoose(block) ?? {};
    const at = `blocks[${i}]`;
    total += textLength(b);
    if (b.block_id !== undefined) length(`${at}.block_id`, b.block_id, L.blockId);
    switch (b.type) {
      case "header":
        textObject(`${at}.text`, b.text, L.headerText, true);
        break;
      case "section": {
        const fields = asArray(b.fields);
        if (b.text === undefined && !fields) problems.push(`${at}: section without text or fields`);
        if (b.text !== undefined) textObject(`${at}.text`, b.text, L.sectionText);
        if (b.fields !== undefined && !fields) problems.push(`${at}.fields: not an array`);
        if (fields) {
          if (fields.length === 0) problems.push(`${at}.fields: empty`);
          if (fields.length > L.sectionFields)
            problems.push(`${at}.fields: ${fields.length} > ${L.sectionFields} items`);
          fields.forEach((f, j) => {
            textObject(`${at}.fields[${j}]`, f, L.sectionFieldText);
          });
        }
        break;
      }
      case "context": {
        const elements = asArray(b.elements) ?? [];
        if (elements.length === 0) problems.push(`${at}.elements: empty`);
        if (elements.length > L.contextElements) {
          problems.push(`${at}.elements: ${elements.length} > ${L.contextElements} items`);
        }
        elements.forEach((e, j) => {
          if (asLoose(e)?.type !== "image") textObject(`${at}.elements[${j}]`, e, L.contextText);
        });
        break;
      }
      case "actions": {
        const elements = asArray(b.elements) ?? [];
        if (elements.length === 0) problems.push(`${at}.elements: empty`);
        if (elements.length > L.actionsElements) {
          problems.push(`${at}.elements: ${elements.length} > ${L.actionsElements} items`);
        }
        elements.forEach((e, j) => {
          const el = asLoose(e) ?? {};
          const p = `${at}.elements[${j}]`;
          if (el.type !== "button") return;
          textObject(`${p}.text`, el.text, L.buttonText, true);
          if (el.value !== undefined) length(`${p}.value`, el.value, L.buttonValue);
          if (el.url !== undefined) length(`${p}.url`, el.url, L.buttonUrl);
          if (el.action_id !== undefined) {
            length(`${p}.action_id`, el.action_id, L.actionId);
            const id = String(el.action_id);
            if (actionIds.has(id)) problems.push(`${p}.action_id: duplicate ${id}`);
            actionIds.add(id);
          }
        });
        break;
      }
      default:
        break;
    }
  });
  if (total > L.totalBlockText)
    problems.push(`blocks: ${total} > ${L.totalBlockText} text characters in all`);
  return problems;
}
