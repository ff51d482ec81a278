/**
 * The same reply without the newer blocks, for a workspace that refuses them: a table becomes a
 * monospace table in code sections, a chart is left out (its figures are in the table and the
 * text). Pure, and generic over every renderer, so no renderer has to draw each reply twice.
 */
import type { types as slack } from "@slack/bolt";
import { NEWER_BLOCK_TYPES } from "./blocks.js";
import { checkBlockLimits } from "./limits.js";
import { codeSections, escapeMrkdwn, plural, type SlackMessage, section } from "./primitives.js";

type TableBlock = slack.TableBlock;

/** Whether a message carries a block some workspaces refuse. */
export function hasNewerBlocks(message: { readonly blocks: readonly { readonly type: string }[] }): boolean {
  return message.blocks.some((b) => NEWER_BLOCK_TYPES.has(b.type));
}

function cellText(cell: unknown): string {
  if (typeof cell === "object" && cell !== null && "text" in cell) {
    const t = (cell as { text: unknown }).text;
    if (typeof t === "string") return t;
  }
  return "";
}

/** A table block's rows as aligned monospace lines, the header first; numbers right-aligned. */
export function tableLines(table: TableBlock): string[] {
  const rows = table.rows.map((row) => row.map(cellText));
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(0, ...rows.map((r) => (r[c] ?? "").length)),
  );
  const right = (c: number) => table.column_settings?.[c]?.align === "right";
  return rows.map((r) =>
    widths
      .map((w, c) => {
        const text = r[c] ?? "";
        return right(c) ? text.padStart(w) : text.padEnd(w);
      })
      .join("  ")
      .trimEnd(),
  );
}

function classicBlocks(message: SlackMessage, keepRows: number) {
  return message.blocks.flatMap((block) => {
    if (block.type === "data_visualization") return [];
    if (block.type !== "table") return [block];
    // Code sections are mrkdwn, where `<!channel>` would still be a mention: escaped after padding.
    const [head, ...body] = tableLines(block).map(escapeMrkdwn);
    const shown = body.slice(Math.max(0, body.length - keepRows));
    const hidden = body.length - shown.length;
    return [
      ...codeSections([head ?? "", ...shown]),
      ...(hidden > 0 ? [section(`_${plural(hidden, "earlier row")} not shown here._`)] : []),
    ];
  });
}

/** `message` without tables and charts, within Slack's limits (the latest table rows kept). */
export function withoutNewerBlocks(message: SlackMessage): SlackMessage {
  if (!hasNewerBlocks(message)) return message;
  let last: SlackMessage = message;
  for (const rows of [100, 48, 24, 12, 6]) {
    last = { text: message.text, blocks: classicBlocks(message, rows) };
    if (checkBlockLimits(last).length === 0) return last;
  }
  return last;
}
