/**
 * "Instant answers on Gluu 4.x", over real HTTP on loopback against the emulator: one request
 * brings the neighbourhood, long requests go as a POST form, and an older OpenMetrics writer's
 * 500 makes the client ask in JSON.
 */
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { monthsFor, type StatsQuery, summaryMonths } from "../../src/answer/fetch.js";
import { defaultGluuConfig, type GluuConfig } from "../../src/config/index.js";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../src/emulator/index.js";
import { createGluuStack, type GluuStack } from "../../src/gluu/index.js";
import { MAX_GET_URL_LENGTH, StatClient, statRequest } from "../../src/gluu/stat-client.js";
import { createLogger } from "../../src/log.js";
import { addMonths, type Month, month, monthAt, monthKey, monthRange } from "../../src/months.js";

const NOW = Date.UTC(2026, 10, 26, 12); // 2026-11-26 12:00 UTC
const CURRENT = monthAt(NOW);

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function emulator(opts: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const e = await startEmulator({ family: "gluu4", now: () => NOW, ...opts });
  open.push(e);
  return e;
}

function stack(
  e: Emulator,
  overrides: Partial<GluuConfig> = {},
  deps: Parameters<typeof createGluuStack>[1] = {},
) {
  const s = createGluuStack(
    defaultGluuConfig({ url: e.url, clientId: "stat-client", clientSecret: "stat-secret" }, overrides),
    { now: () => NOW, ...deps },
  );
  open.push(s);
  return s;
}

const monthQ = (m: Month): StatsQuery => ({ kind: "month", month: m, current: m === CURRENT });
const lastTwelve = (kind: "trend" | "export"): StatsQuery => ({
  kind,
  from: addMonths(CURRENT, -12),
  to: addMonths(CURRENT, -1),
});

describe("one request brings the neighbourhood", () => {
  it("navigation session: month, previous ×3, trend, export, 18 months back: 1 stat request on a 60 s Gluu 4.x", async () => {
    const e = await emulator({ intervalLimitS: 60 });
    const s = stack(e);
    const questions: Month[][] = [
      monthsFor(monthQ(CURRENT)),
      monthsFor(monthQ(addMonths(CURRENT, -1))),
      monthsFor(monthQ(addMonths(CURRENT, -2))),
      monthsFor(monthQ(addMonths(CURRENT, -3))),
      monthsFor(lastTwelve("trend")),
      monthsFor(lastTwelve("export")),
      summaryMonths(addMonths(CURRENT, -1)),
      monthsFor(monthQ(addMonths(CURRENT, -18))),
    ];
    for (const months of questions) {
      const r = await s.service.get(months);
      // Exactly the months asked, no more.
      expect([...r.months.map((m) => m.month), ...r.noData].map(monthKey).sort()).toEqual(
        months.map(monthKey).sort(),
      );
    }
    expect(e.counters.stat).toBe(1);
    expect(e.counters.statOk).toBe(1);
    expect(e.counters.stat403).toBe(0);
    // All of it answerable in the acknowledgement now.
    for (const months of questions) expect(s.service.peek(months)).toBeDefined();
  });

  describe("property", () => {
    let e: Emulator;
    beforeAll(async () => {
      e = await startEmulator({ family: "gluu4", now: () => NOW, intervalLimitS: 0 });
    });
    afterAll(async () => {
      await e.close();
    });

    /** A question, as the months it needs, about a month `back` months before the current one. */
    const question = fc.oneof(
      fc.integer({ min: 0, max: 60 }).map((back) => monthsFor(monthQ(addMonths(CURRENT, -back)))),
      fc.constant(monthsFor(lastTwelve("trend"))),
      fc.constant(monthsFor(lastTwelve("export"))),
      fc.integer({ min: 1, max: 48 }).map((back) => summaryMonths(addMonths(CURRENT, -back))),
      fc
        .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 12 }))
        .map(([back, len]) => monthRange(addMonths(CURRENT, -back - len + 1), addMonths(CURRENT, -back))),
    );

    it("stat requests ≤ distinct neighbourhoods touched (calendar years: each lies in the neighbourhood of any of its months)", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(question, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }),
          async (rounds) => {
            const s = stack(e, { statUrl: `${e.url}${e.statPath}` });
            const before = e.counters.statOk;
            const years = new Set<number>();
            for (const together of rounds) {
              // Questions in one round arrive at the same time.
              await Promise.all(together.map((months) => s.service.get(months)));
              for (const months of together) for (const m of months) years.add(m.year);
            }
            const requests = e.counters.statOk - before;
            await s.close();
            open.splice(open.indexOf(s), 1);
            expect(requests).toBeGreaterThanOrEqual(1);
            expect(requests).toBeLessThanOrEqual(years.size);
          },
        ),
        { numRuns: 40 },
      );
    });
  });
});

