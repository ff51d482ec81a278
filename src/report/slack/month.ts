/** One month as a Slack message: MAU, change against the month before, tokens, navigation. */
import type { types as slack } from "@slack/bolt";
import type { MonthStats } from "../../gluu/model.js";
import { monthLabel } from "../../months.js";
import {
  cleanText,
  formatChange,
  formatCount,
  formatPace,
  formatShortChange,
  formatUsage,
  formatUsagePercent,
  grantTypeLabels,
  monthTitle,
  tokenKindLabel,
  truncateUnits,
} from "../format.js";
import type { TokenTotals } from "../summary.js";
import type { MonthView } from "../view.js";
import { ACTION_IDS } from "./action-ids.js";
import { type MessageBlock, NEWER_BLOCK_LIMITS, numberCell, tableBlock, textCell } from "./blocks.js";
import {
  actions,
  button,
  escapeMrkdwn,
  fallback,
  fieldSections,
  firstWithinLimits,
  HLL_NOTE,
  header,
  KIND_LABEL_MAX,
  LABEL_MAX,
  plural,
  type SlackMessage,
  safeMrkdwn,
  section,
  sourceContext,
} from "./primitives.js";

interface MonthDetail {
  /** Grant types shown one by one; the rest are folded into one "N more grant types" field. */
  readonly grantTypes: number;
  /** Token kinds shown as fields (of at most 9; the tenth is "N more kinds"). */
  readonly kinds: number;
  /** Kinds named inside each grant type's field. */
  readonly kindsPerGrantType: number;
  /** Grant types as a table block (at most one per message, so the summary turns it off). */
  readonly table: boolean;
  /** Token kinds given their own column in the table; the rest are one "Other kinds" column. */
  readonly tableKinds?: number;
}

const FIELD_DETAIL: readonly Omit<MonthDetail, "table">[] = [
  { grantTypes: 12, kinds: 9, kindsPerGrantType: 4 },
  { grantTypes: 6, kinds: 6, kindsPerGrantType: 3 },
  { grantTypes: 3, kinds: 4, kindsPerGrantType: 2 },
  { grantTypes: 0, kinds: 0, kindsPerGrantType: 0 },
];

/** Every grant type a row, tokens per kind in columns; kinds past the cell limit folded into "Other". */
export function grantTypeTable(
  totals: TokenTotals,
  maxKinds: number = NEWER_BLOCK_LIMITS.tableCells,
): slack.TableBlock {
  const { tableCells, tableRows } = NEWER_BLOCK_LIMITS;
  const kinds = totals.kinds.map((k) => k.kind);
  const room = Math.min(maxKinds, tableCells - 2);
  const named = kinds.length <= room ? kinds : kinds.slice(0, Math.max(0, room - 1));
  const folded = kinds.length > named.length;
  const labels = grantTypeLabels(totals.grantTypes.map((g) => g.grantType));
  const count = (n: number) => numberCell(n, formatCount(n));
  const rows = totals.grantTypes.slice(0, tableRows - 1).map((g) => {
    const byKind = new Map(g.kinds.map((k) => [k.kind, k.count]));
    const other = folded
      ? g.kinds.filter((k) => !named.includes(k.kind)).reduce((s, k) => s + k.count, 0)
      : 0;
    return [
      textCell(truncateUnits(cleanText(labels.get(g.grantType) ?? g.grantType), LABEL_MAX)),
      count(g.total),
      ...named.map((k) => count(byKind.get(k) ?? 0)),
      ...(folded ? [count(other)] : []),
    ];
  });
  const head = [
    "Grant type",
    "Tokens",
    ...named.map((k) => truncateUnits(cleanText(tokenKindLabel(k)), KIND_LABEL_MAX)),
    ...(folded ? ["Other kinds"] : []),
  ];
  return tableBlock(head, rows, ["left", ...head.slice(1).map(() => "right" as const)]);
}

