/**
 * Slack's limits, and the checker every renderer's output is held to: tests run it over random
 * data, and renderers rebuild a message with less detail until it passes.
 */
import type { types as slack } from "@slack/bolt";
import { type MessageBlock, NEWER_BLOCK_LIMITS } from "./blocks.js";

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
  readonly blocks: readonly (MessageBlock | Block)[];
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
  let tables = 0;
  let charts = 0;
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
      case "table":
        tables++;
        problems.push(...checkTable(at, b));
        break;
      case "data_visualization":
        charts++;
        problems.push(...checkChart(at, b));
        break;
      default:
        break;
    }
  });
  const N = NEWER_BLOCK_LIMITS;
  if (tables > N.tablesPerMessage) problems.push(`blocks: ${tables} > ${N.tablesPerMessage} table blocks`);
  if (charts > N.chartsPerMessage) problems.push(`blocks: ${charts} > ${N.chartsPerMessage} charts`);
  if (total > L.totalBlockText)
    problems.push(`blocks: ${total} > ${L.totalBlockText} text characters in all`);
  return problems;
}

function lengthProblem(path: string, value: unknown, max: number, min = 1): string[] {
  if (typeof value !== "string") return [`${path}: missing text`];
  if (value.length < min) return [`${path}: ${value.length} < ${min} characters`];
  if (value.length > max) return [`${path}: ${value.length} > ${max} characters`];
  return [];
}

function checkTable(at: string, b: Loose): string[] {
  const N = NEWER_BLOCK_LIMITS;
  const problems: string[] = [];
  const rows = asArray(b.rows);
  if (!rows || rows.length === 0) return [`${at}.rows: empty`];
  if (rows.length > N.tableRows) problems.push(`${at}.rows: ${rows.length} > ${N.tableRows} rows`);
  const width = asArray(rows[0])?.length ?? 0;
  rows.forEach((row, r) => {
    const cells = asArray(row);
    if (!cells || cells.length === 0) {
      problems.push(`${at}.rows[${r}]: empty`);
      return;
    }
    if (cells.length > N.tableCells)
      problems.push(`${at}.rows[${r}]: ${cells.length} > ${N.tableCells} cells`);
    if (cells.length !== width)
      problems.push(`${at}.rows[${r}]: ${cells.length} cells, the first row has ${width}`);
    cells.forEach((cell, c) => {
      const el = asLoose(cell) ?? {};
      const p = `${at}.rows[${r}][${c}]`;
      if (el.type === "raw_number" && !Number.isFinite(el.value)) problems.push(`${p}.value: not a number`);
      if (el.type !== "raw_text" && el.type !== "raw_number")
        problems.push(`${p}: cell type ${String(el.type)} not allowed`);
      problems.push(...lengthProblem(`${p}.text`, el.text, N.tableCellText));
    });
  });
  const settings = asArray(b.column_settings);
  if (settings && settings.length > N.tableCells)
    problems.push(`${at}.column_settings: ${settings.length} > ${N.tableCells} items`);
  return problems;
}

function checkChart(at: string, b: Loose): string[] {
  const N = NEWER_BLOCK_LIMITS;
  const problems = lengthProblem(`${at}.title`, b.title, N.chartTitle);
  const chart = asLoose(b.chart) ?? {};
  if (chart.type !== "line") problems.push(`${at}.chart.type: ${String(chart.type)} is not a line chart`);
  const axis = asLoose(chart.axis_config) ?? {};
  const categories = asArray(axis.categories) ?? [];
  if (categories.length === 0) problems.push(`${at}.chart.axis_config.categories: empty`);
  if (categories.length > N.chartCategories)
    problems.push(
      `${at}.chart.axis_config.categories: ${categories.length} > ${N.chartCategories} categories`,
    );
  const known = new Set<unknown>(categories);
  if (known.size !== categories.length) problems.push(`${at}.chart.axis_config.categories: duplicates`);
  categories.forEach((c, i) => {
    problems.push(...lengthProblem(`${at}.chart.axis_config.categories[${i}]`, c, N.chartLabel));
  });
  for (const key of ["x_label", "y_label"] as const) {
    if (axis[key] !== undefined)
      problems.push(...lengthProblem(`${at}.chart.axis_config.${key}`, axis[key], N.chartAxisLabel));
  }
  const series = asArray(chart.series) ?? [];
  if (series.length < N.chartSeriesMin || series.length > N.chartSeriesMax)
    problems.push(`${at}.chart.series: ${series.length} series, not ${N.chartSeriesMin}–${N.chartSeriesMax}`);
  series.forEach((s, i) => {
    const one = asLoose(s) ?? {};
    const p = `${at}.chart.series[${i}]`;
    problems.push(...lengthProblem(`${p}.name`, one.name, N.chartLabel));
    const data = asArray(one.data) ?? [];
    if (data.length === 0) problems.push(`${p}.data: empty`);
    const seen = new Set<unknown>();
    data.forEach((d, j) => {
      const point = asLoose(d) ?? {};
      if (!known.has(point.label)) problems.push(`${p}.data[${j}].label: not a category`);
      if (seen.has(point.label)) problems.push(`${p}.data[${j}].label: twice in one series`);
      seen.add(point.label);
      if (typeof point.value !== "number" || !Number.isFinite(point.value))
        problems.push(`${p}.data[${j}].value: not a number`);
    });
  });
  return problems;
}
