import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Month } from "../../src/months.js";
import {
  addMonths,
  compareMonths,
  fromIndex,
  isoMonth,
  MIN_YEAR,
  monthAt,
  monthIndex,
  monthKey,
  monthLabel,
  monthsBetween,
  sameMonth,
  shortMonthLabel,
} from "../../src/months.js";
import { formatCommand, formatQuery, parseCommand } from "../../src/query/parse.js";
import type { ParseResult, Query } from "../../src/query/types.js";
import { MAX_RANGE_MONTHS, TREND_MONTHS } from "../../src/query/types.js";
import { USAGE } from "../../src/query/usage.js";

const ZONES = [
  "UTC",
  "Pacific/Auckland",
  "Pacific/Kiritimati", // UTC+14: the first place a month starts
  "Pacific/Pago_Pago", // UTC-11: among the last
  "America/Los_Angeles",
  "Asia/Kolkata",
  "Europe/London",
] as const;

const FIRST = { year: MIN_YEAR, month: 1 } as const;

/** Clocks from early 2000 (where `last` and `trend` run out of months) to 2100. */
const nowArb = fc.oneof(
  fc.integer({ min: Date.UTC(2000, 0, 2), max: Date.UTC(2100, 0, 1) }),
  fc.integer({ min: Date.UTC(2000, 0, 2), max: Date.UTC(2002, 0, 1) }),
);
const clockArb = fc.record({ now: nowArb, timeZone: fc.constantFrom(...ZONES) });

/** Every month a query refers to, so invariants can be stated over all kinds at once. */
function monthsOf(q: Query): Month[] {
  switch (q.kind) {
    case "month":
    case "post":
    case "compare":
      return [q.month];
    case "range":
    case "trend":
    case "export":
      return [q.from, q.to];
    case "help":
    case "history":
    case "curve":
      return [];
  }
}

/** What every result must satisfy, whatever the input. */
function checkResult(result: ParseResult, current: Month): void {
  if (!result.ok) {
    expect(result.usage).toBe(USAGE);
    expect(result.message).toMatch(/^[^\n]+\.$/);
    expect(result.message).not.toMatch(/[<>&\p{Cs}]/u);
    expect(result.message.length).toBeLessThan(200);
    return;
  }
  const q = result.command.query;
  for (const m of monthsOf(q)) {
    expect(compareMonths(m, FIRST)).toBeGreaterThanOrEqual(0);
    expect(compareMonths(m, current)).toBeLessThanOrEqual(0);
  }
  if (q.kind === "month") expect(q.current).toBe(sameMonth(q.month, current));
  if (q.kind === "range") {
    expect(monthsBetween(q.from, q.to)).toBeGreaterThanOrEqual(2);
    expect(monthsBetween(q.from, q.to)).toBeLessThanOrEqual(MAX_RANGE_MONTHS);
  }
  if (q.kind === "trend" || q.kind === "export") {
    expect(q.to).toEqual(addMonths(current, -1));
    expect(monthsBetween(q.from, q.to)).toBe(TREND_MONTHS);
  }
  if (result.command.public) expect(["month", "range", "trend", "export"]).toContain(q.kind);
}

const TOKENS = [
  "2021-11",
  "202111",
  "11/2021",
  "2021/11",
  "nov",
  "November",
  "sept",
  "Jan",
  "dec",
  "2021",
  "1999",
  "2000",
  "2030",
  "9999",
  "0000",
  "13",
  "0",
  "00",
  "2021-13",
  "..",
  "...",
  "…",
  "to",
  "from",
  "through",
  "-",
  "–",
  "/",
  ".",
  ",",
  "public",
  "PUBLIC",
  "last",
  "previous",
  "this month",
  "trend",
  "12m",
  "export",
  "help",
  "history",
  "post",
  "<",
  ">",
  "&",
  "`",
  "<!channel>",
  "２０２１",
  "Ⅻ",
  "\u202e",
  "😀",
  "\u0000",
];

