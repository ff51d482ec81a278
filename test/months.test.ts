import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Month } from "../src/months.js";
import {
  addMonths,
  compareMonths,
  DEFAULT_CLOSE_GRACE_MS,
  fromIndex,
  isClosed,
  isoMonth,
  isValidTimeZone,
  localTime,
  MAX_YEAR,
  MIN_YEAR,
  month,
  monthAt,
  monthEndUtc,
  monthIndex,
  monthKey,
  monthLabel,
  monthName,
  monthProgressAt,
  monthRange,
  monthStartUtc,
  monthsBetween,
  parseMonthKey,
  sameMonth,
  shortMonthLabel,
  tryAddMonths,
  tryMonth,
} from "../src/months.js";

const HOUR = 60 * 60 * 1000;

const monthArb: fc.Arbitrary<Month> = fc
  .integer({ min: MIN_YEAR * 12, max: MAX_YEAR * 12 + 11 })
  .map((i) => month(Math.floor(i / 12), (i % 12) + 1));
/** Months whose instants JavaScript dates and Intl handle without trouble. */
const modernMonthArb: fc.Arbitrary<Month> = fc
  .integer({ min: MIN_YEAR * 12, max: 2200 * 12 + 11 })
  .map((i) => month(Math.floor(i / 12), (i % 12) + 1));
const instantArb = fc.integer({ min: Date.UTC(2000, 0, 2), max: Date.UTC(2200, 0, 1) });
const zoneArb = fc.constantFrom(
  "UTC",
  "Pacific/Auckland",
  "Pacific/Kiritimati",
  "Pacific/Pago_Pago",
  "America/Los_Angeles",
  "Asia/Kolkata",
  "Australia/Adelaide",
);