describe("long requests", () => {
  it("builds a GET up to MAX_GET_URL_LENGTH and a POST form beyond, with the same parameters", () => {
    const url = "https://idp.example.com/oxauth/restv1/internal/stat";
    const few = statRequest(url, monthRange(month(2024, 1), month(2024, 3)), "openmetrics", "t");
    expect(few).toEqual({
      method: "GET",
      url: `${url}?month=202401%20202402%20202403&format=openmetrics`,
      headers: { authorization: "Bearer t" },
      endpoint: "stat",
    });
    const many = monthRange(month(2000, 1), month(2026, 11));
    const post = statRequest(url, many, "json", "t");
    expect(post.method).toBe("POST");
    expect(post.url).toBe(url);
    expect(post.headers?.["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(post.body).toBe(`month=${many.map(monthKey).join("%20")}`);
    // 60 months, the most a question brings, stay a GET even with a long issuer URL.
    const long = `https://${"a".repeat(200)}.example.com/oxauth/restv1/internal/stat`;
    const sixty = statRequest(long, monthRange(month(2020, 1), month(2024, 12)), "openmetrics", "t");
    expect(sixty.method).toBe("GET");
    expect(sixty.url.length).toBeLessThanOrEqual(MAX_GET_URL_LENGTH);
  });

  it.each(["gluu4", "janssen"] as const)("%s answers a POST of every month since 2000", async (family) => {
    const e = await emulator({ family, intervalLimitS: 0 });
    const client = new StatClient(
      defaultGluuConfig({ url: e.url, clientId: "stat-client", clientSecret: "stat-secret" }),
      { now: () => NOW },
    );
    open.push(client);
    const months = monthRange(month(2000, 1), CURRENT);
    const got = await client.fetchMonths(months);
    expect(got.stats.map((s) => monthKey(s.month))).toEqual(
      monthRange(addMonths(CURRENT, -23), CURRENT).map(monthKey),
    );
    const stat = e.requests.filter((r) => r.path === e.statPath);
    expect(stat.map((r) => r.method)).toEqual(["POST"]);
    expect(e.counters.statMonths).toBe(months.length);
  });
});

describe("an older Gluu 4.x OpenMetrics writer", () => {
  it("answers 500 to several months: the client asks again in JSON once, and logs that the server needs it", async () => {
    const e = await emulator({ intervalLimitS: 1, openMetricsRegistryPerMonth: true, now: Date.now });
    const lines: string[] = [];
    const log = createLogger({ level: "info", destination: { write: (line: string) => lines.push(line) } });
    const s: GluuStack = stack(e, { statFormat: "openmetrics", minIntervalS: 1 }, { log, now: Date.now });
    const trend = monthsFor(lastTwelve("trend"));
    const r = await s.service.get(trend);
    expect(r.months.length + r.noData.length).toBe(12);
    expect(s.client.format).toBe("json");
    const stat = e.requests.filter((q) => q.path === e.statPath);
    // OpenMetrics 500 (interval used), then JSON: refused once, accepted 1 s later.
    expect(stat.map((q) => [q.status, q.query.includes("format=openmetrics")])).toEqual([
      [500, true],
      [403, false],
      [200, false],
    ]);
    const warned = lines.filter((l) => l.includes("asking in JSON from now on"));
    expect(warned).toHaveLength(1);
    expect(JSON.parse(warned[0] as string).level).toBe(40);
    // From then on JSON only, and no second warning.
    await new Promise((res) => setTimeout(res, 1_100));
    await s.service.get([addMonths(CURRENT, -40)]);
    const after = e.requests.filter((q) => q.path === e.statPath).slice(3);
    expect(after.map((q) => [q.status, q.query.includes("format=openmetrics")])).toEqual([[200, false]]);
    expect(lines.filter((l) => l.includes("asking in JSON from now on"))).toHaveLength(1);
  });
});