const grammarishArb = fc
  .array(fc.tuple(fc.constantFrom(...TOKENS), fc.constantFrom("", " ", "  ", "\t")), { maxLength: 8 })
  .map((parts) => parts.map(([token, space]) => token + space).join(""));

describe("parseCommand never throws", () => {
  it("on arbitrary strings, including any code point and lone surrogates", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), clockArb, (text, clock) => {
        checkResult(parseCommand(text, clock), monthAt(clock.now, clock.timeZone));
      }),
      { numRuns: 2_000 },
    );
  });

  it("on arbitrary grapheme strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), clockArb, (text, clock) => {
        checkResult(parseCommand(text, clock), monthAt(clock.now, clock.timeZone));
      }),
      { numRuns: 1_000 },
    );
  });

  it("on mixtures of grammar tokens, and refers only to months from 2000-01 to the current month", () => {
    fc.assert(
      fc.property(grammarishArb, clockArb, (text, clock) => {
        checkResult(parseCommand(text, clock), monthAt(clock.now, clock.timeZone));
      }),
      { numRuns: 10_000 },
    );
  });
});

/** A query as the parser would produce it at `current`. */
function queryArb(current: Month): fc.Arbitrary<Query> {
  const last = monthIndex(current);
  const first = monthIndex(FIRST);
  const monthArb = fc.integer({ min: first, max: last }).map(fromIndex);
  const rangeArb = fc
    .integer({ min: first, max: last - 1 })
    .chain((from) =>
      fc
        .integer({ min: from + 1, max: Math.min(last, from + MAX_RANGE_MONTHS - 1) })
        .map((to): Query => ({ kind: "range", from: fromIndex(from), to: fromIndex(to) })),
    );
  const previous = addMonths(current, -1);
  const twelve = { from: addMonths(previous, -(TREND_MONTHS - 1)), to: previous };
  return fc.oneof(
    monthArb.map((m): Query => ({ kind: "month", month: m, current: sameMonth(m, current) })),
    rangeArb,
    fc.constant<Query>({ kind: "trend", ...twelve }),
    fc.constant<Query>({ kind: "export", ...twelve }),
    fc.constant<Query>({ kind: "help" }),
    fc.constant<Query>({ kind: "history" }),
    monthArb.map((m): Query => ({ kind: "post", month: m })),
  );
}

