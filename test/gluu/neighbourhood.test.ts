/** The months a request brings besides those asked for. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_MONTHS_PER_REQUEST,
  NEIGHBOURS,
  neighbourhood,
  RECENT_MONTHS,
} from "../../src/gluu/neighbourhood.js";
import {
  addMonths,
  compareMonths,
  type Month,
  month,
  monthIndex,
  monthKey,
  monthRange,
} from "../../src/months.js";

const CURRENT = month(2026, 11);
const keys = (ms: readonly Month[]) => ms.map(monthKey).sort();

describe("neighbourhood", () => {
  it("is the 12 months on either side of each month asked and the 24 up to the current one", () => {
    const asked = [month(2025, 4), month(2025, 5)]; // a month question 19 months back
    const got = neighbourhood(asked, CURRENT);
    const expected = [...monthRange(month(2024, 4), month(2025, 3)), ...monthRange(month(2025, 6), CURRENT)];
    expect(keys(got)).toEqual(keys(expected));
    // Nearest first: the months right next to the question, then the recent ones.
    expect(got.slice(0, 2).map(monthKey).sort()).toEqual(["202503", "202506"]);
  });

  it("never goes before January 2000 or after the current month", () => {
    const early = neighbourhood([month(2000, 2)], month(2000, 6));
    expect(keys(early)).toEqual(keys([month(2000, 1), ...monthRange(month(2000, 3), month(2000, 6))]));
    const got = neighbourhood([CURRENT], CURRENT);
    expect(got.every((m) => compareMonths(m, CURRENT) < 0)).toBe(true);
    expect(got).toHaveLength(RECENT_MONTHS - 1);
  });

  it("leaves out the months asked, and stops at the limit, nearest kept", () => {
    const asked = monthRange(month(2020, 1), month(2020, 12));
    const got = neighbourhood(asked, CURRENT, 10);
    expect(got).toHaveLength(10);
    expect(keys(got)).toEqual(
      keys([...monthRange(month(2019, 8), month(2019, 12)), ...monthRange(month(2021, 1), month(2021, 5))]),
    );
  });

  it("property: within the bounds, no duplicates, nothing asked; all of it within 60 months for questions of up to 12", () => {
    const first = monthIndex(month(2000, 1));
    fc.assert(
      fc.property(
        fc.integer({ min: first + 30, max: monthIndex(CURRENT) }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 13 }),
        (currentIndex, back, span) => {
          const current = addMonths(month(2000, 1), currentIndex - first);
          const end = addMonths(current, -Math.min(back, currentIndex - first));
          const start = addMonths(end, -Math.min(span - 1, monthIndex(end) - first));
          const asked = monthRange(start, end);
          const all = neighbourhood(asked, current);
          // Questions of up to 12 months (trend, export, a month) get all of it in 60 months.
          if (span <= 12) expect(asked.length + all.length).toBeLessThanOrEqual(MAX_MONTHS_PER_REQUEST);
          const got = neighbourhood(asked, current, MAX_MONTHS_PER_REQUEST - asked.length);
          expect(got).toEqual(all.slice(0, MAX_MONTHS_PER_REQUEST - asked.length));
          const set = new Set(got.map(monthKey));
          expect(set.size).toBe(got.length);
          for (const m of got) {
            expect(compareMonths(m, month(2000, 1))).toBeGreaterThanOrEqual(0);
            expect(compareMonths(m, current)).toBeLessThanOrEqual(0);
            expect(asked.some((a) => compareMonths(a, m) === 0)).toBe(false);
            const near = asked.some((a) => Math.abs(monthIndex(a) - monthIndex(m)) <= NEIGHBOURS);
            const recent = monthIndex(current) - monthIndex(m) < RECENT_MONTHS;
            expect(near || recent).toBe(true);
          }
          expect(asked.length + got.length).toBeLessThanOrEqual(MAX_MONTHS_PER_REQUEST);
        },
      ),
    );
  });
});
