/**
 * The bot's state, in one place: monthly-post deliveries and their history (for the scheduler)
 * and closed months of the stat cache (for the stat service). A file under STATE_DIR (default)
 * or Redis (REDIS_URL, shared by replicas); both are tested against the same contract.
 */
import { join } from "node:path";
import type { Redis } from "ioredis";
import type { Env } from "../config/index.js";
import { describeStore } from "./health.js";
import type { StateStore } from "./store.js";

export { describeStore, StoreHealth, type StoreHealthState } from "./health.js";
export { ResilientCacheStore } from "./resilient-cache.js";
export {
  MemorySampleStore,
  type Sample,
  type SampleStore,
  type SharedSampleStore,
  serverSamples,
} from "./samples.js";
export {
  type CachedMonth,
  MemoryCacheStore,
  type SharedCacheStore,
  type StatCacheStore,
  type StoredCacheKey,
  serverCache,
} from "./stat-cache.js";
export type { DeliveryKey, HistoryEntry, HistoryTrigger, StateStore } from "./store.js";
export { HISTORY_CAP } from "./store.js";
export { type DeliverySubject, parseSubject, subjectKey } from "./subject.js";

export interface OpenedStore {
  readonly store: StateStore;
  /** The file store belongs to one instance; Redis is shared by replicas. */
  readonly singleInstance: boolean;
  /** The Redis store's connection, for what else replicas coordinate through it (the scheduler). */
  readonly redis?: Redis;
  /** Where it is, for people and logs, without credentials. */
  readonly where: string;
  close(): Promise<void>;
}

/** Redis when REDIS_URL is set, else the file under STATE_DIR. A corrupt state stops start-up. */
export async function openStateStore(env: Pick<Env, "REDIS_URL" | "STATE_DIR">): Promise<OpenedStore> {
  // Imported on demand: a bot without Redis does not load the Redis client at all.
  if (env.REDIS_URL) {
    const { RedisStateStore } = await import("./redis-store.js");
    const store = await RedisStateStore.connect(env.REDIS_URL);
    const where = describeStore({ redisUrl: env.REDIS_URL, stateFile: "" });
    return { store, singleInstance: false, redis: store.redis, where, close: () => store.close() };
  }
  const { FileStateStore, STATE_FILE_NAME } = await import("./file-store.js");
  const store = await FileStateStore.open(env.STATE_DIR);
  const where = describeStore({ stateFile: join(env.STATE_DIR, STATE_FILE_NAME) });
  return { store, singleInstance: true, where, close: () => store.close() };
}
