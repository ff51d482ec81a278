/** One month as a Slack message: MAU, change against the month before, tokens, navigation. */
import type { types as slack } from "@slack/bolt";
import type { MonthStats } from "../../gluu/model.js";
import { monthLabel } from "../../months.js";
import {
  formatChange,
  formatCount,
  formatPace,
  formatShortChange,
  formatUsage,
  formatUsagePercent,
  grantTypeLabels,
  monthTitle,
  tokenKindLabel,
} from "../format.js";
import type { TokenTotals } from "../summary.js";
import type { MonthView } from "../view.js";
import { ACTION_IDS } from "./action-ids.js";
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

type KnownBlock = slack.KnownBlock;

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

function tokenBlocks(totals: TokenTotals, detail: MonthDetail): KnownBlock[] {
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

function figureBlocks(view: MonthView, stats: MonthStats, detail: MonthDetail): KnownBlock[] {
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
  return `${name}: ${formatCount(stats.mau)} monthly active users${view.current ? " so far" : ""}${vs}${usage}.`;
}

function buildMonthMessage(view: MonthView, detail: MonthDetail): SlackMessage {
  const { stats, month, current } = view;
  const name = monthLabel(month);
  const blocks: KnownBlock[] = [header(monthTitle(view))];
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

/** Rebuilt with less token detail until it fits Slack's limits. */
export function renderMonthMessage(view: MonthView): SlackMessage {
  return firstWithinLimits(MONTH_DETAIL.map((detail) => () => buildMonthMessage(view, detail)));
}
