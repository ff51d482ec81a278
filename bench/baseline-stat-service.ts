/**
 * Baseline for the Gluu 4.x scenarios: the stat service as it was before "Instant answers on
 * Gluu 4.x" (src at 27b040c), kept verbatim but for its imports and its name. Only the months
 * asked for are fetched, and on a Gluu 4.x server its own requests are spaced by
 * GLUU_MIN_INTERVAL_S (default 60 s) whatever the server's real interval.
 *
 * Its original comment follows.
 *
 * The stat client as the rest of the product uses it: months in, StatResult out, with the
 * server's limits respected.
 *
 * Design, driven by the Gluu 4.x interval limit (one processed request per
 * statWebServiceIntervalLimitInSeconds, server-wide):
 * - Closed months are final and kept for good; the current month is reused for minInterval.
 * - Months missing from the cache are batched: every caller that needs months before the next
 *   request goes out joins it, so 100 identical concurrent queries make one request, and a
 *   query for A..F with A..E cached asks only for F.
 * - A month already being fetched is awaited, never asked for twice.
 * - On a Gluu 4.x server our own requests are spaced by the interval; a month with an older
 *   cached value is served from it rather than waiting. A 403 (another client used the
 *   interval) serves the cached value when there is one, else waits the interval and retries.
 */

import { GluuError } from "../src/gluu/errors.js";
import type { MonthStats, StatResult } from "../src/gluu/model.js";
import type { Logger } from "../src/log.js";
import { silentLogger } from "../src/log.js";
import {
  compareMonths,
  DEFAULT_CLOSE_GRACE_MS,
  isClosed,
  type Month,
  type MonthKey,
  monthKey,
} from "../src/months.js";
import { type CachedMonth, MemoryCacheStore, type StatCacheStore } from "../src/state/stat-cache.js";

/** What the service needs of the client: one request for many months. */
interface MonthFetcher {
  fetchMonths(months: readonly Month[]): Promise<{ stats: MonthStats[]; at: number }>;
  /** True when the server limits the request rate (Gluu 4.x, or not yet known). */
  readonly rateLimited: boolean;
}

interface StatServiceOptions {
  readonly store?: StatCacheStore;
  readonly now?: () => number;
  /** How long the current month is reused, and the spacing of requests to a Gluu 4.x server. */
  readonly minIntervalMs?: number;
  readonly closeGraceMs?: number;
  /** How many times a 403 is waited out before giving up on months without a cached value. */
  readonly maxRateLimitRetries?: number;
  /** Months per request at most; the URL stays short with any practical query. */
  readonly maxBatch?: number;
  readonly log?: Logger;
}

interface Outcome {
  readonly ok: boolean;
  readonly at: number;
  readonly error?: GluuError;
}

interface Waiter {
  readonly month: Month;
  readonly stale: CachedMonth | undefined;
  readonly resolve: (v: CachedMonth) => void;
  readonly reject: (e: unknown) => void;
  readonly promise: Promise<CachedMonth>;
  attempts: number;
}

function waiter(month: Month, stale: CachedMonth | undefined): Waiter {
  let resolve!: (v: CachedMonth) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<CachedMonth>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { month, stale, resolve, reject, promise, attempts: 0 };
}

export class BaselineStatService {
  private readonly store: StatCacheStore;
  private readonly now: () => number;
  private readonly minIntervalMs: number;
  private readonly closeGraceMs: number;
  private readonly maxRetries: number;
  private readonly maxBatch: number;
  private readonly log: Logger;
  private readonly pending = new Map<MonthKey, Waiter>();
  private readonly inFlight = new Map<MonthKey, Promise<CachedMonth>>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private lastRequestAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  /** The last answer (or failure) from the server: what /healthz and doctor report. */
  lastOutcome: Outcome | undefined;

  constructor(
    private readonly fetcher: MonthFetcher,
    opts: StatServiceOptions = {},
  ) {
    this.store = opts.store ?? new MemoryCacheStore();
    this.now = opts.now ?? Date.now;
    this.minIntervalMs = opts.minIntervalMs ?? 60_000;
    this.closeGraceMs = opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
    this.maxRetries = opts.maxRateLimitRetries ?? 3;
    this.maxBatch = opts.maxBatch ?? 120;
    this.log = opts.log ?? silentLogger;
  }

