/**
 * Slack's Block Kit limits, held against replies the real app renders for a large deployment:
 * 24 months of data with 30 grant types, long names and URNs among them. Every reply must pass
 * checkBlockLimits and still show the server's figures.
 */
import type { types } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_GRANT_TYPES, generateData } from "../../src/emulator/index.js";
import type { MonthStats } from "../../src/gluu/model.js";
import { isoMonth, type Month, monthLabel, monthRange, shortMonthLabel } from "../../src/months.js";
import { formatCount } from "../../src/report/format.js";
import { checkBlockLimits } from "../../src/report/slack/index.js";
import { tokenTotals } from "../../src/report/summary.js";
import type { ResponseUrlBody } from "../../src/slack-double/index.js";
import {
  ago,
  blockText,
  buttonOf,
  CURRENT,
  type Harness,
  headerOf,
  re,
  startHarness,
  statsOf,
  tableLines,
} from "./harness.js";

const GRANT_TYPES: readonly string[] = [
  ...DEFAULT_GRANT_TYPES,
  ...Array.from({ length: 30 - DEFAULT_GRANT_TYPES.length }, (_, i) =>
    i % 3 === 0
      ? `urn:ietf:params:oauth:grant-type:custom-extension-grant-number-${i}-${"segment-".repeat(12)}end`
      : i % 3 === 1
        ? `urn:example:enterprise:federation:token-exchange:partner-${i}:${"x".repeat(200)}`
        : `custom_grant_type_with_a_rather_long_descriptive_name_${i}_${"y".repeat(40)}`,
  ),
];

const DATA: MonthStats[] = generateData({ months: 24, endMonth: CURRENT, grantTypes: GRANT_TYPES, seed: 7 });

function limitsOf(body: ResponseUrlBody): string[] {
  return checkBlockLimits({
    text: String(body.text),
    blocks: (Array.isArray(body.blocks) ? body.blocks : []) as types.KnownBlock[],
  });
}

const mau = (m: Month) => formatCount(statsOf(m, DATA).mau);

/**
 * Token counts of the grant-type fields (`N tokens · …`, the folded `N more grant types` field
 * included): however many grant types are shown one by one, they must add up to the total.
 */
function grantTypeTokenSum(body: ResponseUrlBody): number {
  const text = blockText(body);
  expect(text).toContain("*By grant type*");
  const table = (Array.isArray(body.blocks) ? body.blocks : []).find(
    (b): b is types.TableBlock => (b as { type?: unknown }).type === "table",
  );
  // As a table: the "Tokens" column of every grant type's row.
  if (table) {
    return table.rows.slice(1).reduce((n, row) => {
      const cell = row[1];
      return n + (cell?.type === "raw_number" ? cell.value : Number.NaN);
    }, 0);
  }
  let sum = 0;
  for (const m of text.matchAll(/^([\d,]+) tokens?\b/gm)) sum += Number(m[1]?.replace(/,/g, ""));
  return sum;
}

function expectSeriesRows(body: ResponseUrlBody, from: Month, to: Month): void {
  const lines = tableLines(body);
  for (const m of monthRange(from, to)) {
    expect(
      lines.some((l) => new RegExp(`^${re(shortMonthLabel(m))}\\s+${re(mau(m))}(\\s|$)`).test(l)),
      shortMonthLabel(m),
    ).toBe(true);
  }
}

describe.each([
  { family: "janssen" as const, env: {}, emulator: {} },
  { family: "gluu4" as const, env: { GLUU_MIN_INTERVAL_S: "0" }, emulator: { intervalLimitS: 0 } },
])("30 grant types over 24 months against $family", ({ family, env, emulator }) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ family, env, emulator, data: DATA });
    // The data really is that wide, long names included.
    expect(Object.keys(statsOf(ago(1), DATA).tokens)).toHaveLength(30);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function reply(text: string): Promise<ResponseUrlBody> {
    const sent = await h.command(text);
    expect(sent.ack.status).toBe(200);
    return (await h.reply(sent.path)).body;
  }

  it("a 24-month range passes checkBlockLimits and lists every month's MAU", async () => {
    const from = ago(23);
    const body = await reply(`${isoMonth(from)}..${isoMonth(CURRENT)}`);
    expect(limitsOf(body)).toEqual([]);
    expect(headerOf(body)).toBe(`${shortMonthLabel(from)} – ${shortMonthLabel(CURRENT)}`);
    expectSeriesRows(body, from, CURRENT);
    expect(buttonOf(body, "share")?.value).toBe(`${isoMonth(from)}..${isoMonth(CURRENT)} public`);
  });

  it("the same range shared in the channel passes too", async () => {
    const body = await reply(`${isoMonth(ago(23))}..${isoMonth(CURRENT)} public`);
    expect(body.response_type).toBe("in_channel");
    expect(limitsOf(body)).toEqual([]);
    expectSeriesRows(body, ago(23), CURRENT);
  });

  it.each([
    ["last month", "last", ago(1)],
    ["the current month", "", CURRENT],
    ["the first month with data", isoMonth(ago(23)), ago(23)],
  ])(
    "%s with 30 grant types passes checkBlockLimits; grant-type fields add up to the total",
    async (_, text, m) => {
      const body = await reply(text);
      expect(limitsOf(body)).toEqual([]);
      const stats = statsOf(m, DATA);
      // The month in progress is titled with its day ("December 2026, day 3 of 31").
      expect(body.text).toMatch(
        new RegExp(`^${re(monthLabel(m))}(, day \\d+ of \\d+)?: ${re(mau(m))} monthly active users`),
      );
      const total = tokenTotals(stats).total;
      expect(blockText(body)).toContain(`*Tokens issued:* ${formatCount(total)}`);
      expect(grantTypeTokenSum(body)).toBe(total);
      // Every grant type is a row of the table: none is dropped.
      expect(tableLines(body).filter((l) => /^Grant/.test(l) === false).length).toBe(
        Object.keys(stats.tokens).length,
      );
    },
  );

  it("the trend passes checkBlockLimits and lists the 12 months", async () => {
    const body = await reply("trend");
    expect(limitsOf(body)).toEqual([]);
    expectSeriesRows(body, ago(12), ago(1));
  });

  it("a year passes checkBlockLimits and lists its 12 months", async () => {
    const year = CURRENT.year - 1;
    const body = await reply(String(year));
    expect(limitsOf(body)).toEqual([]);
    expectSeriesRows(body, { year, month: 1 }, { year, month: 12 });
  });

  it("the export passes checkBlockLimits and lists each month's MAU", async () => {
    const body = await reply("export");
    expect(limitsOf(body)).toEqual([]);
    const lines = tableLines(body);
    for (const m of monthRange(ago(12), ago(1))) {
      expect(lines.some((l) => new RegExp(`^${re(isoMonth(m))}\\s+${re(mau(m))}$`).test(l))).toBe(true);
    }
  });
});
