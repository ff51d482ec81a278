/**
 * The StateStore contract, run against both stores: what the monthly post relies on for
 * exactly-once, whichever of STATE_DIR or REDIS_URL is configured.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type MonthStats, tokenCounts } from "../../src/gluu/model.js";
import { month, monthKey } from "../../src/months.js";
import { FileStateStore } from "../../src/state/file-store.js";
import { RedisStateStore } from "../../src/state/redis-store.js";
import { serverSamples } from "../../src/state/samples.js";
import type { CachedMonth } from "../../src/state/stat-cache.js";
import type { DeliveryKey, DeliveryState, HistoryEntry, StateStore } from "../../src/state/store.js";
import { startRedis, type TestRedis } from "../support/redis.js";

/** One empty state; every `open()` is a new store object (a new connection) on it. */
interface Backing {
  open(): Promise<StateStore>;
}

interface Backend {
  readonly name: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  fresh(): Promise<Backing>;
}

function fileBackend(): Backend {
  const dirs: string[] = [];
  return {
    name: "FileStateStore",
    async setup() {},
    async teardown() {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
    async fresh() {
      const dir = await mkdtemp(join(tmpdir(), "gluu-stats-store-"));
      dirs.push(dir);
      return { open: () => FileStateStore.open(dir) };
    },
  };
}

function redisBackend(): Backend {
  let redis: TestRedis | undefined;
  let failure: unknown;
  let n = 0;
  return {
    name: "RedisStateStore",
    async setup() {
      // Kept for fresh() to throw, so every Redis test fails rather than being skipped.
      redis = await startRedis().catch((error: unknown) => {
        failure = error;
        return undefined;
      });
    },
    async teardown() {
      await redis?.stop();
    },
    async fresh() {
      const server = redis;
      if (!server) throw failure;
      // A prefix per test: the same server, but nothing shared between tests.
      const prefix = `contract-${++n}:`;
      return { open: () => RedisStateStore.connect(server.url, { prefix }) };
    },
  };
}

const C1: DeliveryKey = { channel: "C01ABCDEF", month: "202401" };
const C1_FEB: DeliveryKey = { channel: "C01ABCDEF", month: "202402" };
const C2: DeliveryKey = { channel: "C02GHIJKL", month: "202401" };

function entry(i: number, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: `h${i}`,
    month: "202401",
    channel: "C01ABCDEF",
    at: 1_700_000_000_000 + i,
    trigger: "scheduled",
    outcome: "posted",
    ...extra,
  };
}

const URN_GRANT = "urn:ietf:params:oauth:grant-type:uma-ticket";
const STATS: MonthStats = {
  month: month(2024, 1),
  mau: 1234,
  tokens: {
    authorization_code: tokenCounts({ access_token: 10, id_token: 9, refresh_token: 3 }),
    [URN_GRANT]: tokenCounts({ uma_token: 7 }),
    "urn:ietf:params:oauth:grant-type:device_code": tokenCounts({ access_token: 2, tx_token: 5 }),
  },
};

