/**
 * Property: what the emulator writes, exactly as a real server would, the client reads back to
 * the same numbers, in every format, for random data with large counts and URN grant types.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator, writeJson, writeOpenMetrics } from "../../src/emulator/index.js";
import { type MonthStats, tokenCounts } from "../../src/gluu/model.js";
import { parseStatBody } from "../../src/gluu/parse/index.js";
import { compareMonths, fromIndex, monthIndex, monthKey } from "../../src/months.js";
import { stackFor } from "../support/gluu.js";

const grantType = fc.oneof(
  fc.constantFrom(
    "authorization_code",
    "client_credentials",
    "refresh_token",
    "implicit",
    "password",
    "urn:ietf:params:oauth:grant-type:uma-ticket",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:token-exchange",
  ),
  fc.stringMatching(/^urn:[a-z]{1,8}:params:[a-z_:-]{1,30}$/),
  fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes("\u0000")),
);
const count = fc.oneof(
  fc.nat({ max: 1000 }),
  fc.nat({ max: 2 ** 31 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);

const monthStats = fc
  .record({
    index: fc.integer({
      min: monthIndex({ year: 2000, month: 1 }),
      max: monthIndex({ year: 2099, month: 12 }),
    }),
    mau: count,
    tokens: fc.dictionary(
      grantType,
      fc.record({ access_token: count, id_token: count, refresh_token: count, uma_token: count }),
      { maxKeys: 30 },
    ),
  })
  .map(
    ({ index, mau, tokens }): MonthStats => ({
      month: fromIndex(index),
      mau,
      tokens: Object.fromEntries(Object.entries(tokens).map(([g, t]) => [g, tokenCounts(t)])),
    }),
  );

const statsList = fc
  .uniqueArray(monthStats, { selector: (s) => monthKey(s.month), maxLength: 24 })
  .map((list) => [...list].sort((a, b) => compareMonths(a.month, b.month)));

/** A plain form for comparison: grant types named like Object.prototype members stay data. */
function plain(list: readonly MonthStats[]) {
  return list.map((s) => ({
    month: monthKey(s.month),
    mau: s.mau,
    tokens: Object.entries(s.tokens)
      .map(([g, t]) => [g, Object.entries(t).sort(([a], [b]) => (a < b ? -1 : 1))] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  }));
}

describe("emulator output → client parse", () => {
  it("OpenMetrics in every Java client variant, shuffled like a hash map", () => {
    fc.assert(
      fc.property(
        statsList,
        fc.constantFrom("classic", "suffixed", "suffixed-no-comma" as const),
        fc.integer(),
        (list, variant, seed) => {
          let x = seed;
          const shuffle = () => {
            x = (x * 1103515245 + 12345) & 0x7fffffff;
            return x / 0x80000000;
          };
          const body = writeOpenMetrics(list, { shuffle, variant });
          expect(plain(parseStatBody(body, "openmetrics"))).toEqual(plain(list));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("every JSON shape", () => {
    fc.assert(
      fc.property(statsList, fc.constantFrom("gluu4", "jsonmonth", "flat" as const), (list, shape) => {
        expect(plain(parseStatBody(writeJson(list, shape), "json"))).toEqual(plain(list));
      }),
      { numRuns: 200 },
    );
  });
});

describe("over HTTP", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ family: "janssen" });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("random data served by the emulator reaches the client unchanged, in both formats", async () => {
    await fc.assert(
      fc.asyncProperty(
        statsList,
        fc.constantFrom("json", "openmetrics" as const),
        async (list, statFormat) => {
          emulator.setData(list);
          const stack = stackFor(emulator, { statFormat });
          try {
            const months = list.map((s) => s.month);
            const result = await stack.service.get(months);
            expect(plain(result.months)).toEqual(plain(list));
            expect(result.noData).toEqual([]);
          } finally {
            await stack.close();
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
