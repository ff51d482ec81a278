/**
 * Every renderer, for any data the server or a user could produce, yields a message Slack
 * accepts. Random grant type names (long, full of mrkdwn and control characters), huge counts,
 * extra token kinds, ranges with and without data, odd navigation values.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MonthStats, TokenCounts } from "../../src/gluu/model.js";
import { tokenCounts } from "../../src/gluu/model.js";
import type { Month } from "../../src/months.js";
import {
  checkBlockLimits,
  renderErrorMessage,
  renderExportMessage,
  renderHelpMessage,
  renderMonthMessage,
  renderSeriesMessage,
  renderUsageError,
  type SlackMessage,
} from "../../src/report/blocks.js";
import { billingExport } from "../../src/report/summary.js";

const RUNS = { numRuns: 60 };

const monthArb: fc.Arbitrary<Month> = fc.record({
  year: fc.integer({ min: 2000, max: 9990 }),
  month: fc.integer({ min: 1, max: 12 }),
});

const nameArb = fc.oneof(
  fc.string({ unit: "binary", maxLength: 400, size: "max" }),
  fc.string({
    unit: fc.constantFrom("&", "<", ">", "*", "_", "`", "~", ":", "a", "\n"),
    maxLength: 1500,
    size: "max",
  }),
  fc.constantFrom("authorization_code", "urn:ietf:params:oauth:grant-type:uma-ticket", "__proto__", ""),
);

const countArb = fc.oneof(
  fc.nat(),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(0, Number.MAX_SAFE_INTEGER, 1e21, 1e308),
);

const countsArb: fc.Arbitrary<TokenCounts> = fc
  .dictionary(
    fc.oneof(fc.constantFrom("access_token", "id_token", "refresh_token", "uma_token"), nameArb),
    countArb,
    {
      maxKeys: 14,
      size: "max",
    },
  )
  .map((d) => tokenCounts(d));

/** Up to 30 grant types; a Map first, so `__proto__` survives as a key. */
const tokensArb = fc
  .array(fc.tuple(nameArb, countsArb), { maxLength: 30, size: "max" })
  .map((pairs) => Object.fromEntries(new Map(pairs)));

function statsArb(month: Month): fc.Arbitrary<MonthStats> {
  return fc.record({ month: fc.constant(month), mau: countArb, tokens: tokensArb });
}

const commandArb = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "binary", minLength: 1990, maxLength: 2100, size: "max" }),
);

/** 1 to 24 consecutive months, each with data or not. */
const seriesArb = fc
  .tuple(monthArb, fc.integer({ min: 1, max: 24 }))
  .chain(([from, length]) => {
    const months = Array.from({ length }, (_, i) => {
      const index = from.year * 12 + from.month - 1 + i;
      return { year: Math.floor(index / 12), month: (index % 12) + 1 };
    });
    return fc.tuple(
      fc.constant(months),
      fc.tuple(...months.map((mm) => fc.option(statsArb(mm), { nil: undefined }))),
    );
  })
  .map(([months, maybe]) => ({
    months,
    result: {
      months: maybe.flatMap((s) => (s ? [s] : [])),
      noData: months.filter((_, i) => maybe[i] === undefined),
    },
  }));

const metaArb = fc.record({
  host: nameArb,
  fetchedAt: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constant(Number.NaN)),
  timeZone: fc.constantFrom("UTC", "Europe/Berlin", "Pacific/Auckland", "Not/AZone"),
});

function expectWithinLimits(message: SlackMessage): void {
  expect(checkBlockLimits(message)).toEqual([]);
}

describe("every renderer stays within Slack's limits", () => {
  it("month message", () => {
    fc.assert(
      fc.property(
        monthArb.chain((mm) =>
          fc.record({
            month: fc.constant(mm),
            stats: fc.option(statsArb(mm), { nil: undefined }),
            previous: fc.option(statsArb({ year: mm.year, month: mm.month }), { nil: undefined }),
            current: fc.boolean(),
            meta: metaArb,
            navigation: fc.option(
              fc.record({
                prev: commandArb,
                next: commandArb,
                trend: fc.string({ maxLength: 2100, size: "max" }),
                share: commandArb,
              }),
              { nil: undefined },
            ),
          }),
        ),
        ({ month, stats, previous, current, meta, navigation }) => {
          const message = renderMonthMessage({
            month,
            current,
            ...(stats ? { stats } : {}),
            ...(previous ? { previous } : {}),
            ...meta,
            ...(navigation
              ? {
                  navigation: {
                    trend: navigation.trend,
                    ...(navigation.prev ? { prev: navigation.prev } : {}),
                    ...(navigation.next ? { next: navigation.next } : {}),
                    ...(navigation.share ? { share: navigation.share } : {}),
                  },
                }
              : {}),
          });
          expectWithinLimits(message);
        },
      ),
      RUNS,
    );
  });

  it("series message over ranges of up to 24 months", () => {
    fc.assert(
      fc.property(
        seriesArb,
        fc.string({ unit: "binary", maxLength: 400, size: "max" }),
        metaArb,
        commandArb,
        (s, title, meta, share) => {
          expectWithinLimits(
            renderSeriesMessage({
              title,
              months: s.months,
              result: s.result,
              ...meta,
              ...(share ? { share } : {}),
            }),
          );
        },
      ),
      RUNS,
    );
  });

  it("export message", () => {
    fc.assert(
      fc.property(seriesArb, metaArb, commandArb, (s, meta, share) => {
        expectWithinLimits(
          renderExportMessage(billingExport(s.months, s.result), { ...meta, ...(share ? { share } : {}) }),
        );
      }),
      RUNS,
    );
  });

  it("help, usage errors and errors, whatever the text", () => {
    const textArb = fc.oneof(
      fc.string({ unit: "binary", maxLength: 500, size: "max" }),
      fc.string({ unit: fc.constantFrom("&", "<", "x", "\n", "`"), maxLength: 20_000, size: "max" }),
    );
    fc.assert(
      fc.property(textArb, textArb, fc.option(textArb, { nil: undefined }), (a, b, ref) => {
        expectWithinLimits(renderHelpMessage(a));
        expectWithinLimits(renderUsageError(a, b));
        expectWithinLimits(renderErrorMessage(a, ref));
      }),
      RUNS,
    );
  });
});

it("a month with 30 long-named grant types still shows most of them", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ unit: "grapheme-ascii", minLength: 100, maxLength: 300 }), {
        minLength: 30,
        maxLength: 30,
      }),
      fc.array(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { minLength: 30, maxLength: 30 }),
      (names, counts) => {
        const tokens = Object.fromEntries(
          new Map(
            names.map((n, i) => [n, tokenCounts({ access_token: counts[i] ?? 1, id_token: counts[i] ?? 1 })]),
          ),
        );
        const message = renderMonthMessage({
          month: { year: 2021, month: 11 },
          current: false,
          stats: { month: { year: 2021, month: 11 }, mau: Number.MAX_SAFE_INTEGER, tokens },
          host: "gluu.example.com",
          fetchedAt: 0,
          timeZone: "UTC",
        });
        expectWithinLimits(message);
        expect(JSON.stringify(message)).toContain("18 more grant types");
      },
    ),
    { numRuns: 30 },
  );
});
