/** The days a closed month crossed its licence thresholds, from its samples, in the summary. */
import { describe, expect, it } from "vitest";
import { summaryMonths } from "../../src/answer/fetch.js";
import { monthlySummaryView } from "../../src/answer/index.js";
import { crossings } from "../../src/curve/crossings.js";
import { renderMonthlySummary } from "../../src/report/slack/index.js";
import { allText, m, stats } from "../report/helpers.js";

const hour = 3_600_000;
const november = Array.from({ length: 30 * 24 }, (_, i) => ({
  at: Date.UTC(2026, 10, 1, 0, 17) + i * hour,
  mau: 2_000 + i * 10,
}));

describe("crossings", () => {
  it("is the first sample at or above each threshold, in order; unreached thresholds are left out", () => {
    // The month ends at 9,190: 100 % is never reached. 7,900 is at i = 590 (Nov 25, 14:17 UTC).
    expect(crossings(november, 10_000, [100, 79, 85])).toEqual([
      { threshold: 79, at: Date.UTC(2026, 10, 1, 0, 17) + 590 * hour, mau: 7_900, byThen: false },
      { threshold: 85, at: Date.UTC(2026, 10, 1, 0, 17) + 650 * hour, mau: 8_500, byThen: false },
    ]);
    expect(crossings([], 10_000, [80])).toEqual([]);
  });

  it("a month already above a threshold at its first sample crossed it by then", () => {
    expect(crossings(november.slice(600), 10_000, [80])[0]).toMatchObject({ byThen: true, mau: 8_000 });
  });
});

describe("in the monthly summary", () => {
  const month = m(2026, 11);
  const result = {
    months: summaryMonths(month).map((x, i) => stats(x, 9_000 + i)),
    noData: [],
    fetchedAt: Date.UTC(2026, 11, 1, 9),
  };

  it("names the day of each threshold in REPORT_TZ", () => {
    const view = monthlySummaryView({
      month,
      result,
      host: "idp.example.com",
      timeZone: "Pacific/Auckland",
      licensedMau: 10_000,
      crossings: crossings(november, 10_000, [79, 85]),
    });
    // Nov 25, 14:17 UTC is Nov 26 in Auckland (UTC+13).
    expect(allText(renderMonthlySummary(view))).toContain(
      "Licence thresholds reached:* 79 % on Nov 26 (7,900 MAU), 85 % on Nov 28 (8,500 MAU)",
    );
  });

  it("says nothing of thresholds without samples", () => {
    const view = monthlySummaryView({
      month,
      result,
      host: "h",
      timeZone: "UTC",
      licensedMau: 10_000,
      crossings: [],
    });
    expect(allText(renderMonthlySummary(view))).not.toContain("Licence thresholds");
  });
});
