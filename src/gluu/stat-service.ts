/**
 * The stat client as the rest of the product uses it: months in, StatResult out, with the
 * server's limits respected.
 *
 * Design, driven by the Gluu 4.x interval limit (one processed request per
 * statWebServiceIntervalLimitInSeconds, server-wide):
 * - Closed months are final and kept for good; the current month is reused for minInterval.
 * - One request brings the neighbourhood: besides the months asked for, it asks for the months
 *   not cached yet among the 12 on either side of each and the 24 up to the current one
 *   (neighbourhood.ts), at most 60 in all. So after one question the buttons, the trend, the
 *   export and the monthly post are answered from cache.
 * - Months missing from the cache are batched: every caller that needs months before the next
 *   request goes out joins it, so 100 identical concurrent queries make one request, and a
 *   query for A..F with A..E cached asks only for F (and its neighbourhood).
 * - A month already being fetched is awaited, never asked for twice.
 * - On Gluu 4.x a request is sent when it is needed, not held back: a refused request (403)
 *   costs the server nothing. On a 403 the request is tried again after 1, 2, 4 … s, never
 *   later than minInterval after the last answer the server processed, at most 8 refusals per
 *   wait; the shortest spacing accepted and the longest refused are remembered and the next
 *   wait starts there (interval.ts). Callers with an older value of a month get it at once
 *   rather than wait.
 * - The clock is a parameter (`now`); timers are real, so tests that drive the schedule use
 *   fake timers together with the fake clock.
 */
import type { Logger } from "../log.js";
import { silentLogger } from "../log.js";
import {
  compareMonths,
  DEFAULT_CLOSE_GRACE_MS,
  isClosed,
  type Month,
  type MonthKey,
  monthAt,
  monthKey,
} from "../months.js";
import { type CachedMonth, MemoryCacheStore, type StatCacheStore } from "../state/index.js";
import { GluuError } from "./errors.js";
import {
  backoffDelayMs,
  learnSpacing,
  MAX_REFUSALS_PER_WAIT,
  NOTHING_KNOWN,
  type SpacingKnowledge,
} from "./interval.js";
import type { MonthStats, StatResult } from "./model.js";
import { MAX_MONTHS_PER_REQUEST, neighbourhood } from "./neighbourhood.js";
import { FormatFallbackError } from "./stat-client.js";

/** What the service needs of the client: one request for many months. */
export interface MonthFetcher {
  fetchMonths(months: readonly Month[]): Promise<{ stats: MonthStats[]; at: number }>;
  /** True when the server limits the request rate (Gluu 4.x, or not yet known). */
  readonly rateLimited: boolean;
}

export interface StatServiceOptions {
  readonly store?: StatCacheStore;
  readonly now?: () => number;
  /**
   * GLUU_MIN_INTERVAL_S in ms: how long the current month is reused, and the longest a wait
   * for a Gluu 4.x server's interval may last.
   */
  readonly minIntervalMs?: number;
  readonly closeGraceMs?: number;
  /** Refused requests (403) in one wait before months without a cached value fail. Default 8. */
  readonly maxRefusals?: number;
  /** Months asked for per request at most (a long range is split); prefetch never exceeds 60. */
  readonly maxBatch?: number;
  /** Whether requests bring the neighbourhood of the months asked (default true). */
  readonly prefetch?: boolean;
  readonly log?: Logger;
  readonly events?: StatEvents;
}

/** What the service tells an observer (metrics); every method optional. */
export interface StatEvents {
  /** Months looked up for a caller: `hits` answered from the cache, `misses` needing a request. */
  lookedUp?(hits: number, misses: number): void;
  /** The server refused a request for its interval (403): the service waits and asks again. */
  refused?(): void;
  /** The server answered with figures, fetched at `at` (the month in progress's curve). */
  fetched?(stats: readonly MonthStats[], at: number): void;
}

export interface Outcome {
  readonly ok: boolean;
  readonly at: number;
  /** How long the request took (answered ones): what tells a slow server from a quick one. */
  readonly tookMs?: number;
  readonly error?: GluuError;
}

interface Waiter {
  readonly month: Month;
  readonly stale: CachedMonth | undefined;
  readonly resolve: (v: CachedMonth) => void;
  readonly reject: (e: unknown) => void;
  readonly promise: Promise<CachedMonth>;
}

function waiter(month: Month, stale: CachedMonth | undefined): Waiter {
  let resolve!: (v: CachedMonth) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<CachedMonth>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { month, stale, resolve, reject, promise };
}

function unique(months: readonly Month[]): Month[] {
  return [...new Map(months.map((m) => [monthKey(m), m])).values()].sort(compareMonths);
}

