/**
 * Every renderer, for any data the server or a user could produce, yields a message Slack
 * accepts. Random grant type names (long, full of mrkdwn and control characters), huge counts,
 * extra token kinds, ranges with and without data, odd navigation values.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exportView, monthlySummaryView, monthView, seriesView } from "../../src/answer/index.js";
import type { MonthStats, TokenCounts } from "../../src/gluu/model.js";
import { tokenCounts } from "../../src/gluu/model.js";
import { addMonths, type Month, monthRange, monthsBack, tryAddMonths } from "../../src/months.js";
import {
  checkBlockLimits,
  hasNewerBlocks,
  renderErrorMessage,
  renderExportMessage,
  renderHelpMessage,
  renderInterim,
  renderMonthlySummary,
  renderMonthMessage,
  renderSeriesMessage,
  renderUsageError,
  type SlackMessage,
  withoutNewerBlocks,
} from "../../src/report/slack/index.js";
import type { CommandButton, MonthButtons } from "../../src/report/view.js";

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

const buttonArb: fc.Arbitrary<CommandButton | undefined> = commandArb.map((value) =>
  value === undefined ? undefined : { value },
);

function buttonsArb(month: Month): fc.Arbitrary<MonthButtons | undefined> {
  return fc.option(
    fc
      .record({
        prev: buttonArb,
        next: buttonArb,
        trend: fc.string({ maxLength: 2100, size: "max" }),
        share: buttonArb,
      })
      .map(({ prev, next, trend, share }) => {
        const before = tryAddMonths(month, -1);
        return {
          trend: { value: trend },
          ...(prev && before ? { prev: { ...prev, month: before } } : {}),
          ...(next ? { next: { ...next, month: addMonths(month, 1) } } : {}),
          ...(share ? { share } : {}),
        };
      }),
    { nil: undefined },
  );
}

/** The reply and its form for workspaces that refuse tables and charts: both within limits. */
function expectWithinLimits(message: SlackMessage): void {
  expect(checkBlockLimits(message)).toEqual([]);
  const classic = withoutNewerBlocks(message);
  expect(checkBlockLimits(classic)).toEqual([]);
  expect(hasNewerBlocks(classic)).toBe(false);
}

describe("every renderer stays within Slack's limits", () => {
  it("month message", () => {
    fc.assert(
      fc.property(
        monthArb.chain((mm) => {
          const before = tryAddMonths(mm, -1);
          return fc.record({
            month: fc.constant(mm),
            stats: fc.option(statsArb(mm), { nil: undefined }),
            previous: before ? fc.option(statsArb(before), { nil: undefined }) : fc.constant(undefined),
            current: fc.boolean(),
            meta: metaArb,
            buttons: buttonsArb(mm),
          });
        }),
        ({ month, stats, previous, current, meta, buttons }) => {
          const months = [previous, stats].filter((x): x is MonthStats => x !== undefined);
          const view = monthView(
            { month, current, result: { months, noData: [] }, ...(buttons ? { buttons } : {}) },
            meta,
          );
          expectWithinLimits(renderMonthMessage(view));
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
          const view = seriesView(
            {
              series: "range",
              title,
              months: s.months,
              result: s.result,
              ...(share ? { share: { value: share } } : {}),
            },
            meta,
          );
          expectWithinLimits(renderSeriesMessage(view));
        },
      ),
      RUNS,
    );
  });

  it("export message", () => {
    fc.assert(
      fc.property(seriesArb, metaArb, commandArb, (s, meta, share) => {
        const view = exportView(
          { months: s.months, result: s.result, ...(share ? { share: { value: share } } : {}) },
          meta,
        );
        expectWithinLimits(renderExportMessage(view));
      }),
      RUNS,
    );
  });

  it("monthly summary, with any of its 13 months missing", () => {
    fc.assert(
      fc.property(
        monthArb
          .filter((mm) => mm.year < 9990)
          .chain((mm) => {
            const months = monthRange(monthsBack(mm, 12), mm);
            return fc.tuple(
              fc.constant(mm),
              fc.tuple(...months.map((x) => fc.option(statsArb(x), { nil: undefined }))),
            );
          }),
        metaArb,
        ([month, maybe], meta) => {
          const result = {
            months: maybe.flatMap((x) => (x ? [x] : [])),
            noData: [],
            fetchedAt: meta.fetchedAt,
          };
          const view = monthlySummaryView({ month, result, host: meta.host, timeZone: meta.timeZone });
          expectWithinLimits(renderMonthlySummary(view));
        },
      ),
      { numRuns: 30 },
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
        expectWithinLimits(
          renderInterim({ what: a, host: b, inChannel: ref !== undefined, waitS: a.length }),
        );
        expectWithinLimits(renderInterim({ doing: a, host: b }));
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
        const month = { year: 2021, month: 11 };
        const view = monthView(
          {
            month,
            current: false,
            result: { months: [{ month, mau: Number.MAX_SAFE_INTEGER, tokens }], noData: [] },
          },
          { host: "gluu.example.com", fetchedAt: 0, timeZone: "UTC" },
        );
        // As a table, every grant type is a row; as fields, twelve and "18 more".
        const message = renderMonthMessage(view);
        expectWithinLimits(message);
        const table = message.blocks.find((b) => b.type === "table");
        expect(table?.type === "table" ? table.rows.length : 0).toBe(31);
        const fields = renderMonthMessage(view, { grantTable: false });
        expectWithinLimits(fields);
        expect(JSON.stringify(fields)).toContain("18 more grant types");
      },
    ),
    { numRuns: 30 },
  );
});
