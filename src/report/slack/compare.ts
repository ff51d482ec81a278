/** `/gluu-stats all [month]`: the servers side by side, a table and the same figures in text. */
import type { types as slack } from "@slack/bolt";
import {
  formatCount,
  formatInstant,
  formatShortChange,
  formatUsagePercent,
  monthTitle,
  SUM_NOTE,
  sumLabel,
} from "../format.js";
import type { ComparisonRow, ComparisonView } from "../view.js";
import { numberCell, type TableCell, tableBlock, textCell } from "./blocks.js";
import {
  context,
  escapeMrkdwn,
  fallback,
  header,
  type SlackMessage,
  safeMrkdwn,
  section,
} from "./primitives.js";
import { usageCell } from "./series.js";

type KnownBlock = slack.KnownBlock;

function changeText(view: ComparisonView, change: ComparisonRow["change"]): string {
  if (view.current) return "so far";
  return formatShortChange(change) || "–";
}

export function renderComparison(view: ComparisonView): SlackMessage {
  const licensed = view.rows.some((r) => r.usage);
  const head = ["Server", "MAU", "Change", "Tokens", ...(licensed ? ["Licence"] : [])];
  const dash = textCell("–");
  const licence = (usage: ComparisonRow["usage"]) => (licensed ? [usage ? usageCell(usage) : dash] : []);
  const cells = (r: ComparisonRow): TableCell[] => {
    const name = textCell(r.displayName.slice(0, 60));
    if (r.unavailable !== undefined)
      return [name, textCell("unavailable"), dash, dash, ...licence(undefined)];
    if (!r.stats) return [name, textCell("no data"), dash, dash, ...licence(undefined)];
    return [
      name,
      numberCell(r.stats.mau, formatCount(r.stats.mau)),
      textCell(changeText(view, r.change)),
      numberCell(r.tokens ?? 0, formatCount(r.tokens ?? 0)),
      ...licence(r.usage),
    ];
  };
  const { sum } = view;
  const sumCells: TableCell[][] = sum
    ? [
        [
          textCell(sumLabel(sum.servers)),
          numberCell(sum.mau, formatCount(sum.mau)),
          textCell(changeText(view, sum.change)),
          numberCell(sum.tokens, formatCount(sum.tokens)),
          ...licence(undefined),
        ],
      ]
    : [];
  const table = tableBlock(
    head,
    [...view.rows.map(cells), ...sumCells],
    ["left", "right", "right", "right", ...(licensed ? (["right"] as const) : [])],
  );
  const lines = [...view.rows.map((r) => rowLine(view, r)), ...(sum ? [sumLine(view, sum)] : [])];
  const title = `MAU by server: ${monthTitle(view)}`;
  const notes = [
    ...(sum ? [SUM_NOTE] : []),
    view.fetchedAt !== undefined
      ? `Fetched ${escapeMrkdwn(formatInstant(view.fetchedAt, view.timeZone))}; a server marked unavailable is still being asked, so ask again in a minute.`
      : "No server answered; ask again in a minute.",
  ];
  const blocks: KnownBlock[] = [header(title), table, section(lines.join("\n")), context(notes)];
  return {
    text: fallback(`${title}. ${lines.map((l) => l.replace(/[*_]/g, "")).join("; ")}`),
    blocks,
  };
}

function rowLine(view: ComparisonView, r: ComparisonRow): string {
  const name = `*${safeMrkdwn(r.displayName, 60)}*`;
  if (r.unavailable !== undefined) return `${name}: _${escapeMrkdwn(r.unavailable)}_`;
  if (!r.stats) return `${name}: no data for this month`;
  const parts = [
    `${formatCount(r.stats.mau)} MAU`,
    ...(view.current ? ["so far"] : r.change ? [formatShortChange(r.change)] : []),
    `${formatCount(r.tokens ?? 0)} tokens`,
    ...(r.usage
      ? [
          `${r.usage.over ? ":warning: " : ""}${formatUsagePercent(r.usage)} of the licensed ${formatCount(r.usage.limit)}`,
        ]
      : []),
  ];
  return `${name}: ${parts.join(" · ")}`;
}

function sumLine(view: ComparisonView, sum: NonNullable<ComparisonView["sum"]>): string {
  const parts = [
    `${formatCount(sum.mau)} MAU`,
    ...(view.current ? [] : sum.change ? [formatShortChange(sum.change)] : []),
    `${formatCount(sum.tokens)} tokens`,
  ];
  return `_${sumLabel(sum.servers)}_: ${parts.join(" · ")}`;
}
