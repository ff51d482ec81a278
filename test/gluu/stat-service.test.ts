import { afterEach, describe, expect, it, vi } from "vitest";
import { summaryMonths } from "../../src/answer/fetch.js";
import { GluuError } from "../../src/gluu/errors.js";
import { type MonthStats, tokenCounts } from "../../src/gluu/model.js";
import { FormatFallbackError } from "../../src/gluu/stat-client.js";
import { type MonthFetcher, StatService } from "../../src/gluu/stat-service.js";
import { addMonths, type Month, month, monthKey, monthRange } from "../../src/months.js";
import { MemoryCacheStore } from "../../src/state/stat-cache.js";

const NOW = Date.UTC(2026, 10, 26, 12); // 2026-11-26 12:00 UTC
const CURRENT = month(2026, 11);
const S = 1_000;

function stats(m: Month, mau: number): MonthStats {
  return { month: m, mau, tokens: { authorization_code: tokenCounts({ access_token: mau * 3 }) } };
}

/** 24 months of figures up to CURRENT, MAU = 100 × month of year; 2026-02 has none. */
function table(): Map<string, MonthStats> {
  const data = new Map<string, MonthStats>();
  for (const m of monthRange(addMonths(CURRENT, -23), CURRENT))
    data.set(monthKey(m), stats(m, m.month * 100));
  data.delete(monthKey(month(2026, 2)));
  return data;
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

function setup(opts: { minIntervalMs?: number; prefetch?: boolean; store?: MemoryCacheStore } = {}) {
  let now = NOW;
  const fetcher = new FakeFetcher(table(), () => now);
  const service = new StatService(fetcher, {
    now: () => now,
    minIntervalMs: opts.minIntervalMs ?? 60_000,
    ...(opts.prefetch === undefined ? {} : { prefetch: opts.prefetch }),
    ...(opts.store ? { store: opts.store } : {}),
  });
  return {
    fetcher,
    service,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** The months of `monthsFor` for a month question (the month and the one before). */
const monthQuestion = (m: Month) => [addMonths(m, -1), m];
const lastTwelve = monthRange(addMonths(CURRENT, -12), addMonths(CURRENT, -1));

describe("StatService", () => {
  it("answers 100 concurrent identical queries with one request, holding exactly the months asked", async () => {
    const { fetcher, service } = setup();
    const months = monthRange(month(2026, 1), month(2026, 6));
    const results = await Promise.all(Array.from({ length: 100 }, () => service.get(months)));
    expect(fetcher.calls).toHaveLength(1);
    expect(fetcher.calls[0]).toEqual(expect.arrayContaining(months.map(monthKey)));
    for (const r of results) {
      expect(r.months.map((s) => s.mau)).toEqual([100, 300, 400, 500, 600]);
      expect(r.noData).toEqual([month(2026, 2)]);
    }
  });

  it("brings the neighbourhood: the buttons, the trend, the export and the monthly post cost nothing more", async () => {
    const { fetcher, service } = setup();
    const back18 = addMonths(CURRENT, -18);
    await service.get(monthQuestion(back18));
    expect(fetcher.calls).toHaveLength(1);
    // The month asked, the one before, 12 on either side and the 24 up to the current month.
    const expected = monthRange(addMonths(back18, -13), CURRENT).map(monthKey);
    expect(fetcher.calls[0]).toEqual(expected);
    for (let i = 1; i <= 3; i++) await service.get(monthQuestion(addMonths(back18, -i)));
    for (let i = 1; i <= 12; i++) await service.get(monthQuestion(addMonths(back18, i)));
    await service.get(lastTwelve);
    await service.get(summaryMonths(addMonths(CURRENT, -1)));
    await service.get(monthQuestion(CURRENT));
    expect(fetcher.calls).toHaveLength(1);
  });

  it("asks for at most 60 months, the nearest first, and never before January 2000 or after now", async () => {
    const { fetcher, service } = setup();
    await service.get(summaryMonths(addMonths(CURRENT, -40)));
    expect(fetcher.calls[0]).toHaveLength(60);
    const early = setup();
    await early.service.get(monthQuestion(month(2000, 2)));
    const asked = early.fetcher.calls[0] ?? [];
    expect(asked[0]).toBe("200001");
    expect(asked.every((k) => k <= monthKey(CURRENT))).toBe(true);
    expect(asked).toContain("200102"); // 12 months after
    expect(asked).not.toContain("200103");
  });

  it("caches a neighbour without data as no data, for good once closed", async () => {
    const { fetcher, service, advance } = setup();
    await service.get([month(2026, 3)]);
    advance(365 * 24 * 3600 * S);
    const r = await service.get([month(2026, 2)]);
    expect(r.months).toEqual([]);
    expect(r.noData).toEqual([month(2026, 2)]);
    expect(fetcher.calls).toHaveLength(1);
  });

  it("reuses a prefetched current month only for the minimum interval", async () => {
    const { fetcher, service, advance } = setup();
    await service.get([month(2026, 5)]);
    expect(fetcher.calls[0]).toContain(monthKey(CURRENT));
    advance(59 * S);
    expect((await service.get([CURRENT])).months[0]?.mau).toBe(1100);
    expect(fetcher.calls).toHaveLength(1);
    advance(2 * S);
    await service.get([CURRENT]);
    expect(fetcher.calls).toHaveLength(2);
  });

  it("does not prefetch what another replica already put in the shared store", async () => {
    const store = new MemoryCacheStore();
    const done = month(2026, 6);
    await store.set(monthKey(done), { stats: stats(done, 1), fetchedAt: NOW });
    const { fetcher, service } = setup({ store });
    await service.get([month(2026, 5)]);
    expect(fetcher.calls[0]).not.toContain(monthKey(done));
    expect((await service.get([done])).months[0]?.mau).toBe(1);
    expect(fetcher.calls).toHaveLength(1);
  });

  it("without prefetch, never fetches a closed month twice and asks only for what is missing", async () => {
    const { fetcher, service } = setup({ prefetch: false });
    await service.get(monthRange(month(2026, 1), month(2026, 5)));
    const r = await service.get(monthRange(month(2026, 1), month(2026, 6)));
    expect(fetcher.calls).toEqual([["202601", "202602", "202603", "202604", "202605"], ["202606"]]);
    expect(r.months).toHaveLength(5);
    await service.get(monthRange(month(2026, 1), month(2026, 6)));
    expect(fetcher.calls).toHaveLength(2);
  });

  it("joins a question for a month that is on its way as another request's neighbour", async () => {
    const { fetcher, service } = setup();
    const first = service.get([month(2026, 5)]);
    await new Promise((r) => setTimeout(r, 1));
    const second = await service.get([month(2026, 8)]);
    await first;
    expect(second.months[0]?.mau).toBe(800);
    expect(fetcher.calls).toHaveLength(1);
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

describe("peek", () => {
  it("answers from what is cached without a request, else undefined", async () => {
    const { fetcher, service, advance } = setup();
    expect(service.peek([month(2026, 7)])).toBeUndefined();
    expect(service.estimateReadyAt([month(2026, 7)])).toBe(NOW);
    const got = await service.get(monthQuestion(month(2026, 7)));
    expect(service.peek(monthQuestion(month(2026, 7)))).toEqual(got);
    // A neighbour, the trend and a month without data: all there.
    expect(service.peek([month(2026, 9)])?.months[0]?.mau).toBe(900);
    expect(service.peek(lastTwelve)?.months).toHaveLength(11);
    expect(service.peek([month(2026, 2)])?.noData).toEqual([month(2026, 2)]);
    expect(service.estimateReadyAt(lastTwelve)).toBeUndefined();
    // Outside the neighbourhood: not there.
    expect(service.peek([month(2024, 1)])).toBeUndefined();
    // The current month only for the minimum interval.
    expect(service.peek([CURRENT])?.months[0]?.mau).toBe(1100);
    advance(61 * S);
    expect(service.peek([CURRENT])).toBeUndefined();
    expect(service.peek(lastTwelve)).toBeDefined();
    expect(fetcher.calls).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Gluu 4.x: the interval, on a fake clock with fake timers
// ---------------------------------------------------------------------------------------------

/**
 * A Gluu 4.x server as the service sees it: refuses (403) a request less than `intervalMs` after
 * the last one it processed, and a refusal does not move that time (StatWS.java). Answers
 * instantly unless told otherwise. `takeInterval` is another client's processed request.
 */
class IntervalServer implements MonthFetcher {
  readonly rateLimited = true;
  readonly log: Array<{ at: number; status: number; months: string[] }> = [];
  private lastProcessed: number | undefined;
  failNext: GluuError[] = [];
  constructor(
    public intervalMs: number,
    private readonly data = table(),
  ) {}
  takeInterval(): void {
    this.lastProcessed = Date.now();
  }
  async fetchMonths(months: readonly Month[]) {
    const at = Date.now();
    const keys = months.map(monthKey);
    const failure = this.failNext.shift();
    if (this.lastProcessed !== undefined && at - this.lastProcessed < this.intervalMs) {
      this.log.push({ at, status: 403, months: keys });
      throw new GluuError("rate_limited", "interval", { status: 403 });
    }
    this.lastProcessed = at;
    if (failure) {
      this.log.push({ at, status: 500, months: keys });
      throw failure;
    }
    this.log.push({ at, status: 200, months: keys });
    return { stats: keys.flatMap((k) => this.data.get(k) ?? []), at };
  }
  /** Send times relative to NOW, in seconds to 0.1 s (a fake setTimeout(0) may take 1 ms), with statuses. */
  timeline(): string[] {
    return this.log.map((l) => `${Math.round((l.at - NOW) / 100) / 10}:${l.status}`);
  }
}

function gluu4(intervalMs: number, minIntervalMs = 60 * S) {
  vi.useFakeTimers({ now: NOW });
  const server = new IntervalServer(intervalMs);
  const service = new StatService(server, { now: () => Date.now(), minIntervalMs });
  return { server, service };
}

/** Runs `work` while the fake clock advances by `ms`. */
async function during<T>(ms: number, work: Promise<T>): Promise<T> {
  const settled = work.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  await vi.advanceTimersByTimeAsync(ms);
  const r = await settled;
  if (!r.ok) throw r.e;
  return r.v;
}

describe("StatService on a Gluu 4.x server", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends a question at once, then backs off 1, 2, 4 … s on 403s, never past the cap", async () => {
    const { server, service } = gluu4(60 * S);
    await during(0, service.get([CURRENT]));
    await vi.advanceTimersByTimeAsync(3 * S);
    const r = await during(60 * S, service.get([month(2000, 5)]));
    expect(r.noData).toEqual([month(2000, 5)]);
    expect(server.timeline()).toEqual([
      "0:200",
      "3:403",
      "4:403",
      "6:403",
      "10:403",
      "18:403",
      "34:403",
      "60:200",
    ]);
    expect(service.intervalKnowledge).toEqual({
      acceptedMs: 60 * S,
      refusedMs: 34 * S,
      lastProcessedAt: NOW + 60 * S,
    });
  });

  it("starts the next wait at the spacing it learnt: no refusal the second time", async () => {
    const { server, service } = gluu4(60 * S);
    await during(0, service.get([CURRENT]));
    await vi.advanceTimersByTimeAsync(3 * S);
    await during(60 * S, service.get([month(2000, 5)]));
    // 5 s after the last answer: a request now is known to be refused; it waits until 60 s.
    await vi.advanceTimersByTimeAsync(2 * S);
    const next = service.get([month(2003, 5)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(service.nextAttemptAt()).toBe(NOW + 120 * S);
    expect(service.estimateReadyAt([month(2003, 5)])).toBe(NOW + 120 * S);
    expect(service.estimateReadyAt([month(2000, 5)])).toBeUndefined();
    await during(60 * S, next);
    expect(server.timeline().slice(8)).toEqual(["120:200"]);
  });

  it("on a 5 s server: learns 4 s refused and 6 s accepted, and then asks at 6 s", async () => {
    const { server, service } = gluu4(5 * S);
    await during(0, service.get([CURRENT]));
    await vi.advanceTimersByTimeAsync(3 * S);
    await during(3 * S, service.get([month(2000, 5)]));
    expect(server.timeline()).toEqual(["0:200", "3:403", "4:403", "6:200"]);
    await vi.advanceTimersByTimeAsync(1 * S);
    await during(10 * S, service.get([month(2003, 5)]));
    expect(server.timeline().slice(4)).toEqual(["12:200"]);
  });

  it("gives up after 8 refusals in one wait, every wait within the cap", async () => {
    // The server's interval is longer than GLUU_MIN_INTERVAL_S (10 s): the cap bounds each wait.
    const { server, service } = gluu4(120 * S, 10 * S);
    await during(0, service.get([CURRENT]));
    await vi.advanceTimersByTimeAsync(3 * S);
    const failed = during(
      120 * S,
      service.get([month(2000, 5)]).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    const error = await failed;
    expect(error).toBeInstanceOf(GluuError);
    expect((error as GluuError).code).toBe("rate_limited");
    expect((error as GluuError).message).toMatch(/refused 8 statistics requests in a row/);
    expect(server.timeline()).toEqual([
      "0:200",
      "3:403",
      "4:403",
      "6:403",
      "10:403",
      "18:403",
      "28:403",
      "38:403",
      "48:403",
    ]);
    // The wait is over; the next question starts a new one, at once now that 48 s has passed.
    expect(service.nextAttemptAt()).toBeUndefined();
    await during(0, service.get([month(2001, 5)]));
    expect(server.timeline().slice(9)).toEqual(["123:200"]);
  });

  it("serves a cached older value on a 403 at once; the retry refreshes it on the way", async () => {
    const { server, service } = gluu4(60 * S);
    await during(0, service.get([CURRENT]));
    await vi.advanceTimersByTimeAsync(61 * S);
    server.takeInterval(); // the admin UI asks first
    await vi.advanceTimersByTimeAsync(500);
    const stale = service.get([CURRENT]);
    const fresh = service.get([month(2001, 7)]);
    const r = await during(0, stale);
    expect(r.fetchedAt).toBe(NOW);
    expect(r.months[0]?.mau).toBe(1100);
    await during(70 * S, fresh);
    const last = server.log.at(-1);
    expect(last?.status).toBe(200);
    // Within the cap after the other client's request, give or take the last doubling.
    expect(last?.at).toBeLessThanOrEqual(NOW + (61.5 + 60 + 3) * S);
    expect(last?.months).toContain(monthKey(CURRENT));
    expect(service.peek([CURRENT])?.fetchedAt).toBe(last?.at);
  });

  it("shares one request among simultaneous questions, also while it waits", async () => {
    const { server, service } = gluu4(60 * S);
    await during(0, service.get([CURRENT]));
    await vi.advanceTimersByTimeAsync(3 * S);
    const a = service.get([month(2001, 5)]);
    await vi.advanceTimersByTimeAsync(2 * S);
    const b = Promise.all(Array.from({ length: 20 }, () => service.get([month(2004, 5)])));
    await during(60 * S, Promise.all([a, b]));
    const ok = server.log.filter((l) => l.status === 200);
    expect(ok).toHaveLength(2);
    expect(ok[1]?.months).toEqual(expect.arrayContaining(["200105", "200405"]));
  });

  it("asks again, in JSON, after an OpenMetrics 500: as the interval allows, not as a refusal", async () => {
    const { server, service } = gluu4(5 * S);
    server.failNext.push(new FormatFallbackError(NOW, "http://idp/oxauth/restv1/internal/stat"));
    const r = await during(10 * S, service.get(lastTwelve));
    expect(r.months).toHaveLength(11);
    // The 500 used the interval: the retry at once is refused, then 1 s, 2 s … as usual.
    expect(server.timeline()).toEqual(["0:500", "0:403", "1:403", "3:403", "7:200"]);
  });

  it("estimates when figures follow: the last processed answer plus the spacing accepted", async () => {
    const { service } = gluu4(60 * S);
    await during(0, service.get([CURRENT]));
    await vi.advanceTimersByTimeAsync(20 * S);
    // Nothing learnt yet: GLUU_MIN_INTERVAL_S after the last answer.
    expect(service.estimateReadyAt([month(2001, 1)])).toBe(NOW + 60 * S);
    expect(service.nextAttemptAt()).toBeUndefined();
    const p = service.get([month(2001, 1)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(service.nextAttemptAt()).toBe(NOW + 21 * S);
    await during(60 * S, p);
    expect(service.nextAttemptAt()).toBeUndefined();
  });
});