describe("formatQuery", () => {
  // From 2001 so that trend and export have their twelve months.
  const roundTripClockArb = fc.record({
    now: fc.integer({ min: Date.UTC(2001, 1, 1), max: Date.UTC(2100, 0, 1) }),
    timeZone: fc.constantFrom(...ZONES),
  });

  it("parses back to the same query", () => {
    fc.assert(
      fc.property(
        roundTripClockArb.chain((clock) =>
          queryArb(monthAt(clock.now, clock.timeZone)).map((q) => ({ clock, q })),
        ),
        ({ clock, q }) => {
          expect(parseCommand(formatQuery(q), clock)).toEqual({
            ok: true,
            command: { query: q, public: false },
          });
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("with formatCommand, keeps `public` where it applies", () => {
    fc.assert(
      fc.property(
        roundTripClockArb.chain((clock) =>
          queryArb(monthAt(clock.now, clock.timeZone))
            .filter((q) => ["month", "range", "trend", "export"].includes(q.kind))
            .map((q) => ({ clock, q })),
        ),
        fc.boolean(),
        ({ clock, q }, isPublic) => {
          const command = { query: q, public: isPublic };
          expect(parseCommand(formatCommand(command), clock)).toEqual({ ok: true, command });
        },
      ),
      { numRuns: 500 },
    );
  });

  it("with formatCommand, keeps the file asked for (csv with the export, chart with a series)", () => {
    fc.assert(
      fc.property(
        roundTripClockArb.chain((clock) =>
          queryArb(monthAt(clock.now, clock.timeZone))
            .filter((q) => ["range", "trend", "export"].includes(q.kind))
            .map((q) => ({ clock, q })),
        ),
        fc.boolean(),
        ({ clock, q }, isPublic) => {
          const file = q.kind === "export" ? ("csv" as const) : ("chart" as const);
          const command = { query: q, public: isPublic, file };
          expect(parseCommand(formatCommand(command), clock)).toEqual({ ok: true, command });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("the five month forms", () => {
  const forms: readonly ((m: Month) => string)[] = [
    isoMonth,
    monthKey,
    (m) => `${m.month}/${m.year}`,
    shortMonthLabel,
    monthLabel,
  ];
  /** Case and surrounding whitespace do not matter. */
  const disguise = (text: string, upper: readonly boolean[], pad: string) =>
    pad +
    Array.from(text)
      .map((c, i) => (upper[i % Math.max(upper.length, 1)] ? c.toUpperCase() : c.toLowerCase()))
      .join("") +
    pad;

  it("all parse to the same month, marked current when it is", () => {
    fc.assert(
      fc.property(
        clockArb.chain((clock) => {
          const current = monthAt(clock.now, clock.timeZone);
          return fc.record({
            clock: fc.constant(clock),
            index: fc.integer({ min: monthIndex(FIRST), max: monthIndex(current) }),
          });
        }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 13 }),
        fc.constantFrom("", " ", "  \t"),
        ({ clock, index }, upper, pad) => {
          const m = fromIndex(index);
          const expected: Query = {
            kind: "month",
            month: m,
            current: sameMonth(m, monthAt(clock.now, clock.timeZone)),
          };
          for (const form of forms) {
            const text = disguise(form(m), upper, pad);
            expect(parseCommand(text, clock), text).toEqual({
              ok: true,
              command: { query: expected, public: false },
            });
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("all refuse a month after the current one", () => {
    fc.assert(
      fc.property(clockArb, fc.integer({ min: 1, max: 1200 }), (clock, ahead) => {
        const current = monthAt(clock.now, clock.timeZone);
        const m = addMonths(current, ahead);
        for (const form of forms) {
          const result = parseCommand(form(m), clock);
          expect(result).toMatchObject({
            ok: false,
            message: `${monthLabel(m)} is in the future; the latest month with figures is ${monthLabel(current)}.`,
          });
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("ranges written out", () => {
  // Any two months from 1995 to 2110, in any two forms: whatever is accepted must hold the invariants,
  // and a pair inside the limits must be accepted as exactly those months.
  const forms: readonly ((m: Month) => string)[] = [
    isoMonth,
    monthKey,
    (m) => `${m.month}/${m.year}`,
    shortMonthLabel,
    monthLabel,
  ];
  const anyMonthArb = fc
    .integer({ min: 1995 * 12, max: 2110 * 12 })
    .map((i) => ({ year: Math.floor(i / 12), month: (i % 12) + 1 }));

  it("are accepted exactly when they are in order, in the past and short enough", () => {
    fc.assert(
      fc.property(
        clockArb,
        anyMonthArb,
        anyMonthArb,
        fc.constantFrom(...forms),
        fc.constantFrom(...forms),
        fc.constantFrom("..", " to ", " - ", " .. "),
        (clock, from, to, fromForm, toForm, separator) => {
          const current = monthAt(clock.now, clock.timeZone);
          const result = parseCommand(`${fromForm(from)}${separator}${toForm(to)}`, clock);
          checkResult(result, current);
          const count = monthIndex(to) - monthIndex(from) + 1;
          const valid =
            from.year >= MIN_YEAR &&
            compareMonths(to, current) <= 0 &&
            count >= 1 &&
            count <= MAX_RANGE_MONTHS;
          expect(result.ok).toBe(valid);
          if (result.ok && count > 1) expect(result.command.query).toEqual({ kind: "range", from, to });
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
