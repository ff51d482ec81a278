/**
 * Where the stat service keeps fetched months. Async so that the same service runs on the
 * in-process map and on the state store's file or Redis (shared by replicas), see store.ts.
 */
import { z } from "zod";
import { MAX_YEAR, MIN_YEAR, type MonthKey } from "../months.js";

const nonNegative = z.number().nonnegative();

const monthSchema = z.object({
  year: z.number().int().min(MIN_YEAR).max(MAX_YEAR),
  month: z.number().int().min(1).max(12),
});

/** The four standard kinds are required; newer kinds a server reports are kept by name. */
const tokenCountsSchema = z
  .object({
    access_token: nonNegative,
    id_token: nonNegative,
    refresh_token: nonNegative,
    uma_token: nonNegative,
  })
  .catchall(nonNegative);

const monthStatsSchema = z.object({
  month: monthSchema,
  mau: nonNegative,
  tokens: z.record(z.string(), tokenCountsSchema),
});

/**
 * One month's figures as the cache keeps them: the stat client's MonthStats (gluu/model.ts),
 * spelled as the schema that checks what the file and Redis stores read back. Defined here
 * rather than imported, so that state/ does not depend on gluu/ (which depends on state/). The
 * stat service stores MonthStats and uses what it reads back as MonthStats, so the compiler
 * keeps the two shapes in step.
 */
export type CachedStats = z.output<typeof monthStatsSchema>;

export const cachedMonthSchema = z.object({
  stats: monthStatsSchema.nullable(),
  fetchedAt: z.number(),
});

export interface CachedMonth {
  /** null: the server had no data for the month when asked. */
  readonly stats: CachedStats | null;
  readonly fetchedAt: number;
}

export interface StatCacheStore {
  get(key: MonthKey): Promise<CachedMonth | undefined>;
  set(key: MonthKey, value: CachedMonth): Promise<void>;
}

/**
 * A key as the file and Redis stores keep it: `202111` for the default (or only) server, so the
 * state of a single-server release is the default server's cache after an upgrade, and
 * `staging:202111` for each other server, so no two servers ever read each other's figures.
 */
export type StoredCacheKey = MonthKey | `${string}:${string}`;

export const STORED_CACHE_KEY = /^(?:[a-z0-9-]{1,20}:)?\d{6}$/;

/** The file and Redis stores' cache: every server's entries, each under its own keys. */
export interface SharedCacheStore {
  get(key: StoredCacheKey): Promise<CachedMonth | undefined>;
  set(key: StoredCacheKey, value: CachedMonth): Promise<void>;
}

/** One server's view of the shared cache; `scope` undefined: the default server's bare keys. */
export function serverCache(shared: SharedCacheStore, scope: string | undefined): StatCacheStore {
  if (scope === undefined) return shared;
  const key = (month: MonthKey): StoredCacheKey => `${scope}:${month}`;
  return {
    get: (month) => shared.get(key(month)),
    set: (month, value) => shared.set(key(month), value),
  };
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
