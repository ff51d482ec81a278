/**
 * The stat cache as replies use it: months in memory first, the persistent store (file or
 * Redis) behind. A store that cannot be read is a cache miss, not a failed reply: the figures
 * come from memory or the server, and the outage is reported once (StoreHealth).
 */
import { DEFAULT_CLOSE_GRACE_MS, isClosed, type MonthKey, parseMonthKey } from "../months.js";
import type { StoreHealth } from "./health.js";
import { type CachedMonth, MemoryCacheStore, type StatCacheStore } from "./stat-cache.js";

/** While the store is down, one read in this long tries it; the others use memory at once. */
const PROBE_EVERY_MS = 5_000;

export class ResilientCacheStore implements StatCacheStore {
  private readonly memory = new MemoryCacheStore();
  private lastProbe = 0;

  constructor(
    private readonly persistent: StatCacheStore,
    private readonly health: StoreHealth,
    private readonly now: () => number = Date.now,
    /** As the stat service's: a month fetched this long after its end is final. */
    private readonly closeGraceMs = DEFAULT_CLOSE_GRACE_MS,
  ) {}

  async get(key: MonthKey): Promise<CachedMonth | undefined> {
    const held = await this.memory.get(key);
    // A closed month held here is final: no other replica can have a newer figure for it, so
    // asking the store again would only cost a round trip on every question.
    const month = parseMonthKey(key);
    if (held && month && isClosed(month, held.fetchedAt, this.closeGraceMs)) return held;
    // A store that is down would make every reply wait for its timeout: skip it but for a probe.
    if (!this.health.state.ok) {
      if (this.now() - this.lastProbe < PROBE_EVERY_MS) return held;
      this.lastProbe = this.now();
    }
    try {
      const stored = await this.persistent.get(key);
      this.health.ok();
      // Another replica may have fetched it more recently.
      if (stored && (!held || stored.fetchedAt >= held.fetchedAt)) return stored;
    } catch (err) {
      this.health.failed(err);
    }
    return held;
  }

  async set(key: MonthKey, value: CachedMonth): Promise<void> {
    await this.memory.set(key, value);
    if (!this.health.state.ok) return; // written again when it is next fetched
    try {
      await this.persistent.set(key, value);
      this.health.ok();
    } catch (err) {
      // Costs a future request at most; the month is held in memory.
      this.health.failed(err);
    }
  }
}
