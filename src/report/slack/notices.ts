/** Messages without figures: help, usage errors, failures, refusals and "on its way". */
import type { types as slack } from "@slack/bolt";
import { SLACK_LIMITS } from "./limits.js";
import {
  context,
  fallback,
  HOST_MAX,
  LABEL_MAX,
  packLines,
  type SlackMessage,
  safeMrkdwn,
  section,
} from "./primitives.js";

type KnownBlock = slack.KnownBlock;

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

export type InterimInput =
  | {
      /** What is being fetched ("June 2021"). */
      readonly what: string;
      readonly host: string;
      /** Seconds until the server is expected to answer, when the bot knows. */
      readonly waitS?: number;
      /** The answer will be posted in the channel, not here. */
      readonly inChannel: boolean;
    }
  /** Work that is not fetching figures for the person ("Posting the June 2021 summary"). */
  | { readonly doing: string; readonly host: string };

/** The short reply shown while an answer waits for the Gluu server. */
export function renderInterim(input: InterimInput): SlackMessage {
  const icon = ":hourglass_flowing_sand:";
  if ("doing" in input) {
    const text = `${icon} ${safeMrkdwn(input.doing, 200)}; the outcome follows here.`;
    return { text: fallback(text), blocks: [section(text)] };
  }
  const host = safeMrkdwn(input.host, HOST_MAX);
  const what = `your figures for ${safeMrkdwn(input.what, LABEL_MAX)}`;
  const where = input.inChannel ? ", posted in the channel" : "";
  const text =
    input.waitS !== undefined
      ? `${icon} The Gluu server ${host} answers one statistics request per interval; ${what} follow in about ${formatWait(input.waitS)}${where}.`
      : `${icon} Asking the Gluu server ${host} for ${what}; they follow as soon as it answers${where}.`;
  return { text: fallback(text), blocks: [section(text)] };
}

function formatWait(s: number): string {
  if (s < 90) return `${s} s`;
  return `${Math.round(s / 60)} min`;
}

/** The confirmation of a file sent for `export csv` or `trend chart`. */
export function renderFileSent(sent: {
  readonly filename: string;
  readonly title: string;
  /** `dm`: the person's direct messages with the bot; else the channel it was shared in. */
  readonly where: "dm" | "channel";
  readonly link?: string;
}): SlackMessage {
  const where = sent.where === "dm" ? "to your direct messages with the bot" : "in this channel";
  const name = safeMrkdwn(sent.filename, 200);
  const link = sent.link && /^https:\/\//.test(sent.link) ? ` (<${sent.link}|open>)` : "";
  const text = `Sent ${sent.filename} (${sent.title}) ${where}.`;
  return {
    text: safeMrkdwn(text, 1000),
    blocks: [section(`:paperclip: Sent *${name}* ${where}${link}. ${safeMrkdwn(sent.title, 200)}.`)],
  };
}
