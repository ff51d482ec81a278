/** The view of an answer: the month in progress is shown as such, whatever led to it. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answer, isStatsCommand, viewOf } from "../../src/answer/index.js";
import { daysInMonth, monthProgressAt } from "../../src/months.js";
import { parseCommand } from "../../src/query/parse.js";
import { seriesSummary } from "../../src/report/summary.js";
import { m, stats } from "../report/helpers.js";

const NOW = Date.UTC(2026, 11, 2, 9);
const ctx = {
  host: "idp.example.com",
  timeZone: "UTC",
  currentMonth: m(2026, 12),
  progress: monthProgressAt(NOW, "UTC"),
};
const result = {
  months: [stats(m(2026, 11), 66_202), stats(m(2026, 12), 8_939)],
  noData: [],
  fetchedAt: NOW,
};

async function viewFor(text: string) {
  const parsed = parseCommand(text, { now: NOW, timeZone: "UTC" });
  if (!parsed.ok || !isStatsCommand(parsed.command)) throw new Error(text);
  const a = await answer(parsed.command.query, { get: async () => result });
  return viewOf(a, parsed.command, ctx);
}

describe("the month in progress", () => {
  it("has its day and no change against the whole previous month (the demo's -86.5%)", async () => {
    const view = await viewFor("");
    expect(view).toMatchObject({ kind: "month", current: true, progress: { day: 2, days: 31 } });
    expect(view.kind === "month" && view.change).toBeFalsy();
    expect(view.kind === "month" && view.previous?.mau).toBe(66_202);
  });

  it("is the month in progress even when a button written last month names it", async () => {
    // The "next" button of November 2026, pressed in December, says "2026-12" without "current".
    const view = await viewFor("2026-12");
    expect(view).toMatchObject({ current: true });
    expect(view.kind === "month" && view.change).toBeFalsy();
  });

  it("is a row without a change in a series", () => {
    const rows = seriesSummary([m(2026, 11), m(2026, 12)], result, m(2026, 12)).rows;
    expect(rows[1]).toMatchObject({ inProgress: true });
    expect(rows[1]?.change).toBeUndefined();
    expect(seriesSummary([m(2026, 11), m(2026, 12)], result).rows[1]?.change).toBeDefined();
  });
});

describe("monthProgressAt", () => {
  it("counts the day in the team's zone and the days of that month", () => {
    expect(monthProgressAt(Date.UTC(2024, 1, 29, 12), "UTC")).toEqual({ day: 29, days: 29 });
    expect(monthProgressAt(Date.UTC(2026, 11, 31, 20), "Pacific/Auckland")).toEqual({ day: 1, days: 31 });
    expect(daysInMonth(m(2100, 2))).toBe(28);
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), (t) => {
        const p = monthProgressAt(t, "UTC");
        expect(p.day).toBe(new Date(t).getUTCDate());
        expect(p.day).toBeLessThanOrEqual(p.days);
        expect([28, 29, 30, 31]).toContain(p.days);
      }),
    );
  });
});
