/** RedisRunCoordinator: one replica per node-cron fire, directly and under real node-cron timers. */
import { randomUUID } from "node:crypto";
import { createTask, type RunCoordinator, type ScheduledTask, type TaskContext } from "node-cron";
import { afterEach, describe, expect, it } from "vitest";
import { RedisRunCoordinator } from "../../src/schedule/redis-coordinator.js";
import { useRawRedis, useRedis } from "../support/redis.js";

const redis = useRedis();
const raw = useRawRedis(redis);
const coordinators: RedisRunCoordinator[] = [];

afterEach(async () => {
  await Promise.all(coordinators.splice(0).map((c) => c.close()));
});

/** A replica's coordinator: its own connection, as on another host. */
async function replica(
  opts: Parameters<typeof RedisRunCoordinator.connect>[1] = {},
): Promise<RedisRunCoordinator> {
  const c = await RedisRunCoordinator.connect(redis().url, opts);
  coordinators.push(c);
  return c;
}

/** node-cron's key for a fire: task name and the fire's slot. */
const fireKey = (slot: string) => `monthly-summary:${slot}`;

describe("RedisRunCoordinator", () => {
  it("elects exactly one of two replicas for each fire", async () => {
    const [a, b] = [await replica(), await replica()];
    const slots = Array.from({ length: 50 }, (_, i) => new Date(Date.UTC(2024, 0, 1, 8, 0, i)).toISOString());
    const results = await Promise.all(
      slots.flatMap((slot) => [a.shouldRun(fireKey(slot), 30_000), b.shouldRun(fireKey(slot), 30_000)]),
    );
    for (let i = 0; i < slots.length; i++) {
      expect([results[2 * i], results[2 * i + 1]].filter(Boolean)).toHaveLength(1);
    }
  });

  it("keeps the fire taken after the winner completes, so a late replica cannot run it again", async () => {
    const [a, b] = [await replica(), await replica()];
    const key = fireKey("2024-02-01T08:00:00.000Z");
    const winner: RunCoordinator = a;
    expect(await winner.shouldRun(key, 30_000)).toBe(true);
    await winner.onComplete?.(key);
    expect(await b.shouldRun(key, 30_000)).toBe(false);
    expect(await a.shouldRun(key, 30_000)).toBe(false);
  });

  it("stores the owner under the prefixed key, with a lease of at least minLeaseMs", async () => {
    const a = await replica({ owner: "replica-a" });
    const key = fireKey("2024-03-01T08:00:00.000Z");
    expect(await a.shouldRun(key, 1_000)).toBe(true);
    expect(await raw().get(`gluu-stats:cron:${key}`)).toBe("replica-a");
    const ttl = await raw().pttl(`gluu-stats:cron:${key}`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);

    const long = fireKey("2024-04-01T08:00:00.000Z");
    expect(await a.shouldRun(long, 120_000)).toBe(true);
    expect(await raw().pttl(`gluu-stats:cron:${long}`)).toBeGreaterThan(115_000);
  });

  it("lets the lease expire", async () => {
    const [a, b] = [await replica({ minLeaseMs: 0 }), await replica({ minLeaseMs: 0 })];
    const key = fireKey("2024-05-01T08:00:00.000Z");
    expect(await a.shouldRun(key, 100)).toBe(true);
    expect(await b.shouldRun(key, 100)).toBe(false);
    await new Promise((r) => setTimeout(r, 250));
    expect(await b.shouldRun(key, 100)).toBe(true);
  });

  it("runs each fire of a real node-cron task on exactly one of two replicas", async () => {
    const name = `gluu-stats-test-${randomUUID()}`;
    const runs: Array<{ replica: string; slot: string }> = [];
    const skips: Array<{ replica: string; slot: string; reason: string | undefined }> = [];
    const tasks: ScheduledTask[] = [];
    try {
      for (const id of ["a", "b"]) {
        const runCoordinator = await replica();
        const task = createTask(
          "* * * * * *",
          (ctx: TaskContext) => {
            runs.push({ replica: id, slot: ctx.date.toISOString() });
          },
          { name, distributed: true, runCoordinator },
        );
        task.on("execution:skipped", (ctx) => {
          skips.push({ replica: id, slot: ctx.date.toISOString(), reason: ctx.reason });
        });
        tasks.push(task);
      }
      await Promise.all(tasks.map((t) => t.start()));
      await new Promise((r) => setTimeout(r, 4_200));
    } finally {
      await Promise.all(tasks.map((t) => t.destroy()));
    }

    const slots = runs.map((r) => r.slot);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(new Set(slots).size).toBe(slots.length);
    // At most one run per second, all replicas together.
    const seconds = slots.map((s) => s.slice(0, 19));
    expect(new Set(seconds).size).toBe(seconds.length);
    // Both replicas were really firing: the one that did not run a slot was told so. Not
    // required of every slot, since a loaded machine may make a replica miss a fire entirely.
    expect(skips.every((s) => s.reason === "not-elected")).toBe(true);
    const contested = slots.filter((slot) => {
      const ranOn = runs.find((r) => r.slot === slot)?.replica;
      const skippedBy = skips.filter((s) => s.slot === slot).map((s) => s.replica);
      expect(skippedBy).not.toContain(ranOn);
      return skippedBy.length === 1;
    });
    expect(contested.length).toBeGreaterThanOrEqual(2);
  });
});
