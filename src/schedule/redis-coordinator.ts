/**
 * node-cron `distributed: true` coordination through Redis: every replica schedules the same
 * task, and for each fire exactly one of them runs it.
 *
 * How node-cron 4.6 calls us (dist/_shared.js, Runner.runCoordinated): for each scheduled fire
 * it calls `shouldRun(key, ttlMs)` with `key = "<task name>:<fire time as ISO-8601 UTC>"` (the
 * slot the timer fired for, not the wall clock at the call) and `ttlMs = distributedLease`
 * (default 30 s); the task runs only on `true`, an error skips it (fail-closed); then
 * `onComplete(key)` is called when the run finishes, successful or not.
 *
 * Lease: `SET <prefix><key> <owner> NX PX <lease>`; the first replica to set it wins the fire.
 * Because the key names the fire, the lease never blocks a *later* fire, so there is nothing
 * to release early, and releasing would be harmful: a run that finishes in a few milliseconds
 * would delete the key before a replica whose timer fired a little later (event-loop lag, GC,
 * clock skew) asks, and that replica would then win the same fire and run it a second time.
 * So there is deliberately no `onComplete`; the key simply expires.
 *
 * The lease must outlast the spread between replicas asking about the same fire: node-cron
 * runs a fire up to `missedExecutionTolerance` (default 1 s) late, plus the replicas' clock
 * skew. It is therefore at least `minLeaseMs` (default 60 s) whatever `distributedLease` says;
 * the cost is one small key per fire, living that long.
 *
 * Not covered: `task.execute()` (a manual run) bypasses the coordinator in node-cron.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import type { RunCoordinator } from "node-cron";
import {
  connectRedis,
  DEFAULT_REDIS_PREFIX,
  quitRedis,
  type RedisConnectOptions,
} from "../state/redis-store.js";

export const DEFAULT_COORDINATOR_PREFIX = `${DEFAULT_REDIS_PREFIX}cron:`;
export const DEFAULT_MIN_LEASE_MS = 60_000;

export interface RedisRunCoordinatorOptions {
  /** Prepended to node-cron's key; default `gluu-stats:cron:`. */
  readonly prefix?: string;
  /** Floor for the lease, see the module comment; default 60 s. */
  readonly minLeaseMs?: number;
  /** Stored as the key's value, to tell in Redis which replica ran a fire; default host:pid:uuid. */
  readonly owner?: string;
  /**
   * Told when a fire is skipped because Redis did not answer (node-cron then skips it, logging
   * in its own words only); the scheduler's periodic check posts the summary once it is back.
   */
  readonly onSkip?: (key: string, err: unknown) => void;
}

export class RedisRunCoordinator implements RunCoordinator {
  readonly owner: string;
  private readonly prefix: string;
  private readonly minLeaseMs: number;
  private readonly onSkip: ((key: string, err: unknown) => void) | undefined;

  /** On a shared connection (e.g. `RedisStateStore.redis`); `close()` leaves it open. */
  constructor(
    private readonly redis: Redis,
    opts: RedisRunCoordinatorOptions = {},
    private readonly ownsConnection = false,
  ) {
    this.prefix = opts.prefix ?? DEFAULT_COORDINATOR_PREFIX;
    this.minLeaseMs = opts.minLeaseMs ?? DEFAULT_MIN_LEASE_MS;
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomUUID()}`;
    this.onSkip = opts.onSkip;
  }

  /** On its own connection, closed by `close()`. */
  static async connect(
    url: string,
    opts: RedisRunCoordinatorOptions & RedisConnectOptions = {},
  ): Promise<RedisRunCoordinator> {
    return new RedisRunCoordinator(await connectRedis(url, opts), opts, true);
  }

  async shouldRun(key: string, ttlMs: number): Promise<boolean> {
    const leaseMs = Math.max(Math.ceil(ttlMs), this.minLeaseMs, 1);
    try {
      const result = await this.redis.set(`${this.prefix}${key}`, this.owner, "PX", leaseMs, "NX");
      return result === "OK";
    } catch (err) {
      // Fail closed, as node-cron would: without the lease, two replicas could both post.
      this.onSkip?.(key, err);
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await quitRedis(this.redis);
  }
}
