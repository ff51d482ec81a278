import { describe, expect, it } from "vitest";
import { GluuError } from "../../src/gluu/errors.js";
import { type MonthStats, tokenCounts } from "../../src/gluu/model.js";
import { type MonthFetcher, StatService } from "../../src/gluu/stat-service.js";
import { addMonths, type Month, month, monthKey, monthRange } from "../../src/months.js";

const NOW = Date.UTC(2026, 10, 26, 12); // 2026-11-26 12:00 UTC
const CURRENT = month(2026, 11);

function stats(m: Month, mau: number): MonthStats {
  return { month: m, mau, tokens: { authorization_code: tokenCounts({ access_token: mau * 3 }) } };
}

/** A fetcher double: records each request's months, answers from a table. */
class FakeFetcher implements MonthFetcher {
  calls: string[][] = [];
  rateLimited = false;
  failures: GluuError[] = [];
  constructor(
    private readonly data: Map<string, MonthStats>,
    private readonly clock: () => number,
    private readonly delayMs = 5,
  ) {}
  async fetchMonths(months: readonly Month[]) {
    this.calls.push(months.map(monthKey));
    await new Promise((r) => setTimeout(r, this.delayMs));
    const failure = this.failures.shift();
    if (failure) throw failure;
    const out = months.map((m) => this.data.get(monthKey(m))).filter((s): s is MonthStats => s !== undefined);
    return { stats: out, at: this.clock() };
  }
}

function setup(opts: { rateLimited?: boolean; minIntervalMs?: number } = {}) {
  let now = NOW;
  const data = new Map<string, MonthStats>();
  for (const m of monthRange(addMonths(CURRENT, -23), CURRENT))
    data.set(monthKey(m), stats(m, m.month * 100));
  data.delete(monthKey(month(2026, 2))); // a month the server has nothing for
  const fetcher = new FakeFetcher(data, () => now);
  fetcher.rateLimited = opts.rateLimited ?? false;
  const service = new StatService(fetcher, { now: () => now, minIntervalMs: opts.minIntervalMs ?? 60_000 });
  return {
    fetcher,
    service,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("StatService", () => {
  it("answers 100 concurrent identical queries with one request", async () => {
    const { fetcher, service } = setup();
    const months = monthRange(month(2026, 1), month(2026, 6));
    const results = await Promise.all(Array.from({ length: 100 }, () => service.get(months)));
    expect(fetcher.calls).toHaveLength(1);
    expect(fetcher.calls[0]).toEqual(["202601", "202602", "202603", "202604", "202605", "202606"]);
    for (const r of results) {
      expect(r.months.map((s) => s.mau)).toEqual([100, 300, 400, 500, 600]);
      expect(r.noData).toEqual([month(2026, 2)]);
    }
  });

  it("never fetches a closed month twice and asks only for what is missing", async () => {
    const { fetcher, service } = setup();
    await service.get(monthRange(month(2026, 1), month(2026, 5)));
    const r = await service.get(monthRange(month(2026, 1), month(2026, 6)));
    expect(fetcher.calls).toEqual([["202601", "202602", "202603", "202604", "202605"], ["202606"]]);
    expect(r.months).toHaveLength(5);
    await service.get(monthRange(month(2026, 1), month(2026, 6)));
    expect(fetcher.calls).toHaveLength(2);
  });

  it("reuses the current month for the minimum interval, then refreshes it", async () => {
    const { fetcher, service, advance } = setup();
    await service.get([CURRENT]);
    advance(59_000);
    await service.get([CURRENT]);
    expect(fetcher.calls).toHaveLength(1);
    advance(2_000);
    await service.get([CURRENT]);
    expect(fetcher.calls).toHaveLength(2);
  });

  it("treats a month read within the grace period after its end as not final", async () => {
    const { fetcher, service, advance } = setup();
    // 2026-12-01 00:05 UTC: November has just ended.
    advance(Date.UTC(2026, 11, 1, 0, 5) - NOW);
    await service.get([CURRENT]);
    advance(61_000);
    await service.get([CURRENT]);
    expect(fetcher.calls).toHaveLength(2);
    // Read again after the grace period: final from now on.
    advance(3 * 60 * 60 * 1000);
    await service.get([CURRENT]);
    advance(24 * 60 * 60 * 1000);
    await service.get([CURRENT]);
    expect(fetcher.calls).toHaveLength(3);
  });

  it("serves the cached value on a 403 and retries months without one after the interval", async () => {
    const { fetcher, service, advance } = setup({ rateLimited: true, minIntervalMs: 50 });
    await service.get([CURRENT]);
    advance(100);
    fetcher.failures.push(new GluuError("rate_limited", "interval"));
    const [stale, fresh] = await Promise.all([service.get([CURRENT]), service.get([month(2026, 7)])]);
    expect(stale.months[0]?.mau).toBe(1100);
    expect(stale.fetchedAt).toBe(NOW);
    expect(fresh.months[0]?.mau).toBe(700);
    expect(fetcher.calls).toEqual([["202611"], ["202607", "202611"], ["202607"]]);
  });

  it("gives up with a clear error after repeated 403s", async () => {
    const { fetcher, service } = setup({ rateLimited: true, minIntervalMs: 10 });
    for (let i = 0; i < 4; i++) fetcher.failures.push(new GluuError("rate_limited", "interval"));
    await expect(service.get([month(2026, 7)])).rejects.toThrow(/allows one statistics request every/);
    expect(fetcher.calls).toHaveLength(4);
  });

  it("spaces its own requests on a rate-limited server and serves older values meanwhile", async () => {
    const { fetcher, service, advance } = setup({ rateLimited: true, minIntervalMs: 200 });
    await service.get([CURRENT]);
    advance(300);
    const started = Date.now();
    await service.get([month(2026, 3)]);
    // Our previous request was at "now - 300ms" by the fake clock; the gate is open at once.
    expect(Date.now() - started).toBeLessThan(150);
    // Now the gate is closed for 200ms: a stale current month is served at once, no request.
    advance(100);
    const r = await service.get([CURRENT]);
    expect(r.months[0]?.mau).toBe(1100);
    expect(fetcher.calls).toHaveLength(2);
  });

  it("passes a non-transient error to every waiting caller and records the outcome", async () => {
    const { fetcher, service } = setup();
    fetcher.failures.push(new GluuError("scope", "the client lacks scope jans_stat"));
    const results = await Promise.allSettled([service.get([CURRENT]), service.get([CURRENT])]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(service.lastOutcome?.ok).toBe(false);
    expect(fetcher.calls).toHaveLength(1);
    const ok = await service.get([CURRENT]);
    expect(ok.months[0]?.mau).toBe(1100);
    expect(service.lastOutcome?.ok).toBe(true);
  });

  it("serves cached values when the server is down", async () => {
    const { fetcher, service, advance } = setup();
    await service.get([CURRENT]);
    advance(120_000);
    fetcher.failures.push(new GluuError("network", "connection refused"));
    const r = await service.get([CURRENT]);
    expect(r.months[0]?.mau).toBe(1100);
    expect(r.fetchedAt).toBe(NOW);
  });
});