  /** Figures for the given months: cached where final or recent, the rest in one request. */
  async get(months: readonly Month[]): Promise<StatResult> {
    const unique = [...new Map(months.map((m) => [monthKey(m), m])).values()].sort(compareMonths);
    const now = this.now();
    const entries = await Promise.all(unique.map((m) => this.month(m, now)));
    const withData: MonthStats[] = [];
    const noData: Month[] = [];
    let fetchedAt = Number.POSITIVE_INFINITY;
    let latestFetchedAt = Number.NEGATIVE_INFINITY;
    entries.forEach((entry, i) => {
      const m = unique[i] as Month;
      if (entry.stats) withData.push(entry.stats);
      else noData.push(m);
      fetchedAt = Math.min(fetchedAt, entry.fetchedAt);
      latestFetchedAt = Math.max(latestFetchedAt, entry.fetchedAt);
    });
    return {
      months: withData,
      noData,
      fetchedAt: Number.isFinite(fetchedAt) ? fetchedAt : now,
      latestFetchedAt: Number.isFinite(latestFetchedAt) ? latestFetchedAt : now,
    };
  }

  /** Whether a cached value can be served without asking the server. */
  isFresh(m: Month, entry: CachedMonth, now = this.now()): boolean {
    return isClosed(m, entry.fetchedAt, this.closeGraceMs) || now - entry.fetchedAt < this.minIntervalMs;
  }

  /** Stops timers; callers still waiting are told the service is closing. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const error = new GluuError("network", "the bot is shutting down; try again in a moment");
    for (const w of this.pending.values()) w.reject(error);
    this.pending.clear();
  }

  private async month(m: Month, now: number): Promise<CachedMonth> {
    const key = monthKey(m);
    const cached = await this.store.get(key);
    if (cached && this.isFresh(m, cached, now)) return cached;
    const flying = this.inFlight.get(key);
    if (flying) return flying;
    let w = this.pending.get(key);
    if (!w) {
      w = waiter(m, cached);
      this.pending.set(key, w);
    }
    this.schedule();
    return w.promise;
  }

  private schedule(): void {
    if (this.busy || this.timer || this.pending.size === 0 || this.closed) return;
    const wait = this.fetcher.rateLimited ? this.lastRequestAt + this.minIntervalMs - this.now() : 0;
    if (wait > 0) {
      // The server would refuse a request now: serve what we have, queue only what we lack.
      this.serveStale();
      if (this.pending.size === 0) return;
    }
    // setTimeout(0) rather than a microtask: callers whose cache lookups are still resolving
    // (Redis) get to join this request.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.flush();
      },
      Math.max(0, wait),
    );
  }

  private serveStale(): void {
    for (const [key, w] of this.pending) {
      if (w.stale) {
        this.pending.delete(key);
        w.resolve(w.stale);
      }
    }
  }

  private async flush(): Promise<void> {
    if (this.busy || this.pending.size === 0) return;
    this.busy = true;
    const batch = [...this.pending.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, this.maxBatch);
    for (const [key, w] of batch) {
      this.pending.delete(key);
      this.inFlight.set(key, w.promise);
    }
    try {
      const { stats, at } = await this.fetcher.fetchMonths(batch.map(([, w]) => w.month));
      this.lastRequestAt = at;
      this.lastOutcome = { ok: true, at };
      const byKey = new Map(stats.map((s) => [monthKey(s.month), s]));
      await Promise.all(
        batch.map(async ([key, w]) => {
          const entry: CachedMonth = { stats: byKey.get(key) ?? null, fetchedAt: at };
          try {
            await this.store.set(key, entry);
          } catch (err) {
            // A cache that cannot be written costs a future request, not this answer.
            this.log.warn({ err: String(err) }, "could not write the stat cache");
          }
          w.resolve(entry);
        }),
      );
    } catch (err) {
      this.failed(batch, err);
    } finally {
      for (const [key] of batch) this.inFlight.delete(key);
      this.busy = false;
      this.schedule();
    }
  }

  private failed(batch: Array<[MonthKey, Waiter]>, err: unknown): void {
    const error =
      err instanceof GluuError
        ? err
        : new GluuError("bad_response", "unexpected failure talking to the Gluu server", { cause: err });
    const at = this.now();
    this.lastOutcome = { ok: false, at, error };
    if (error.code === "rate_limited") {
      // Someone else's request used the interval; it restarts from now, as far as we can tell.
      this.lastRequestAt = at;
    }
    for (const [key, w] of batch) {
      if (w.stale && error.canRetry) {
        this.log.warn({ month: key, code: error.code }, "serving a cached value: %s", error.message);
        w.resolve(w.stale);
      } else if (error.code === "rate_limited" && w.attempts < this.maxRetries) {
        w.attempts++;
        this.pending.set(key, w);
      } else if (error.code === "rate_limited") {
        w.reject(
          new GluuError(
            "rate_limited",
            `the Gluu server allows one statistics request every ${Math.round(this.minIntervalMs / 1000)} s and other clients keep using it; try again in a few minutes`,
            { ...error.details, cause: error },
          ),
        );
      } else {
        w.reject(error);
      }
    }
  }
}
