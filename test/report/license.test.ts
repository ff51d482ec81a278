/**
 * GLUU_MAU_LIMIT: MAU against the licensed limit in every answer (month, series, export, the
 * monthly summary) and every output (Slack, terminal, CSV, JSON), computed once in the view.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exportView, monthlySummaryView, monthView, seriesView } from "../../src/answer/index.js";
import { parseEnv } from "../../src/config/index.js";
import { monthRange } from "../../src/months.js";
import { renderCsv } from "../../src/report/csv.js";
import { formatUsage, formatUsagePercent } from "../../src/report/format.js";
import { renderJson } from "../../src/report/json.js";
import {
  checkBlockLimits,
  renderExportMessage,
  renderMonthlySummary,
  renderMonthMessage,
  renderSeriesMessage,
} from "../../src/report/slack/index.js";
import { licenseUsage, seriesSummary } from "../../src/report/summary.js";
import { renderTextView } from "../../src/report/text.js";
import type { Source } from "../../src/report/view.js";
import { allText, FETCHED_AT, m, stats } from "./helpers.js";

const LIMIT = 10_000;
const source: Source = {
  host: "idp.example.com",
  fetchedAt: FETCHED_AT,
  timeZone: "UTC",
  licensedMau: LIMIT,
};
const unlicensed: Source = { host: "idp.example.com", fetchedAt: FETCHED_AT, timeZone: "UTC" };
// 2021: one month over the limit (October), one exactly at it (November: not over).
const year = monthRange(m(2021, 1), m(2021, 12)).map((month, i) =>
  stats(month, i === 9 ? 11_234 : i === 10 ? 10_000 : 8_000 + i * 10),
);
const result = { months: year, noData: [] };

describe("licenseUsage and its wording", () => {
  it("says the share of the licence, rounded down, and 'over' only above the limit", () => {
    expect(formatUsage(8_123, licenseUsage(8_123, LIMIT))).toBe("8,123 MAU = 81 % of the licensed 10,000");
    expect(formatUsage(9_999, licenseUsage(9_999, LIMIT))).toBe("9,999 MAU = 99 % of the licensed 10,000");
    expect(formatUsage(10_000, licenseUsage(10_000, LIMIT))).toBe(
      "10,000 MAU = 100 % of the licensed 10,000",
    );
    expect(formatUsage(11_234, licenseUsage(11_234, LIMIT))).toBe(
      "11,234 MAU = 112 % of the licensed 10,000: over the limit",
    );
  });

  it("never shows 100 % or more for a month under the limit, and is over exactly when MAU > limit (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (mau, limit) => {
          const u = licenseUsage(mau, limit);
          expect(u.over).toBe(mau > limit);
          const shown = Number.parseInt(formatUsagePercent(u), 10);
          if (mau < limit) expect(shown).toBeLessThan(100);
          if (mau >= limit) expect(shown).toBeGreaterThanOrEqual(100);
        },
      ),
    );
  });

  it("marks the months over the limit in a series, and none without a limit", () => {
    const s = seriesSummary(monthRange(m(2021, 1), m(2021, 12)), result, undefined, LIMIT);
    expect(s.limit).toBe(LIMIT);
    expect(s.overLimit).toEqual([m(2021, 10)]);
    expect(s.rows[10]?.usage).toEqual({ limit: LIMIT, percent: 100, over: false });
    const plain = seriesSummary(monthRange(m(2021, 1), m(2021, 12)), result);
    expect(plain.limit).toBeUndefined();
    expect(plain.rows.every((r) => r.usage === undefined)).toBe(true);
  });
});

describe("in every answer", () => {
  it("a month: a field and the notification text say the usage", () => {
    const view = monthView({ month: m(2021, 10), current: false, result }, source);
    const message = renderMonthMessage(view);
    expect(message.text).toContain("11,234 MAU = 112 % of the licensed 10,000: over the limit");
    expect(allText(message)).toContain("*Licensed MAU*\n:warning: 112 % of 10,000, over the limit");
    expect(checkBlockLimits(message)).toEqual([]);
    expect(renderTextView(view)).toContain(
      "Licensed: 11,234 MAU = 112 % of the licensed 10,000: over the limit",
    );
    // Without a limit: not a word about licences.
    const plain = renderMonthMessage(monthView({ month: m(2021, 10), current: false, result }, unlicensed));
    expect(allText(plain)).not.toMatch(/licen/i);
  });

  it("a series: a licence column with the month over it marked, and a line naming it", () => {
    const view = seriesView(
      { series: "year", title: "2021", months: monthRange(m(2021, 1), m(2021, 12)), result },
      source,
    );
    const message = renderSeriesMessage(view);
    const text = allText(message);
    expect(text).toMatch(/Oct 2021\s+11,234\s+⚠ 112 %/);
    expect(text).toMatch(/Nov 2021\s+10,000\s+100 %/);
    expect(text).toContain("*Licensed*\n10,000 MAU; :warning: over it in Oct 2021");
    expect(message.text).toContain("licensed 10,000 MAU, over it in 1 month");
    expect(checkBlockLimits(message)).toEqual([]);
    const terminal = renderTextView(view);
    expect(terminal).toMatch(/Oct 2021\s+11,234\s+over 112 %/);
    expect(terminal).toContain("Licensed: 10,000 MAU; over it in Oct 2021");
  });

  it("the export: the licence column beside the MAU the signature covers", () => {
    const view = exportView({ months: monthRange(m(2021, 1), m(2021, 12)), result }, source);
    const message = renderExportMessage(view);
    expect(allText(message)).toMatch(/2021-10\s+11,234\s+⚠ 112 %/);
    expect(checkBlockLimits(message)).toEqual([]);
    // The signature does not depend on the limit.
    const plain = exportView({ months: monthRange(m(2021, 1), m(2021, 12)), result }, unlicensed);
    expect(view.export.signature).toBe(plain.export.signature);
  });

  it("the monthly summary shows the month's usage and the year's months over it", () => {
    const view = monthlySummaryView({
      month: m(2021, 10),
      result: { ...result, fetchedAt: FETCHED_AT },
      host: "idp.example.com",
      timeZone: "UTC",
      licensedMau: LIMIT,
    });
    const message = renderMonthlySummary(view);
    expect(allText(message)).toContain(":warning: 112 % of 10,000, over the limit");
    expect(checkBlockLimits(message)).toEqual([]);
  });

  it("CSV and JSON carry the limit and each month's share", () => {
    const s = seriesSummary(monthRange(m(2021, 9), m(2021, 11)), result, undefined, LIMIT);
    const csv = renderCsv(s.rows).split("\r\n");
    expect(csv[0]).toMatch(/,licensed_mau,licensed_percent$/);
    expect(csv[2]).toMatch(/^2021-10,ok,11234,.*,10000,112\.3$/);
    const json = JSON.parse(renderJson(s)) as {
      licensedMau: number;
      overLicensed: string[];
      months: Array<{ licensedPercent: number; overLicensed: boolean }>;
    };
    expect(json.licensedMau).toBe(LIMIT);
    expect(json.overLicensed).toEqual(["2021-10"]);
    expect(json.months[1]).toMatchObject({ overLicensed: true });
    expect(json.months[1]?.licensedPercent).toBeCloseTo(112.34, 2);
    expect(
      renderCsv(seriesSummary(monthRange(m(2021, 9), m(2021, 11)), result).rows).split("\r\n")[0],
    ).not.toContain("licensed");
  });
});

describe("GLUU_MAU_LIMIT", () => {
  it("is a positive whole number; anything else stops start-up naming the variable", () => {
    expect(parseEnv({ GLUU_MAU_LIMIT: "10000" }).GLUU_MAU_LIMIT).toBe(10_000);
    expect(parseEnv({}).GLUU_MAU_LIMIT).toBeUndefined();
    for (const bad of ["0", "-5", "12.5", "ten thousand"])
      expect(() => parseEnv({ GLUU_MAU_LIMIT: bad }), bad).toThrow(/GLUU_MAU_LIMIT: /);
  });
});
