/**
 * Block Kit building blocks shared by every Slack renderer: escaping, text objects, sections,
 * code tables, buttons, the source line, and the "first candidate within limits" rule.
 */
import type { types as slack } from "@slack/bolt";
import { type Month, shortMonthLabel } from "../../months.js";
import { cleanText, formatCount, formatInstant, truncateUnits } from "../format.js";
import type { MessageBlock } from "./blocks.js";
import { checkBlockLimits, SLACK_LIMITS } from "./limits.js";

type KnownBlock = slack.KnownBlock;
type Button = slack.Button;
type MrkdwnElement = slack.MrkdwnElement;
type PlainTextElement = slack.PlainTextElement;
type SectionBlock = slack.SectionBlock;

export interface SlackMessage {
  /** Fallback for notifications, screen readers and clients without Block Kit: the key numbers. */
  readonly text: string;
  readonly blocks: MessageBlock[];
}

export const HLL_NOTE = "MAU is a HyperLogLog estimate (about 0.6% error)";
/** Server-provided names beyond this are cut: a label is there to be recognised, not read. */
export const LABEL_MAX = 60;
export const KIND_LABEL_MAX = 30;
export const HOST_MAX = 100;
export const TITLE_FALLBACK = "Monthly active users";

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
export function mrkdwn(text: string): MrkdwnElement {
  return { type: "mrkdwn", text, verbatim: true };
}

export function plain(text: string): PlainTextElement {
  return { type: "plain_text", text };
}

export function header(text: string): KnownBlock {
  return { type: "header", text: plain(truncateUnits(text, SLACK_LIMITS.headerText)) };
}

export function section(text: string): KnownBlock {
  return { type: "section", text: mrkdwn(text) };
}

/** Fields in sections of at most 10; the first section may carry a heading text. */
export function fieldSections(fields: readonly string[], heading?: string): KnownBlock[] {
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

export function context(texts: readonly string[]): KnownBlock {
  return { type: "context", elements: texts.slice(0, SLACK_LIMITS.contextElements).map(mrkdwn) };
}

/**
 * Packs lines into chunks of at most `max - overhead` characters (the overhead is left for a
 * wrapper such as a code fence), never splitting a line; a single line too long for a chunk is
 * cut instead.
 */
export function packLines(lines: readonly string[], max: number, overhead = 0): string[] {
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
export function codeSections(lines: readonly string[]): KnownBlock[] {
  const fence = "```";
  return packLines(lines, SLACK_LIMITS.sectionText, fence.length * 2 + 2).map((chunk) =>
    section(`${fence}\n${chunk}\n${fence}`),
  );
}

/**
 * A button, or nothing when its value cannot be sent: an empty or over-long command text would
 * be rejected by Slack, and a shortened one would run a different command.
 */
export function button(text: string, actionId: string, value: string | undefined, primary = false): Button[] {
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

export function actions(buttons: readonly Button[]): KnownBlock[] {
  return buttons.length > 0 ? [{ type: "actions", elements: [...buttons] }] : [];
}

export function sourceContext(host: string, fetchedAt: number, timeZone: string, note?: string): KnownBlock {
  const where = `${safeMrkdwn(host, HOST_MAX) || "Unknown server"} · fetched ${escapeMrkdwn(formatInstant(fetchedAt, timeZone))}`;
  return context(note ? [where, note] : [where]);
}

/** Fallback texts are one-line summaries; 1,000 characters is plenty and far below the 4,000. */
export function fallback(text: string): string {
  return safeMrkdwn(text, 1000) || "Gluu statistics";
}

/** The first candidate within Slack's limits; the last one otherwise (small by construction). */
export function firstWithinLimits(candidates: ReadonlyArray<() => SlackMessage>): SlackMessage {
  let last: SlackMessage | undefined;
  for (const build of candidates) {
    last = build();
    if (checkBlockLimits(last).length === 0) return last;
  }
  if (!last) throw new Error("no message candidates");
  return last;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** `Jan 2021, Feb 2021 and 3 more`: months named until the list gets long. */
export function monthList(
  months: readonly Month[],
  name: (m: Month) => string = shortMonthLabel,
  named = 6,
): string {
  const shown = months.slice(0, named).map(name);
  const rest = months.length - shown.length;
  return rest > 0 ? `${shown.join(", ")} and ${formatCount(rest)} more` : shown.join(", ");
}