describe.each([fileBackend(), redisBackend()])("$name (StateStore contract)", (backend) => {
  const opened: StateStore[] = [];
  let backing: Backing;

  async function open(): Promise<StateStore> {
    const store = await backing.open();
    opened.push(store);
    return store;
  }

  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  async function freshStore(): Promise<StateStore> {
    backing = await backend.fresh();
    return open();
  }

  it("takes a delivery from absent to pending to posted, and clears it", async () => {
    const store = await freshStore();
    expect(await store.getDelivery(C1)).toBeUndefined();

    expect(await store.claimDelivery(C1, "owner-a", 1_000, 60_000)).toBe(true);
    expect(await store.getDelivery(C1)).toEqual({ status: "pending", since: 1_000, owner: "owner-a" });
    expect(await store.claimDelivery(C1, "owner-b", 2_000, 60_000)).toBe(false);
    // Not re-entrant either: a second attempt by the same owner must not post twice.
    expect(await store.claimDelivery(C1, "owner-a", 2_000, 60_000)).toBe(false);

    const posted: DeliveryState = {
      status: "posted",
      at: 3_000,
      ts: "1700000000.000100",
      link: "https://x/p1",
    };
    await store.setDelivery(C1, posted);
    expect(await store.getDelivery(C1)).toEqual(posted);

    await store.clearDelivery(C1);
    expect(await store.getDelivery(C1)).toBeUndefined();
    expect(await store.claimDelivery(C1, "owner-b", 4_000, 60_000)).toBe(true);
    expect(await store.getDelivery(C1)).toEqual({ status: "pending", since: 4_000, owner: "owner-b" });
  });

  it("keeps deliveries apart by channel and by month", async () => {
    const store = await freshStore();
    expect(await store.claimDelivery(C1, "a", 1, 60_000)).toBe(true);
    expect(await store.claimDelivery(C1_FEB, "a", 1, 60_000)).toBe(true);
    expect(await store.claimDelivery(C2, "a", 1, 60_000)).toBe(true);
    await store.setDelivery(C2, { status: "failed", at: 5, error: "channel_not_found" });
    await store.clearDelivery(C1_FEB);

    expect(await store.getDelivery(C1)).toEqual({ status: "pending", since: 1, owner: "a" });
    expect(await store.getDelivery(C1_FEB)).toBeUndefined();
    expect(await store.getDelivery(C2)).toEqual({ status: "failed", at: 5, error: "channel_not_found" });
  });

  it("stores a posted state without a link as such", async () => {
    const store = await freshStore();
    await store.setDelivery(C1, { status: "posted", at: 1, ts: "1.2" });
    const got = await store.getDelivery(C1);
    expect(got).toEqual({ status: "posted", at: 1, ts: "1.2" });
    expect(got && "link" in got).toBe(false);
  });

  it("lets exactly one of 100 concurrent claims from two store instances win", async () => {
    const first = await freshStore();
    const second = await open();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? first : second).claimDelivery(C1, `owner-${i}`, 1_000, 60_000),
      ),
    );
    const winners = results.flatMap((won, i) => (won ? [i] : []));
    expect(winners).toHaveLength(1);
    // The state names the winner, as seen from both instances.
    for (const s of [first, second]) {
      expect(await s.getDelivery(C1)).toEqual({
        status: "pending",
        since: 1_000,
        owner: `owner-${winners[0]}`,
      });
    }
  });

  it("takes over a pending delivery only once it is older than staleMs", async () => {
    const store = await freshStore();
    expect(await store.claimDelivery(C1, "dead", 1_000, 500)).toBe(true);
    expect(await store.claimDelivery(C1, "alive", 1_500, 500)).toBe(false);
    expect(await store.getDelivery(C1)).toEqual({ status: "pending", since: 1_000, owner: "dead" });

    expect(await store.claimDelivery(C1, "alive", 1_501, 500)).toBe(true);
    expect(await store.getDelivery(C1)).toEqual({ status: "pending", since: 1_501, owner: "alive" });
    // The new claim is fresh again.
    expect(await store.claimDelivery(C1, "third", 1_600, 500)).toBe(false);
  });

  it("lets exactly one of 100 concurrent claims take over a stale delivery", async () => {
    const first = await freshStore();
    const second = await open();
    expect(await first.claimDelivery(C1, "dead", 1_000, 500)).toBe(true);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? first : second).claimDelivery(C1, `owner-${i}`, 10_000, 500),
      ),
    );
    const winners = results.flatMap((won, i) => (won ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(await second.getDelivery(C1)).toEqual({
      status: "pending",
      since: 10_000,
      owner: `owner-${winners[0]}`,
    });
  });

  it("never takes over a posted or failed delivery, however old", async () => {
    const store = await freshStore();
    await store.setDelivery(C1, { status: "posted", at: 0, ts: "1.1" });
    await store.setDelivery(C2, { status: "failed", at: 0, error: "boom" });
    expect(await store.claimDelivery(C1, "x", 10 ** 12, 1)).toBe(false);
    expect(await store.claimDelivery(C2, "x", 10 ** 12, 1)).toBe(false);
    expect(await store.getDelivery(C1)).toEqual({ status: "posted", at: 0, ts: "1.1" });
  });

  it("lists the pending deliveries and nothing else", async () => {
    const store = await freshStore();
    expect(await store.pendingDeliveries()).toEqual([]);
    await store.claimDelivery(C1, "a", 10, 60_000);
    await store.claimDelivery(C1_FEB, "b", 20, 60_000);
    await store.claimDelivery(C2, "c", 30, 60_000);
    await store.setDelivery(C1_FEB, { status: "posted", at: 40, ts: "9.9" });

    const pending = await store.pendingDeliveries();
    const byOwner = [...pending].sort((x, y) => x.state.owner.localeCompare(y.state.owner));
    expect(byOwner).toEqual([
      { key: C1, state: { status: "pending", since: 10, owner: "a" } },
      { key: C2, state: { status: "pending", since: 30, owner: "c" } },
    ]);
  });

  it("returns history newest first, up to the limit, optional fields intact", async () => {
    const store = await freshStore();
    expect(await store.history(10)).toEqual([]);
    const full = entry(1, { outcome: "failed", error: "rate_limited", attempts: 3, trigger: "catch-up" });
    const linked = entry(2, { link: "https://slack.example/p2", trigger: "forced" });
    const bare = entry(3, { outcome: "skipped", trigger: "manual" });
    for (const e of [full, linked, bare]) await store.appendHistory(e);

    expect(await store.history(10)).toEqual([bare, linked, full]);
    expect(await store.history(2)).toEqual([bare, linked]);
    expect(await store.history(0)).toEqual([]);
    const [newest] = await store.history(1);
    expect(newest && "error" in newest).toBe(false);
  });

  it(`keeps the last 500 history entries`, async () => {
    const store = await freshStore();
    for (let i = 0; i < 510; i++) await store.appendHistory(entry(i));
    const all = await store.history(10_000);
    expect(all).toHaveLength(500);
    expect(all[0]?.id).toBe("h509");
    expect(all[499]?.id).toBe("h10");
  });

  it("round-trips the stat cache, URN grant types and extra token kinds included", async () => {
    const store = await freshStore();
    const jan = monthKey(month(2024, 1));
    const feb = monthKey(month(2024, 2));
    expect(await store.statCache.get(jan)).toBeUndefined();

    const cached: CachedMonth = { stats: STATS, fetchedAt: 1_706_745_600_000 };
    const noData: CachedMonth = { stats: null, fetchedAt: 1_709_251_200_000 };
    await store.statCache.set(jan, cached);
    await store.statCache.set(feb, noData);
    expect(await store.statCache.get(jan)).toEqual(cached);
    expect((await store.statCache.get(jan))?.stats?.tokens[URN_GRANT]?.uma_token).toBe(7);
    expect(await store.statCache.get(feb)).toEqual(noData);

    const refreshed: CachedMonth = { stats: { ...STATS, mau: 1300 }, fetchedAt: 1_706_745_700_000 };
    await store.statCache.set(jan, refreshed);
    expect(await store.statCache.get(jan)).toEqual(refreshed);
  });

  it("keeps one MAU sample per hour for a month, at minute precision, shared by instances", async () => {
    const store = await freshStore();
    const dec = monthKey(month(2026, 12));
    const t0 = Date.UTC(2026, 11, 2, 9, 17, 42);
    expect(await store.samples.add(dec, { at: t0, mau: 3_100 })).toBe(true);
    // Same hour: the first is kept.
    expect(await store.samples.add(dec, { at: t0 + 30 * 60_000, mau: 3_150 })).toBe(false);
    expect(await store.samples.add(dec, { at: t0 + 60 * 60_000, mau: 3_160 })).toBe(true);
    // Before the month began (a REPORT_TZ ahead of UTC asks early): not this month's.
    expect(await store.samples.add(dec, { at: Date.UTC(2026, 10, 30, 23), mau: 1 })).toBe(false);
    const other = await open();
    expect(await other.samples.list(dec)).toEqual([
      { at: Date.UTC(2026, 11, 2, 9, 17), mau: 3_100 },
      { at: Date.UTC(2026, 11, 2, 10, 17), mau: 3_160 },
    ]);
    expect(await other.samples.list(monthKey(month(2026, 11)))).toEqual([]);
    // Added in any order, listed in time order.
    await other.samples.add(dec, { at: Date.UTC(2026, 11, 1, 0, 5), mau: 12 });
    expect((await store.samples.list(dec)).map((x) => x.mau)).toEqual([12, 3_100, 3_160]);
  });

  it("keeps each server's samples apart, the default's under the single-server keys, and prunes per server", async () => {
    const store = await freshStore();
    const staging = serverSamples(store.samples, "staging");
    const dec = monthKey(month(2026, 12));
    const at = Date.UTC(2026, 11, 2, 9);
    expect(await store.samples.add(dec, { at, mau: 100 })).toBe(true);
    // Another server's sample of the same hour is its own, not a second of the default's.
    expect(await staging.add(dec, { at, mau: 7 })).toBe(true);
    expect((await store.samples.list(dec)).map((x) => x.mau)).toEqual([100]);
    expect((await staging.list(dec)).map((x) => x.mau)).toEqual([7]);
    expect(await store.samples.list(`staging:${dec}`)).toEqual([{ at, mau: 7 }]);
    // Fourteen months of staging later, the default's December is still kept: pruning is per
    // server (the file prunes by each server's newest month; Redis expires by each key's month).
    const later = month(2028, 2);
    expect(await staging.add(monthKey(later), { at: Date.UTC(2028, 1, 2), mau: 9 })).toBe(true);
    expect((await store.samples.list(dec)).map((x) => x.mau)).toEqual([100]);
    const reopened = await open();
    expect(
      (await serverSamples(reopened.samples, "staging").list(monthKey(later))).map((x) => x.mau),
    ).toEqual([9]);
  });

  it("keeps everything across close and reopen", async () => {
    const store = await freshStore();
    const posted: DeliveryState = { status: "posted", at: 5, ts: "1.5", link: "https://x/5" };
    await store.claimDelivery(C1, "a", 10, 60_000);
    await store.setDelivery(C2, posted);
    await store.appendHistory(entry(1));
    await store.appendHistory(entry(2, { outcome: "failed", error: "e" }));
    const jan = monthKey(month(2024, 1));
    await store.statCache.set(jan, { stats: STATS, fetchedAt: 7 });
    await store.close();

    const reopened = await open();
    expect(await reopened.getDelivery(C1)).toEqual({ status: "pending", since: 10, owner: "a" });
    expect(await reopened.getDelivery(C2)).toEqual(posted);
    expect(await reopened.pendingDeliveries()).toEqual([
      { key: C1, state: { status: "pending", since: 10, owner: "a" } },
    ]);
    expect(await reopened.history(10)).toEqual([entry(2, { outcome: "failed", error: "e" }), entry(1)]);
    expect(await reopened.statCache.get(jan)).toEqual({ stats: STATS, fetchedAt: 7 });
    // The claim is still held after the restart.
    expect(await reopened.claimDelivery(C1, "b", 20, 60_000)).toBe(false);
  });

  it("completes writes issued before close", async () => {
    const store = await freshStore();
    const writes = [
      store.setDelivery(C1, { status: "posted", at: 1, ts: "1.1" }),
      store.appendHistory(entry(1)),
      store.statCache.set(monthKey(month(2024, 1)), { stats: null, fetchedAt: 2 }),
    ];
    await store.close();
    await Promise.all(writes);

    const reopened = await open();
    expect(await reopened.getDelivery(C1)).toEqual({ status: "posted", at: 1, ts: "1.1" });
    expect(await reopened.history(5)).toEqual([entry(1)]);
    expect(await reopened.statCache.get(monthKey(month(2024, 1)))).toEqual({ stats: null, fetchedAt: 2 });
  });

  it("sees another instance's writes", async () => {
    const first = await freshStore();
    const second = await open();
    await first.setDelivery(C1, { status: "posted", at: 1, ts: "1.1" });
    expect(await second.getDelivery(C1)).toEqual({ status: "posted", at: 1, ts: "1.1" });
    await second.clearDelivery(C1);
    expect(await first.getDelivery(C1)).toBeUndefined();
    await second.appendHistory(entry(1));
    expect(await first.history(5)).toEqual([entry(1)]);
  });
});
