/**
 * State shared by replicas in Redis (REDIS_URL). Keys, under a prefix (default `gluu-stats:`):
 *
 * - `deliveries`: hash, field `["<channel>","<month>"]` (JSON), value a DeliveryState as JSON;
 *   a hash so that `pendingDeliveries` is one HGETALL rather than a SCAN.
 * - `history`: list, newest first (LPUSH + LTRIM to HISTORY_CAP in one transaction).
 * - `stat-cache`: hash, field the `yyyyMM` month key (`server:yyyyMM` for a server after the
 *   first of GLUU_SERVERS), value a CachedMonth as JSON.
 * - `samples:<yyyyMM>` (`samples:<server>:<yyyyMM>`): hash, field the UTC hour (hours since the epoch), value one sample as
 *   `minute:mau` (samples.ts); HSETNX keeps the first of each hour, and the key expires
 *   SAMPLE_MONTHS_KEPT months after its month ends.
 *
 * Every value read back is validated: another replica, an older release or a human may have
 * written it, and a value that does not parse stops the operation with a StateCorruptError
 * naming the key instead of being treated as absent (which would post a summary again).
 */
import { Redis } from "ioredis";
import { z } from "zod";
import { errorText } from "../errors/index.js";
import { addMonths, monthEndUtc, parseMonthKey } from "../months.js";
import {
  decodeSamples,
  encodedSamplesSchema,
  encodeSamples,
  hourOf,
  SAMPLE_MONTHS_KEPT,
  type Sample,
  type SharedSampleStore,
  type StoredSampleKey,
  sampleFits,
  sampleMonth,
} from "./samples.js";
import {
  type CachedMonth,
  cachedMonthSchema,
  type SharedCacheStore,
  type StoredCacheKey,
} from "./stat-cache.js";
import {
  type DeliveryKey,
  type DeliveryState,
  deliveryStateSchema,
  describeIssues,
  HISTORY_CAP,
  type HistoryEntry,
  historyEntrySchema,
  StateCorruptError,
  type StateStore,
} from "./store.js";

export const DEFAULT_REDIS_PREFIX = "gluu-stats:";
const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

export interface RedisConnectOptions {
  /** Connect and first PING must succeed within this; default 3 s. */
  readonly connectTimeoutMs?: number;
  /**
   * Connection errors after the connection was established (ioredis reconnects by itself);
   * commands issued meanwhile fail on their own.
   */
  readonly onError?: (error: Error) => void;
}

export class RedisConnectError extends Error {
  override readonly name = "RedisConnectError";
}

/** The URL without its password, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}

/**
 * A connected client, or a RedisConnectError naming REDIS_URL within the timeout. During the
 * first connect there are no retries (a wrong REDIS_URL should stop startup, not loop);
 * afterwards ioredis reconnects with a capped backoff and each command is retried once.
 */