function tokenBlocks(totals: TokenTotals, detail: MonthDetail): MessageBlock[] {
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

  if (detail.table) return [...blocks, section("*By grant type*"), grantTypeTable(totals, detail.tableKinds)];
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

function figureBlocks(view: MonthView, stats: MonthStats, detail: MonthDetail): MessageBlock[] {
  const { change, previous, current } = view;
  const fields = [`*Monthly active users*\n*${formatCount(stats.mau)}*${current ? " so far" : ""}`];
  if (change && previous) {
    fields.push(`*Change vs ${monthLabel(previous.month)}*\n${formatChange(change)}`);
  } else if (current && previous) {
    // A month so far against a whole month is no change; the whole month is there for scale.
    fields.push(`*${monthLabel(previous.month)}, whole month*\n${formatCount(previous.mau)}`);
  }
  if (current && view.pace) {
    fields.push(`*At this point last month*\n${escapeMrkdwn(formatPace(view.pace, view.timeZone))}`);
  }
  if (view.usage) {
    const { usage } = view;
    fields.push(
      `*Licensed MAU*\n${usage.over ? ":warning: " : ""}${formatUsagePercent(usage)} of ${formatCount(usage.limit)}${usage.over ? ", over the limit" : ""}`,
    );
  }
  const tokens = view.tokens ? tokenBlocks(view.tokens, detail) : [];
  return [...fieldSections(fields), { type: "divider" }, ...tokens];
}

function fallbackText(view: MonthView): string {
  const name = monthTitle(view);
  const { stats, change, previous } = view;
  if (!stats) return `${name}: no data.`;
  const vs =
    change && previous
      ? ` (${formatShortChange(change)} vs ${monthLabel(previous.month)})`
      : view.current && previous
        ? ` (${monthLabel(previous.month)}: ${formatCount(previous.mau)})`
        : "";
  const usage = view.usage ? `; ${formatUsage(stats.mau, view.usage)}` : "";
  return `${name}: ${formatCount(stats.mau)} monthly active users${view.current ? " so far" : ""}${vs}${usage}.${tokenFigures(view.tokens)}`;
}

/** " Tokens issued: 9,120 (Authorization code 6,000; …)." The breakdown stays in the text too. */
function tokenFigures(tokens: TokenTotals | undefined): string {
  if (!tokens || tokens.grantTypes.length === 0) return "";
  const labels = grantTypeLabels(tokens.grantTypes.map((g) => g.grantType));
  const each = tokens.grantTypes.map(
    (g) => `${cleanText(labels.get(g.grantType) ?? g.grantType)} ${formatCount(g.total)}`,
  );
  return ` Tokens issued: ${formatCount(tokens.total)} (${each.join("; ")}).`;
}

function buildMonthMessage(view: MonthView, detail: MonthDetail): SlackMessage {
  const { stats, month, current } = view;
  const name = monthLabel(month);
  const blocks: MessageBlock[] = [header(monthTitle(view))];
  if (stats) blocks.push(...figureBlocks(view, stats, detail));
  else {
    const later = current
      ? " Figures appear once sign-ins are recorded; server nodes write them every 15 minutes."
      : "";
    blocks.push(section(`*No data for ${name}.* The server reported no statistics for this month.${later}`));
  }
  blocks.push(sourceContext(view.host, view.fetchedAt, view.timeZone, stats ? HLL_NOTE : undefined));

  const b = view.buttons;
  if (b) {
    blocks.push(
      ...actions([
        ...(b.prev ? button(`◀ ${monthLabel(b.prev.month)}`, ACTION_IDS.prev, b.prev.value) : []),
        ...(b.next ? button(`${monthLabel(b.next.month)} ▶`, ACTION_IDS.next, b.next.value) : []),
        ...button("12-month trend", ACTION_IDS.trend, b.trend.value),
        ...button("Share in channel", ACTION_IDS.share, b.share?.value, true),
      ]),
    );
  }
  return { text: fallback(fallbackText(view)), blocks };
}

/**
 * Rebuilt with less token detail until it fits Slack's limits. `grantTable`: the grant types as a
 * table block (first choice) or, where the message has a table already, as fields.
 */
export function renderMonthMessage(view: MonthView, options: { grantTable?: boolean } = {}): SlackMessage {
  const tables: MonthDetail[] =
    options.grantTable === false
      ? []
      : [18, 4].map((tableKinds) => ({
          grantTypes: 12,
          kinds: 9,
          kindsPerGrantType: 4,
          table: true,
          tableKinds,
        }));
  const candidates = [...tables, ...FIELD_DETAIL.map((d) => ({ ...d, table: false }))];
  return firstWithinLimits(candidates.map((detail) => () => buildMonthMessage(view, detail)));
}
