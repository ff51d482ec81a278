/**
 * Slack's limits, and the checker every renderer's output is held to: tests run it over random
 * data, and renderers rebuild a message with less detail until it passes.
 */
import type { types as slack } from "@slack/bolt";

type KnownBlock = slack.KnownBlock;
type Block = slack.Block;

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
