/** The monthly summary's delivery history as a Slack message. */
import type { types as slack } from "@slack/bolt";
import { parseMonthKey, shortMonthLabel } from "../../months.js";
import { FILE_LABEL, formatInstant } from "../format.js";
import type { HistoryLine } from "../view.js";
import { context, escapeMrkdwn, type SlackMessage, safeMrkdwn, section } from "./primitives.js";

type KnownBlock = slack.KnownBlock;

/** One icon per delivery outcome, shared by the history and the App Home. */
export const OUTCOME_ICON = {
  posted: ":white_check_mark:",
  failed: ":x:",
  skipped: ":fast_forward:",
  posting: ":hourglass_flowing_sand:",
} as const;
const EMPTY = "No monthly summary has been posted yet.";

function monthText(key: string): string {
  const m = parseMonthKey(key);
  return m ? shortMonthLabel(m) : key;
}

export function renderHistoryMessage(entries: readonly HistoryLine[], timeZone: string): SlackMessage {
  if (entries.length === 0) return { text: EMPTY, blocks: [section(EMPTY)] };
  const lines = entries.map((e) => {
    const where = /^[CGD][A-Z0-9]+$/.test(e.channel) ? `<#${e.channel}>` : safeMrkdwn(e.channel, 40);
    const link = e.link && /^https:\/\//.test(e.link) ? ` · <${e.link}|view>` : "";
    const error = e.error ? ` · ${safeMrkdwn(e.error, 200)}` : "";
    const at = escapeMrkdwn(formatInstant(e.at, timeZone));
    const what = e.outcome === "posting" ? `posting… (since ${at})` : `${at} · ${e.trigger}`;
    const alert = e.alert === undefined ? "" : ` :rotating_light: ${e.alert} % licence alert`;
    const file = e.file === undefined ? "" : ` :paperclip: ${FILE_LABEL[e.file]} in the summary's thread`;
    const server = e.server === undefined ? "" : ` · ${safeMrkdwn(e.server, 60)}`;
    return `${OUTCOME_ICON[e.outcome]} *${monthText(e.month)}*${server}${alert}${file} → ${where} · ${what}${link}${error}`;
  });
  const blocks: KnownBlock[] = [
    {
      type: "header",
      text: {
        type: "plain_text",
        text: entries.some((e) => e.alert !== undefined)
          ? "Delivery history: monthly summaries and licence alerts"
          : "Monthly summary: delivery history",
      },
    },
  ];
  // Sections hold 3,000 characters; 12 entries of at most ~400 fit in two.
  for (let i = 0; i < lines.length; i += 6) blocks.push(section(lines.slice(i, i + 6).join("\n")));
  blocks.push(
    context([`Newest first; the last ${entries.length} deliveries, those being posted now on top.`]),
  );
  return {
    text: `Monthly summary history: ${entries.length} entries, newest ${monthText(entries[0]?.month ?? "")}`,
    blocks,
  };
}
