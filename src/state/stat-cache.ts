/**
 * Where the stat service keeps fetched months. Async so that the same service runs on the
 * in-process map and on the state store's file or Redis (shared by replicas), see store.ts.
 */

import type { MonthStats } from "../gluu/model.js";
import type { MonthKey } from "../months.js";

export interface CachedMonth {
  /** null: the server had no data for the month when asked. */
  readonly stats: MonthStats | null;
  readonly fetchedAt: number;
}

export interface StatCacheStore {
  get(key: MonthKey): Promise<CachedMonth | undefined>;
  set(key: MonthKey, value: CachedMonth): Promise<void>;
}

/**
 * In-process store. Unbounded on purpose: it holds one small entry per calendar month ever
 * asked for (a few hundred bytes each), and the parser refuses months outside 2000..now.
 */
export class MemoryCacheStore implements StatCacheStore {
  private readonly map = new Map<MonthKey, CachedMonth>();
  async get(key: MonthKey): Promise<CachedMonth | undefined> {
    return this.map.get(key);
  }
  async set(key: MonthKey, value: CachedMonth): Promise<void> {
    this.map.set(key, value);
  }
}