export class StatService {
  private readonly store: StatCacheStore;
  private readonly now: () => number;
  private readonly minIntervalMs: number;
  private readonly closeGraceMs: number;
  private readonly maxRefusals: number;
  private readonly maxBatch: number;
  private readonly prefetch: boolean;
  private readonly log: Logger;
  /**
   * Every entry this process has read from the store or written to it, newest kept: what
   * `peek` answers from without touching the (possibly remote) store. One small entry per
   * calendar month ever seen.
   */
  private readonly known = new Map<MonthKey, CachedMonth>();
  private readonly pending = new Map<MonthKey, Waiter>();
  private readonly inFlight = new Map<MonthKey, Promise<CachedMonth>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private busy = false;
  /** When the last answer the server processed arrived; undefined before the first. */
  private lastProcessedAt: number | undefined;
  private spacing: SpacingKnowledge = NOTHING_KNOWN;
  /** Requests refused in the current wait. */
  private refusals = 0;
  private closed = false;
  /** The last answer (or failure) from the server: what /healthz and doctor report. */
  lastOutcome: Outcome | undefined;
  /** When the server last answered a request with figures (ms since epoch). */
  lastSuccessAt: number | undefined;
  private readonly events: StatEvents;

  constructor(
    private readonly fetcher: MonthFetcher,
    opts: StatServiceOptions = {},
  ) {
    this.store = opts.store ?? new MemoryCacheStore();
    this.now = opts.now ?? Date.now;
    this.minIntervalMs = opts.minIntervalMs ?? 60_000;
    this.closeGraceMs = opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
    this.maxRefusals = Math.max(1, opts.maxRefusals ?? MAX_REFUSALS_PER_WAIT);
    this.maxBatch = opts.maxBatch ?? 120;
    this.prefetch = opts.prefetch ?? true;
    this.log = opts.log ?? silentLogger;
    this.events = opts.events ?? {};
  }

  /**
   * Figures for the given months: cached where final or recent, the rest in one request (with
   * the neighbourhood). The result holds exactly the months asked for.
   */
  async get(months: readonly Month[]): Promise<StatResult> {
    const asked = unique(months);
    const now = this.now();
    let misses = 0;
    const entries = await Promise.all(
      asked.map((m) =>
        this.month(m, now, () => {
          misses++;
        }),
      ),
    );
    this.events.lookedUp?.(asked.length - misses, misses);
    return this.result(asked, entries, now);
  }

  /**
   * The answer `get(months)` would give right now without a request, or undefined when any
   * month needs one. Synchronous and cheap: it reads only what this process has fetched or read
   * from the store (a month cached in a shared store by another replica but not yet read here
   * counts as missing). For answering in the acknowledgement itself.
   */
  peek(months: readonly Month[]): StatResult | undefined {
    const asked = unique(months);
    const now = this.now();
    const entries: CachedMonth[] = [];
    for (const m of asked) {
      const entry = this.known.get(monthKey(m));
      if (!entry || !this.isFresh(m, entry, now)) return undefined;
      entries.push(entry);
    }
    // Counted only when it answers: otherwise `get` follows and counts the same months.
    this.events.lookedUp?.(asked.length, 0);
    return this.result(asked, entries, now);
  }

  /** What this process holds for a month, fresh or not, without touching the store (metrics). */
  cached(m: Month): CachedMonth | undefined {
    return this.known.get(monthKey(m));
  }

  /**
   * When figures for `months` are expected (ms since epoch), for telling a person how long to
   * wait; undefined when `peek(months)` answers them now. An estimate: the time the server is
   * expected to accept the next request, from the last answer it processed plus the shortest
   * spacing it has accepted (GLUU_MIN_INTERVAL_S while none is known), or the retry already
   * scheduled if later; now for a server without an interval or a request already on its way.
   */
  estimateReadyAt(months: readonly Month[]): number | undefined {
    const now = this.now();
    const missing = unique(months).filter((m) => {
      const entry = this.known.get(monthKey(m));
      return !entry || !this.isFresh(m, entry, now);
    });
    if (missing.length === 0) return undefined;
    if (missing.every((m) => this.inFlight.has(monthKey(m)))) return now;
    let at = now;
    if (this.fetcher.rateLimited && this.lastProcessedAt !== undefined) {
      at = Math.max(at, this.lastProcessedAt + (this.spacing.acceptedMs ?? this.minIntervalMs));
    }
    if (this.timerAt !== undefined) at = Math.max(at, this.timerAt);
    return at;
  }

  /** When the next request to the server is scheduled (ms since epoch); undefined when none is. */
  nextAttemptAt(): number | undefined {
    return this.timerAt;
  }

