/** RedisStateStore beyond the shared contract: connecting, key layout, corrupt values. */
import { createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { month, monthKey } from "../../src/months.js";
import { serverCache } from "../../src/state/index.js";
import { RedisConnectError, RedisStateStore } from "../../src/state/redis-store.js";
import { type DeliveryKey, StateCorruptError } from "../../src/state/store.js";
import { subjectKey } from "../../src/state/subject.js";
import { freePort, startRedis, useRawRedis, useRedis } from "../support/redis.js";

const redis = useRedis();
const raw = useRawRedis(redis);
const opened: RedisStateStore[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function connect(prefix?: string): Promise<RedisStateStore> {
  const store = await RedisStateStore.connect(redis().url, prefix === undefined ? {} : { prefix });
  opened.push(store);
  return store;
}

const KEY: DeliveryKey = { channel: "C01ABCDEF", month: "202401" };
const FIELD = JSON.stringify(["C01ABCDEF", "202401"]);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof Error)) throw new Error(`expected a rejection, got ${String(outcome)}`);
  return outcome;
}

describe("RedisStateStore.connect", () => {
  it("fails fast, naming REDIS_URL, when nothing listens (and hides the password)", async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await rejection(RedisStateStore.connect(`redis://:s3cret@127.0.0.1:${port}`));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(RedisConnectError);
    expect(error.message).toContain("REDIS_URL");
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).not.toContain("s3cret");
  });

  it("fails within the timeout when the server accepts but never answers", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const address = silent.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const started = Date.now();
      const error = await rejection(RedisStateStore.connect(`redis://127.0.0.1:${port}`));
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(5_000);
      expect(elapsed).toBeGreaterThanOrEqual(2_500);
      expect(error).toBeInstanceOf(RedisConnectError);
      expect(error.message).toMatch(/REDIS_URL.*no answer within 3000 ms/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it("fails commands quickly, not hangs, once Redis goes away", async () => {
    const doomed = await startRedis();
    const errors: Error[] = [];
    const store = await RedisStateStore.connect(doomed.url, { onError: (e) => errors.push(e) });
    try {
      await store.setDelivery(KEY, { status: "posted", at: 1, ts: "1.1" });
      await doomed.stop();
      const started = Date.now();
      await expect(store.getDelivery(KEY)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await store.close();
      await doomed.stop();
    }
  });
});

describe("RedisStateStore keys", () => {
  it("keeps its state under gluu-stats: by default", async () => {
    const store = await connect();
    await store.claimDelivery(KEY, "a", 1, 60_000);
    await store.appendHistory({
      id: "h",
      month: "202401",
      channel: "C",
      at: 1,
      trigger: "manual",
      outcome: "posted",
    });
    await store.statCache.set(monthKey(month(2024, 1)), { stats: null, fetchedAt: 1 });

    expect((await raw().keys("*")).sort()).toEqual([
      "gluu-stats:deliveries",
      "gluu-stats:history",
      "gluu-stats:stat-cache",
    ]);
    expect(JSON.parse((await raw().hget("gluu-stats:deliveries", FIELD)) ?? "null")).toEqual({
      status: "pending",
      since: 1,
      owner: "a",
    });
    expect(await raw().hkeys("gluu-stats:stat-cache")).toEqual(["202401"]);
  });

  it("keeps each Gluu server's entries under keys of its own, the default under the old ones", async () => {
    const store = await connect();
    const staging = serverCache(store.statCache, "staging");
    const jan = monthKey(month(2024, 1));
    await store.statCache.set(jan, { stats: null, fetchedAt: 1 });
    await staging.set(jan, { stats: null, fetchedAt: 2 });
    expect((await raw().hkeys("gluu-stats:stat-cache")).sort()).toEqual(["202401", "staging:202401"]);
    expect((await store.statCache.get(jan))?.fetchedAt).toBe(1);
    expect((await staging.get(jan))?.fetchedAt).toBe(2);

    const stagingKey: DeliveryKey = {
      channel: KEY.channel,
      month: subjectKey({ kind: "summary", month: month(2024, 1), server: "staging" }),
    };
    expect(await store.claimDelivery(KEY, "a", 1, 60_000)).toBe(true);
    expect(await store.claimDelivery(stagingKey, "b", 1, 60_000)).toBe(true);
    expect(await raw().hkeys("gluu-stats:deliveries")).toContain(
      JSON.stringify([KEY.channel, "staging:202401"]),
    );
    expect((await store.pendingDeliveries()).map((p) => p.key.month).sort()).toEqual([
      "202401",
      "staging:202401",
    ]);
  });

  it("keeps two prefixes apart", async () => {
    const one = await connect("one:");
    const two = await connect("two:");
    expect(await one.claimDelivery(KEY, "a", 1, 60_000)).toBe(true);
    expect(await two.claimDelivery(KEY, "b", 1, 60_000)).toBe(true);
    await one.appendHistory({
      id: "h",
      month: "202401",
      channel: "C",
      at: 1,
      trigger: "manual",
      outcome: "posted",
    });
    expect(await two.history(10)).toEqual([]);
    expect(await two.getDelivery(KEY)).toEqual({ status: "pending", since: 1, owner: "b" });
  });
});

describe("RedisStateStore with corrupt values", () => {
  it.each([
    ["not JSON", "{oops", /not valid JSON/],
    ["JSON of the wrong shape", JSON.stringify({ status: "sent", at: 1 }), /status/],
  ])("refuses a delivery that is %s, naming the key, and never overwrites it", async (_, value, problem) => {
    const store = await connect("t:");
    await raw().hset("t:deliveries", FIELD, value);

    for (const op of [
      () => store.getDelivery(KEY),
      () => store.claimDelivery(KEY, "a", 10 ** 12, 1),
      () => store.pendingDeliveries(),
    ]) {
      const error = await rejection(op());
      expect(error).toBeInstanceOf(StateCorruptError);
      expect(error.message).toContain("t:deliveries");
      expect(error.message).toContain(FIELD);
      expect(error.message).toMatch(problem);
    }
    expect(await raw().hget("t:deliveries", FIELD)).toBe(value);
  });

  it("refuses a delivery field that names no delivery", async () => {
    const store = await connect("t:");
    await raw().hset(
      "t:deliveries",
      "C01:202401",
      JSON.stringify({ status: "pending", since: 1, owner: "a" }),
    );
    const error = await rejection(store.pendingDeliveries());
    expect(error).toBeInstanceOf(StateCorruptError);
    expect(error.message).toContain("t:deliveries (C01:202401)");
  });

  it("refuses a corrupt history entry, naming the key", async () => {
    const store = await connect("t:");
    await store.appendHistory({
      id: "h",
      month: "202401",
      channel: "C",
      at: 1,
      trigger: "manual",
      outcome: "posted",
    });
    await raw().lpush("t:history", JSON.stringify({ id: "x", outcome: "maybe" }));
    const error = await rejection(store.history(10));
    expect(error).toBeInstanceOf(StateCorruptError);
    expect(error.message).toContain("t:history (index 0)");
  });

  it("refuses a corrupt stat cache entry, naming the key", async () => {
    const store = await connect("t:");
    await raw().hset("t:stat-cache", "202401", JSON.stringify({ stats: { mau: "many" }, fetchedAt: 1 }));
    const error = await rejection(store.statCache.get(monthKey(month(2024, 1))));
    expect(error).toBeInstanceOf(StateCorruptError);
    expect(error.message).toContain("t:stat-cache (202401)");
  });
});

describe("RedisStateStore samples", () => {
  it("expire 13 months after their month ends, and a damaged one names its key", async () => {
    const store = await connect("samples-ttl:");
    await store.samples.add(monthKey(month(2026, 12)), { at: Date.UTC(2026, 11, 2, 9), mau: 3_100 });
    expect(await store.redis.pexpiretime("samples-ttl:samples:202612")).toBe(Date.UTC(2028, 1, 1));
    await store.redis.hset("samples-ttl:samples:202612", "x", "not a sample");
    await expect(store.samples.list(monthKey(month(2026, 12)))).rejects.toThrow(
      /samples-ttl:samples:202612 \(sample\)/,
    );
  });
});