describe("month", () => {
  it("builds a month", () => {
    expect(month(2021, 11)).toEqual({ year: 2021, month: 11 });
  });

  it.each([
    [1999, 1],
    [10_000, 1],
    [2021, 0],
    [2021, 13],
    [2021.5, 1],
    [2021, 1.5],
    [Number.NaN, 1],
  ])("refuses %d-%d", (year, m) => {
    expect(() => month(year, m)).toThrow(RangeError);
  });

  it("tryMonth gives undefined where month throws", () => {
    expect(tryMonth(2021, 11)).toEqual(month(2021, 11));
    expect(tryMonth(2021, 13)).toBeUndefined();
    expect(tryMonth(2021, 0)).toBeUndefined();
    expect(tryMonth(1999, 12)).toBeUndefined();
    expect(tryMonth(10_000, 1)).toBeUndefined();
    expect(tryMonth(2021, 1.5)).toBeUndefined();
  });

  it("tryMonth agrees with month on any numbers", () => {
    fc.assert(
      fc.property(
        // Weighted to the edges of both ranges, where a wrong comparison would show.
        fc.oneof(fc.integer({ min: 1995, max: 2005 }), fc.integer({ min: 9995, max: 10_005 }), fc.double()),
        fc.oneof(fc.integer({ min: -1, max: 14 }), fc.double()),
        (year, m) => {
          let expected: Month | undefined;
          try {
            expected = month(year, m);
          } catch {
            expected = undefined;
          }
          expect(tryMonth(year, m)).toEqual(expected);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("arithmetic", () => {
  it("crosses year boundaries", () => {
    expect(addMonths(month(2021, 12), 1)).toEqual(month(2022, 1));
    expect(addMonths(month(2022, 1), -1)).toEqual(month(2021, 12));
    expect(addMonths(month(2021, 11), -11)).toEqual(month(2020, 12));
    expect(addMonths(month(2021, 11), 14)).toEqual(month(2023, 1));
    expect(addMonths(month(2021, 11), 0)).toEqual(month(2021, 11));
  });

  it("monthIndex and fromIndex are inverse", () => {
    fc.assert(
      fc.property(monthArb, (m) => {
        expect(fromIndex(monthIndex(m))).toEqual(m);
      }),
    );
  });

  it("adding n then -n gives the month back, and 12 months is a year", () => {
    fc.assert(
      fc.property(modernMonthArb, fc.integer({ min: 0, max: 2000 }), (m, n) => {
        expect(addMonths(addMonths(m, n), -n)).toEqual(m);
        expect(addMonths(m, 12 * Math.floor(n / 12))).toEqual({
          year: m.year + Math.floor(n / 12),
          month: m.month,
        });
        expect(monthsBetween(m, addMonths(m, n))).toBe(n + 1);
      }),
    );
  });

  it("addMonths refuses to leave the supported years", () => {
    expect(() => addMonths(month(MIN_YEAR, 1), -1)).toThrow(RangeError);
    expect(() => addMonths(month(MAX_YEAR, 12), 1)).toThrow(RangeError);
  });

  it("tryAddMonths agrees with addMonths, returning undefined where it throws", () => {
    expect(tryAddMonths(month(MIN_YEAR, 1), -1)).toBeUndefined();
    expect(tryAddMonths(month(MAX_YEAR, 12), 1)).toBeUndefined();
    expect(tryAddMonths(month(2021, 1), -1)).toEqual(month(2020, 12));
    expect(tryAddMonths(month(2021, 1), 0.5)).toBeUndefined();
    fc.assert(
      fc.property(monthArb, fc.integer({ min: -130_000, max: 130_000 }), (m, n) => {
        let expected: Month | undefined;
        try {
          expected = addMonths(m, n);
        } catch {
          expected = undefined;
        }
        expect(tryAddMonths(m, n)).toEqual(expected);
      }),
    );
  });

  it("compareMonths orders by year, then month", () => {
    fc.assert(
      fc.property(monthArb, monthArb, (a, b) => {
        const byFields = a.year !== b.year ? a.year - b.year : a.month - b.month;
        expect(Math.sign(compareMonths(a, b))).toBe(Math.sign(byFields));
        expect(sameMonth(a, b)).toBe(byFields === 0);
      }),
    );
  });

  it("monthRange lists every month, in order, monthsBetween long", () => {
    expect(monthRange(month(2021, 11), month(2022, 2)).map(isoMonth)).toEqual([
      "2021-11",
      "2021-12",
      "2022-01",
      "2022-02",
    ]);
    fc.assert(
      fc.property(modernMonthArb, fc.integer({ min: -30, max: 30 }), (from, n) => {
        const to = tryAddMonths(from, n);
        fc.pre(to !== undefined);
        if (to === undefined) return;
        const range = monthRange(from, to);
        expect(range.length).toBe(Math.max(0, monthsBetween(from, to)));
        range.forEach((m, i) => {
          expect(m).toEqual(addMonths(from, i));
        });
      }),
    );
  });
});

describe("keys and labels", () => {
  it("formats a month", () => {
    const nov = month(2021, 11);
    expect(monthKey(nov)).toBe("202111");
    expect(isoMonth(nov)).toBe("2021-11");
    expect(isoMonth(month(2021, 1))).toBe("2021-01");
    expect(monthName(nov)).toBe("November");
    expect(monthLabel(nov)).toBe("November 2021");
    expect(shortMonthLabel(nov)).toBe("Nov 2021");
    expect(shortMonthLabel(month(2021, 9))).toBe("Sep 2021");
  });

  it("parseMonthKey reads back every monthKey", () => {
    fc.assert(
      fc.property(monthArb, (m) => {
        expect(parseMonthKey(monthKey(m))).toEqual(m);
      }),
    );
  });

  it.each([
    "202113",
    "202100",
    "199912",
    "000001",
    "2021-11",
    "20211",
    "2021111",
    " 202111",
    "202111\n",
    "abcdef",
    "２０２１１１",
    "",
  ])("parseMonthKey refuses %j", (key) => {
    expect(parseMonthKey(key)).toBeUndefined();
  });

  it("parseMonthKey accepts nothing but a canonical key", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "binary" }), fc.stringMatching(/^\d{6}$/), fc.stringMatching(/^\d{4,8}$/)),
        (key) => {
          const m = parseMonthKey(key);
          if (m !== undefined) expect(monthKey(m)).toBe(key);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("monthAt", () => {
  const nye = Date.UTC(2026, 11, 31, 23, 30);

  it("depends on the time zone at a month boundary", () => {
    expect(monthAt(nye, "UTC")).toEqual(month(2026, 12));
    expect(monthAt(nye, "Pacific/Auckland")).toEqual(month(2027, 1));
    expect(monthAt(nye, "America/Los_Angeles")).toEqual(month(2026, 12));
    expect(monthAt(Date.UTC(2027, 0, 1, 3), "America/Los_Angeles")).toEqual(month(2026, 12));
    expect(monthAt(Date.UTC(2027, 0, 1, 3), "UTC")).toEqual(month(2027, 1));
  });

  it("defaults to UTC and accepts a Date", () => {
    expect(monthAt(nye)).toEqual(month(2026, 12));
    expect(monthAt(new Date(nye), "Pacific/Auckland")).toEqual(month(2027, 1));
  });

  it("in UTC is the UTC calendar month", () => {
    fc.assert(
      fc.property(instantArb, (t) => {
        const d = new Date(t);
        expect(monthAt(t, "UTC")).toEqual(month(d.getUTCFullYear(), d.getUTCMonth() + 1));
      }),
    );
  });

  it("in any zone is the UTC month of an instant at most 14 hours away", () => {
    fc.assert(
      fc.property(instantArb, zoneArb, (t, zone) => {
        const local = monthAt(t, zone);
        expect(compareMonths(local, monthAt(t - 14 * HOUR, "UTC"))).toBeGreaterThanOrEqual(0);
        expect(compareMonths(local, monthAt(t + 14 * HOUR, "UTC"))).toBeLessThanOrEqual(0);
      }),
    );
  });
});

describe("month boundaries in UTC", () => {
  it("a month ends where the next starts", () => {
    expect(monthStartUtc(month(2021, 11))).toBe(Date.UTC(2021, 10, 1));
    expect(monthEndUtc(month(2021, 12))).toBe(Date.UTC(2022, 0, 1));
    fc.assert(
      fc.property(modernMonthArb, (m) => {
        expect(monthEndUtc(m)).toBe(monthStartUtc(addMonths(m, 1)));
        expect(monthAt(monthStartUtc(m), "UTC")).toEqual(m);
        expect(monthAt(monthEndUtc(m) - 1, "UTC")).toEqual(m);
      }),
    );
  });
});

describe("isClosed", () => {
  const nov = month(2021, 11);
  const end = Date.UTC(2021, 11, 1);

  it("waits for the grace period after the month ends", () => {
    expect(DEFAULT_CLOSE_GRACE_MS).toBe(2 * HOUR);
    expect(isClosed(nov, Date.UTC(2021, 10, 15))).toBe(false);
    expect(isClosed(nov, end)).toBe(false);
    expect(isClosed(nov, end + 2 * HOUR - 1)).toBe(false);
    expect(isClosed(nov, end + 2 * HOUR)).toBe(true);
  });

  it("takes another grace period", () => {
    expect(isClosed(nov, end, 0)).toBe(true);
    expect(isClosed(nov, end - 1, 0)).toBe(false);
    expect(isClosed(nov, end + HOUR - 1, HOUR)).toBe(false);
    expect(isClosed(nov, end + HOUR, HOUR)).toBe(true);
  });

  it("is never true while the month runs, and stays true once true", () => {
    fc.assert(
      fc.property(
        modernMonthArb,
        fc.integer({ min: -40 * 24 * HOUR, max: 40 * 24 * HOUR }),
        fc.integer({ min: 0, max: 48 * HOUR }),
        fc.integer({ min: 0, max: 365 * 24 * HOUR }),
        (m, offset, grace, later) => {
          const t = monthEndUtc(m) + offset;
          if (t < monthEndUtc(m)) expect(isClosed(m, t, grace)).toBe(false);
          if (isClosed(m, t, grace)) expect(isClosed(m, t + later, grace)).toBe(true);
          // A longer grace can only delay closing.
          if (isClosed(m, t, grace + later)) expect(isClosed(m, t, grace)).toBe(true);
        },
      ),
    );
  });
});

describe("isValidTimeZone", () => {
  it.each(["UTC", "Pacific/Auckland", "America/Los_Angeles", "Etc/GMT+12"])("accepts %s", (tz) => {
    expect(isValidTimeZone(tz)).toBe(true);
  });

  it.each(["", "Mars/Olympus_Mons", "Not a zone", "Europe/"])("refuses %j", (tz) => {
    expect(isValidTimeZone(tz)).toBe(false);
  });
});

describe("monthAt, monthProgressAt and localTime reuse their answer within a minute", () => {
  const zones = [
    "UTC",
    "Europe/Berlin",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
  ];
  const fresh = (ms: number, timeZone: string) => {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      hourCycle: "h23",
    }).formatToParts(new Date(ms));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return {
      year: get("year"),
      month: get("month"),
      day: get("day"),
      hour: get("hour"),
      minute: get("minute"),
    };
  };
  it("agree with Intl for any instant, asked in any order, around month starts in odd offsets too", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom(...zones),
            // Instants near the start of a month (where a stale answer would show) and anywhere.
            fc.oneof(
              fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
              fc
                .tuple(fc.integer({ min: 0, max: 119 }), fc.integer({ min: -36, max: 36 }))
                .map(([i, h]) => Date.UTC(2020, i, 1) + h * 15 * 60_000 + (i % 60) * 1000),
            ),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        (asks) => {
          for (const [tz, ms] of asks) {
            const want = fresh(ms, tz);
            expect(monthAt(ms, tz)).toEqual({ year: want.year, month: want.month });
            expect(monthProgressAt(ms, tz).day).toBe(want.day);
            expect(localTime(ms, tz)).toEqual(want);
          }
        },
      ),
    );
  });

  it("a second just before and just after a month starts in Kathmandu (+05:45) are different months", () => {
    const start = Date.UTC(2026, 11, 31, 18, 15); // 2027-01-01 00:00 in Asia/Kathmandu
    expect(monthAt(start - 1000, "Asia/Kathmandu")).toEqual({ year: 2026, month: 12 });
    expect(monthAt(start, "Asia/Kathmandu")).toEqual({ year: 2027, month: 1 });
    expect(monthAt(start - 1000, "Asia/Kathmandu")).toEqual({ year: 2026, month: 12 });
  });
});