  /** What the service has learnt of the server's interval (spacings in ms), for doctor and logs. */
  get intervalKnowledge(): SpacingKnowledge & { readonly lastProcessedAt: number | undefined } {
    return { ...this.spacing, lastProcessedAt: this.lastProcessedAt };
  }

  /** Whether a cached value can be served without asking the server. */
  isFresh(m: Month, entry: CachedMonth, now = this.now()): boolean {
    return isClosed(m, entry.fetchedAt, this.closeGraceMs) || now - entry.fetchedAt < this.minIntervalMs;
  }

  /** Stops timers; callers still waiting are told the service is closing. */
  close(): void {
    this.closed = true;
    this.clearTimer();
    const error = new GluuError("network", "the bot is shutting down; try again in a moment");
    for (const w of this.pending.values()) w.reject(error);
    this.pending.clear();
  }

  private result(asked: readonly Month[], entries: readonly CachedMonth[], now: number): StatResult {
    const withData: MonthStats[] = [];
    const noData: Month[] = [];
    let fetchedAt = Number.POSITIVE_INFINITY;
    let latestFetchedAt = Number.NEGATIVE_INFINITY;
    entries.forEach((entry, i) => {
      const m = asked[i] as Month;
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

  private remember(key: MonthKey, entry: CachedMonth): CachedMonth {
    const prev = this.known.get(key);
    if (prev && prev.fetchedAt > entry.fetchedAt) return prev;
    this.known.set(key, entry);
    return entry;
  }

  /** A fresh entry known in this process, without touching the store. */
  private knownFresh(m: Month, now: number): CachedMonth | undefined {
    const entry = this.known.get(monthKey(m));
    return entry && this.isFresh(m, entry, now) ? entry : undefined;
  }

  private async month(m: Month, now: number, miss: () => void): Promise<CachedMonth> {
    const key = monthKey(m);
    let cached = this.knownFresh(m, now);
    if (cached) return cached;
    const stored = await this.store.get(key);
    cached = stored ? this.remember(key, stored) : this.known.get(key);
    if (cached && this.isFresh(m, cached, now)) return cached;
    miss();
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

  /** Resolves waiters whose month became fresh meanwhile (fetched as another request's neighbour). */
  private settleKnown(): void {
    const now = this.now();
    for (const [key, w] of this.pending) {
      const entry = this.knownFresh(w.month, now);
      if (entry) {
        this.pending.delete(key);
        w.resolve(entry);
      }
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  private schedule(): void {
    if (this.busy || this.timer || this.closed) return;
    this.settleKnown();
    if (this.pending.size === 0) {
      this.refusals = 0;
      return;
    }
    const now = this.now();
    const wait =
      this.fetcher.rateLimited || this.refusals > 0
        ? backoffDelayMs({
            sinceProcessedMs: this.lastProcessedAt === undefined ? undefined : now - this.lastProcessedAt,
            known: this.spacing,
            attempt: this.refusals,
            capMs: this.minIntervalMs,
          })
        : 0;
    if (wait > 0) {
      this.log.debug(
        { refusals: this.refusals, waitMs: wait, ...this.spacing },
        "waiting for the Gluu server's request interval",
      );
      // The server would refuse a request now: serve what we have, queue only what we lack.
      this.serveStale();
      if (this.pending.size === 0) {
        this.refusals = 0;
        return;
      }
    }
    // setTimeout(0) rather than a microtask: callers whose cache lookups are still resolving
    // (Redis) get to join this request.
    this.timerAt = now + wait;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      void this.flush();
    }, wait);
  }

  private serveStale(): void {
    for (const [key, w] of this.pending) {
      if (w.stale) {
        this.pending.delete(key);
        w.resolve(w.stale);
      }
    }
  }

  /** Months of the neighbourhood to bring along: not asked, not fresh in the cache, not being fetched. */
  private async extras(asked: readonly Month[], now: number): Promise<Month[]> {
    const room = MAX_MONTHS_PER_REQUEST - asked.length;
    if (!this.prefetch || room <= 0) return [];
    // The server buckets its counters by UTC month: nothing exists after the UTC current month.
    const candidates = neighbourhood(asked, monthAt(now, "UTC")).filter((m) => {
      const key = monthKey(m);
      return !this.pending.has(key) && !this.inFlight.has(key) && !this.knownFresh(m, now);
    });
    const checked = await Promise.all(
      candidates.map(async (m) => {
        try {
          const stored = await this.store.get(monthKey(m));
          if (stored && this.isFresh(m, this.remember(monthKey(m), stored), now)) return undefined;
        } catch {
          // A store that cannot be read costs a month in the request, nothing more.
        }
        return m;
      }),
    );
    return checked.filter((m): m is Month => m !== undefined).slice(0, room);
  }

  private async flush(): Promise<void> {
    if (this.busy || this.closed) return;
    this.settleKnown();
    if (this.pending.size === 0) return;
    this.busy = true;
    const batch = [...this.pending.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, this.maxBatch);
    for (const [key, w] of batch) {
      this.pending.delete(key);
      this.inFlight.set(key, w.promise);
    }
    let sentAt = this.now();
    try {
      const asked = batch.map(([, w]) => w.month);
      const extra = await this.extras(asked, sentAt);
      const months = [...asked, ...extra].sort(compareMonths);
      sentAt = this.now();
      const { stats, at } = await this.fetcher.fetchMonths(months);
      this.processed(sentAt, at, true);
      this.refusals = 0;
      this.lastOutcome = { ok: true, at, tookMs: Math.max(0, at - sentAt) };
      this.lastSuccessAt = at;
      this.events.fetched?.(stats, at);
      const byKey = new Map(stats.map((s) => [monthKey(s.month), s]));
      const waiters = new Map(batch);
      await Promise.all(
        months.map(async (m) => {
          const key = monthKey(m);
          const entry = this.remember(key, { stats: byKey.get(key) ?? null, fetchedAt: at });
          // Known to `peek` before the store write completes, and before any caller hears back.
          const w = waiters.get(key);
          try {
            await this.store.set(key, entry);
          } catch (err) {
            // A cache that cannot be written costs a future request, not this answer.
            this.log.warn({ err: String(err) }, "could not write the stat cache");
          }
          w?.resolve(entry);
        }),
      );
    } catch (err) {
      this.failed(batch, err, sentAt);
    } finally {
      for (const [key] of batch) this.inFlight.delete(key);
      this.busy = false;
      this.schedule();
    }
  }

  /** A request the server processed: it starts the interval, and its spacing was accepted. */
  private processed(sentAt: number, at: number, learn: boolean): void {
    if (!this.fetcher.rateLimited) return;
    if (learn && this.lastProcessedAt !== undefined) {
      this.spacing = learnSpacing(this.spacing, sentAt - this.lastProcessedAt, true);
    }
    this.lastProcessedAt = at;
  }

  private failed(batch: Array<[MonthKey, Waiter]>, err: unknown, sentAt: number): void {
    const error =
      err instanceof GluuError
        ? err
        : new GluuError("bad_response", "unexpected failure talking to the Gluu server", { cause: err });
    const at = this.now();
    this.lastOutcome = { ok: false, at, error };
    const requeue = (): void => {
      for (const [key, w] of batch) this.pending.set(key, w);
    };
    if (error instanceof FormatFallbackError) {
      // Processed, in the wrong format: the client asks in JSON now; send again, as the
      // interval allows. Not a refusal, and the client does it only once.
      this.processed(sentAt, error.at, true);
      requeue();
      return;
    }
    if (error.code === "rate_limited") {
      if (this.lastProcessedAt !== undefined) {
        this.spacing = learnSpacing(this.spacing, sentAt - this.lastProcessedAt, false);
      }
      this.refusals++;
      this.events.refused?.();
      if (this.refusals < this.maxRefusals) {
        for (const [key, w] of batch) {
          if (w.stale) {
            this.log.warn({ month: key, code: error.code }, "serving a cached value: %s", error.message);
            w.resolve(w.stale);
          } else {
            this.pending.set(key, w);
          }
        }
        return;
      }
      // The wait is over: the months of this request and any that joined the wait meanwhile.
      const tooMany = new GluuError(
        "rate_limited",
        `the Gluu server refused ${this.refusals} statistics requests in a row: it allows one request per statWebServiceIntervalLimitInSeconds and other clients keep using it; try again in a few minutes`,
        { ...error.details, cause: error },
      );
      this.refusals = 0;
      for (const [key, w] of [...batch, ...this.pending]) {
        this.pending.delete(key);
        if (w.stale) w.resolve(w.stale);
        else w.reject(tooMany);
      }
      return;
    }
    // A 500 from a Gluu 4.x server may have been processed (the server records the time before
    // writing its answer): count the interval from it, without learning from it.
    if (error.details.status === 500) this.processed(sentAt, at, false);
    this.refusals = 0;
    for (const [key, w] of batch) {
      if (w.stale && error.canRetry) {
        this.log.warn({ month: key, code: error.code }, "serving a cached value: %s", error.message);
        w.resolve(w.stale);
      } else {
        w.reject(error);
      }
    }
  }
}