export async function connectRedis(url: string, opts: RedisConnectOptions = {}): Promise<Redis> {
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let established = false;
  let lastError: Error | undefined;
  let client: Redis;
  try {
    client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 1,
      // A server that accepts the socket but never answers would otherwise hang every caller.
      commandTimeout: 10_000,
      retryStrategy: (times) => (established ? Math.min(times * 200, 5_000) : null),
    });
  } catch (error) {
    throw new RedisConnectError(
      `REDIS_URL ${redactRedisUrl(url)} is not a usable Redis URL: ${errorText(error)}`,
    );
  }
  client.on("error", (error: Error) => {
    if (established) opts.onError?.(error);
    else lastError = error;
  });

  const attempt = (async () => {
    await client.connect();
    await client.ping();
  })();
  // The attempt may settle after the deadline has already decided; that outcome is moot.
  attempt.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([attempt, deadline]);
    established = true;
    return client;
  } catch (error) {
    client.disconnect();
    const reason = lastError?.message ?? errorText(error);
    throw new RedisConnectError(
      `Could not connect to Redis at ${redactRedisUrl(url)} (REDIS_URL): ${reason}. ` +
        "Check REDIS_URL and that Redis is running and reachable.",
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Closes a connection from `connectRedis`: flushes pending commands, or drops a broken one. */
export async function quitRedis(redis: Redis): Promise<void> {
  if (redis.status === "end") return;
  try {
    await redis.quit();
  } catch {
    // Already broken: nothing left to flush, just stop reconnecting.
    redis.disconnect();
  }
}

/**
 * Compare-and-set of one hash field: the decision (absent? stale?) is taken in TypeScript on a
 * validated value, and this script only applies it if the field still holds exactly what was
 * read. Another replica's claim in between makes it fail, and the caller reads again.
 * ARGV: field, expected value ("" with ARGV[4] = "absent" for a missing field), new value, mode.
 */
const CAS_SCRIPT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[4] == 'absent' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

/** A claim loses the race at most once per competing writer; this bounds a pathological loop. */
const MAX_CLAIM_ROUNDS = 16;

export interface RedisStateStoreOptions extends RedisConnectOptions {
  /** Key prefix, so several bots (or tests) can share one Redis; default `gluu-stats:`. */
  readonly prefix?: string;
}

export class RedisStateStore implements StateStore {
  readonly statCache: SharedCacheStore;
  readonly samples: SharedSampleStore;
  private readonly deliveriesKey: string;
  private readonly historyKey: string;
  private readonly statCacheKey: string;

  /**
   * `redis` is also the connection to share with a RedisRunCoordinator. The store closes it in
   * `close()` when it opened it (`connect`).
   */
  constructor(
    readonly redis: Redis,
    readonly prefix: string = DEFAULT_REDIS_PREFIX,
    private readonly ownsConnection = false,
  ) {
    this.deliveriesKey = `${prefix}deliveries`;
    this.historyKey = `${prefix}history`;
    this.statCacheKey = `${prefix}stat-cache`;
    this.statCache = {
      get: async (key: StoredCacheKey): Promise<CachedMonth | undefined> => {
        const raw = await this.redis.hget(this.statCacheKey, key);
        return raw === null ? undefined : this.decode(cachedMonthSchema, raw, this.statCacheKey, key);
      },
      set: async (key: StoredCacheKey, value: CachedMonth): Promise<void> => {
        await this.redis.hset(this.statCacheKey, key, JSON.stringify(value));
      },
    };
    this.samples = {
      add: async (stored: StoredSampleKey, sample: Sample): Promise<boolean> => {
        const month = sampleMonth(stored);
        const m = month ? parseMonthKey(month) : undefined;
        if (!month || !m || !sampleFits(month, sample)) return false;
        const key = `${this.prefix}samples:${stored}`;
        const [[setErr, set] = [null, 0], [expireErr] = [null]] =
          (await this.redis
            .multi()
            .hsetnx(key, String(hourOf(sample.at)), encodeSamples(month, [sample]))
            .pexpireat(key, monthEndUtc(addMonths(m, SAMPLE_MONTHS_KEPT)))
            .exec()) ?? [];
        if (setErr) throw setErr;
        if (expireErr) throw expireErr;
        return set === 1;
      },
      list: async (stored: StoredSampleKey): Promise<Sample[]> => {
        const month = sampleMonth(stored);
        if (!month) return [];
        const key = `${this.prefix}samples:${stored}`;
        const values = await this.redis.hvals(key);
        return values
          .flatMap((raw) => {
            // Not JSON: the compact form samples.ts writes, checked the same way.
            const parsed = encodedSamplesSchema.safeParse(raw);
            if (!parsed.success) throw corrupt(key, "sample", describeIssues(parsed.error));
            return decodeSamples(month, parsed.data);
          })
          .sort((a, b) => a.at - b.at);
      },
    };
  }

  static async connect(url: string, opts: RedisStateStoreOptions = {}): Promise<RedisStateStore> {
    const redis = await connectRedis(url, opts);
    return new RedisStateStore(redis, opts.prefix ?? DEFAULT_REDIS_PREFIX, true);
  }

  async getDelivery(key: DeliveryKey): Promise<DeliveryState | undefined> {
    const field = deliveryField(key);
    const raw = await this.redis.hget(this.deliveriesKey, field);
    return raw === null ? undefined : this.decode(deliveryStateSchema, raw, this.deliveriesKey, field);
  }

  async claimDelivery(key: DeliveryKey, owner: string, now: number, staleMs: number): Promise<boolean> {
    const field = deliveryField(key);
    const claim = JSON.stringify({ status: "pending", since: now, owner } satisfies DeliveryState);
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      const raw = await this.redis.hget(this.deliveriesKey, field);
      if (raw !== null) {
        const current = this.decode(deliveryStateSchema, raw, this.deliveriesKey, field);
        const stale = current.status === "pending" && now - current.since > staleMs;
        if (!stale) return false;
      }
      const mode = raw === null ? "absent" : "equals";
      const applied = await this.redis.eval(CAS_SCRIPT, 1, this.deliveriesKey, field, raw ?? "", claim, mode);
      if (applied === 1) return true;
    }
    // Still contended after many rounds: not claiming is the safe answer for exactly-once.
    return false;
  }

  async setDelivery(key: DeliveryKey, state: DeliveryState): Promise<void> {
    await this.redis.hset(this.deliveriesKey, deliveryField(key), JSON.stringify(state));
  }

  async clearDelivery(key: DeliveryKey): Promise<void> {
    await this.redis.hdel(this.deliveriesKey, deliveryField(key));
  }

  async pendingDeliveries(): Promise<
    Array<{ key: DeliveryKey; state: DeliveryState & { status: "pending" } }>
  > {
    const all = await this.redis.hgetall(this.deliveriesKey);
    const out: Array<{ key: DeliveryKey; state: DeliveryState & { status: "pending" } }> = [];
    for (const [field, raw] of Object.entries(all)) {
      const key = this.decode(deliveryFieldSchema, field, this.deliveriesKey, field);
      const state = this.decode(deliveryStateSchema, raw, this.deliveriesKey, field);
      if (state.status === "pending") out.push({ key, state });
    }
    return out;
  }

  async appendHistory(entry: HistoryEntry): Promise<void> {
    await this.redis
      .multi()
      .lpush(this.historyKey, JSON.stringify(entry))
      .ltrim(this.historyKey, 0, HISTORY_CAP - 1)
      .exec();
  }

  async history(limit: number): Promise<HistoryEntry[]> {
    if (limit <= 0) return [];
    const raws = await this.redis.lrange(this.historyKey, 0, Math.min(Math.floor(limit), HISTORY_CAP) - 1);
    return raws.map((raw, i) => this.decode(historyEntrySchema, raw, this.historyKey, `index ${i}`));
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await quitRedis(this.redis);
  }

  /** A stored value (or hash field), validated; StateCorruptError naming the key otherwise. */
  private decode<S extends z.ZodType>(schema: S, raw: string, key: string, field: string): z.output<S> {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw corrupt(key, field, `not valid JSON: ${JSON.stringify(raw.slice(0, 80))}`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw corrupt(key, field, describeIssues(parsed.error));
    return parsed.data;
  }
}

/** The hash field back to its key. */
const deliveryFieldSchema = z
  .tuple([z.string(), z.string()])
  .transform(([channel, month]): DeliveryKey => ({ channel, month }));

function deliveryField(key: DeliveryKey): string {
  // A JSON pair: unambiguous whatever the channel id contains, and decodable for
  // pendingDeliveries.
  return JSON.stringify([key.channel, key.month]);
}

function corrupt(key: string, field: string, problem: string): StateCorruptError {
  return new StateCorruptError(
    `Redis key ${key} (${field}) holds an unreadable value: ${problem}. Fix or delete that entry; ` +
      "it is never reset automatically.",
  );
}
