/**
 * The state of one instance in one JSON file, `gluu-stats-state.json` under STATE_DIR.
 *
 * Single instance only: claims are atomic within this process (every read-modify-write of the
 * file is serialized per path, across all FileStateStore objects of the process), but nothing
 * stops a second process from writing in between. Replicas must share Redis (REDIS_URL).
 *
 * Each operation starts from the file, not from a copy taken at open: a CLI command run next to
 * the server (`post --force`, which clears a delivery) is seen by the server's next operation
 * instead of being overwritten by it. An unchanged file is not parsed again (see `load`).
 *
 * The file is never reset: one that cannot be read back as this format stops the store with a
 * StateCorruptError naming the file, because starting empty would post every summary again.
 */
import { mkdir, open as openFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";
import { errorText } from "../errors/index.js";
import {
  decodeSamples,
  encodedSamplesSchema,
  encodeSamples,
  monthsToKeep,
  type SharedSampleStore,
  type StoredSampleKey,
  sampleFits,
  sampleMonth,
  withSample,
} from "./samples.js";
import {
  type CachedMonth,
  cachedMonthSchema,
  type SharedCacheStore,
  STORED_CACHE_KEY,
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

export const STATE_FILE_NAME = "gluu-stats-state.json";
export const STATE_FILE_VERSION = 1;

const REMEDY = "fix it or move it away, then restart; it is never reset automatically";

const fileSchema = z
  .object({
    version: z.literal(STATE_FILE_VERSION),
    deliveries: z.array(z.object({ channel: z.string(), month: z.string(), state: deliveryStateSchema })),
    /** Newest first, like `history()` answers. */
    history: z.array(historyEntrySchema),
    statCache: z.record(
      z.string().regex(STORED_CACHE_KEY, "expected a yyyyMM month key, or server:yyyyMM"),
      cachedMonthSchema,
    ),
    /** Added after version 1 was first written: files without it read as having no samples. */
    samples: z
      .record(
        z.string().regex(STORED_CACHE_KEY, "expected a yyyyMM month key, or server:yyyyMM"),
        encodedSamplesSchema,
      )
      .default({}),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.deliveries.forEach((d, i) => {
      const id = deliveryId(d);
      if (seen.has(id)) {
        ctx.addIssue({
          code: "custom",
          path: ["deliveries", i],
          message: `second entry for channel ${d.channel} month ${d.month}`,
        });
      }
      seen.add(id);
    });
  });

type StoredFile = z.input<typeof fileSchema>;

interface State {
  /** By deliveryId. */
  readonly deliveries: ReadonlyMap<string, { readonly key: DeliveryKey; readonly state: DeliveryState }>;
  readonly history: readonly HistoryEntry[];
  readonly statCache: ReadonlyMap<StoredCacheKey, CachedMonth>;
  /** Encoded as samples.ts writes them. */
  readonly samples: ReadonlyMap<StoredSampleKey, string>;
}

const EMPTY: State = { deliveries: new Map(), history: [], statCache: new Map(), samples: new Map() };

/** JSON of the pair: no separator a channel id or month could contain by accident. */
function deliveryId(key: DeliveryKey): string {
  return JSON.stringify([key.channel, key.month]);
}

/**
 * Per file path, the tail of the queue of read-modify-write operations. Module-wide so that two
 * stores opened on the same directory in one process still take turns.
 */
const queues = new Map<string, Promise<void>>();

function serialized<T>(path: string, op: () => Promise<T>): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const result = previous.then(op);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  queues.set(path, tail);
  void tail.then(() => {
    if (queues.get(path) === tail) queues.delete(path);
  });
  return result;
}

/** Whether `text` could still become valid JSON by appending to it. */
function isJsonPrefix(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    if (/end of JSON input/.test(message)) return true;
    const position = /at position (\d+)/.exec(message);
    return position !== null && Number(position[1]) >= text.length;
  }
}

/**
 * Index of the first character that makes `text` invalid JSON. V8 names it in most messages,
 * but not for "Unexpected token"; then a binary search over prefixes finds it (an invalid
 * prefix never becomes valid again, so the property is monotonic).
 */
function jsonErrorIndex(text: string, message: string): number {
  const position = /at position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (isJsonPrefix(text.slice(0, mid))) good = mid;
    else bad = mid;
  }
  return bad - 1;
}

/** What is wrong with `text`, for the StateCorruptError, e.g. "line 3, column 8: Unexpected token ','". */
function describeJsonError(text: string, error: unknown): string {
  const message = errorText(error);
  if (isJsonPrefix(text)) return "it ends early, truncated?";
  const index = jsonErrorIndex(text, message);
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  const column = index - before.lastIndexOf("\n");
  // V8 appends a snippet of the text (multi-line, possibly huge) or the position; both are
  // replaced by the line and column.
  const reason = message.replace(/ in JSON at position \d+.*$/s, "").replace(/, (\.\.\.)?".*$/s, "");
  return `line ${line}, column ${column}: ${reason}`;
}

function parseStateFile(path: string, text: string): State {
  if (text.trim() === "") {
    throw new StateCorruptError(`State file ${path} is empty (truncated?): ${REMEDY}.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StateCorruptError(
      `State file ${path} is not valid JSON (${describeJsonError(text, error)}): ${REMEDY}.`,
    );
  }
  const version = typeof raw === "object" && raw !== null && "version" in raw ? raw.version : undefined;
  if (typeof version === "number" && version !== STATE_FILE_VERSION) {
    throw new StateCorruptError(
      `State file ${path} has format version ${version}, but this gluu-stats reads version ` +
        `${STATE_FILE_VERSION} (written by another release?): run the matching release, or ${REMEDY}.`,
    );
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StateCorruptError(
      `State file ${path} does not match the expected format (${describeIssues(parsed.error)}): ${REMEDY}.`,
    );
  }
  const file = parsed.data;
  return {
    deliveries: new Map(
      file.deliveries.map((d) => [
        deliveryId(d),
        { key: { channel: d.channel, month: d.month }, state: d.state },
      ]),
    ),
    history: file.history,
    // Each key matched STORED_CACHE_KEY above.
    statCache: new Map(Object.entries(file.statCache) as Array<[StoredCacheKey, CachedMonth]>),
    samples: new Map(Object.entries(file.samples) as Array<[StoredSampleKey, string]>),
  };
}

function serialize(state: State): string {
  const file: StoredFile = {
    version: STATE_FILE_VERSION,
    deliveries: [...state.deliveries.values()].map(({ key, state: s }) => ({
      channel: key.channel,
      month: key.month,
      state: s,
    })),
    history: [...state.history],
    statCache: Object.fromEntries(state.statCache),
    samples: Object.fromEntries(state.samples),
  };
  // Indented: an operator may have to read or fix this file by hand (see REMEDY).
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Identity of one version of the file: the atomic rename gives every write a new inode. */
type Signature = string;

export class FileStateStore implements StateStore {
  readonly statCache: SharedCacheStore;
  readonly samples: SharedSampleStore;
  /** The last state read or written, and which version of the file it came from. */
  private cached: { signature: Signature; state: State } | undefined;
  private closed = false;

  private constructor(readonly path: string) {
    this.statCache = {
      get: async (key) => (await this.load()).statCache.get(key),
      set: (key, value) => this.mutate((s) => ({ ...s, statCache: new Map(s.statCache).set(key, value) })),
    };
    this.samples = {
      add: async (key, sample) => {
        const month = sampleMonth(key);
        if (!month || !sampleFits(month, sample)) return false;
        let added = false;
        await this.mutate((s) => {
          const next = withSample(decodeSamples(month, s.samples.get(key) ?? ""), sample);
          if (!next) return s;
          added = true;
          const samples = new Map(s.samples).set(key, encodeSamples(month, next));
          const keep = monthsToKeep([...samples.keys()]);
          for (const k of samples.keys()) if (!keep.has(k)) samples.delete(k);
          return { ...s, samples };
        });
        return added;
      },
      list: async (key) => {
        const month = sampleMonth(key);
        return month ? decodeSamples(month, (await this.load()).samples.get(key) ?? "") : [];
      },
    };
  }

  /**
   * Opens (creating the directory and an empty file if missing) and validates the state file:
   * a damaged one fails here, at startup, with a StateCorruptError.
   */
  static async open(dir: string): Promise<FileStateStore> {
    await mkdir(dir, { recursive: true });
    const store = new FileStateStore(resolve(join(dir, STATE_FILE_NAME)));
    await serialized(store.path, async () => {
      const exists = (await store.readState()) !== EMPTY;
      // Written now rather than on the first delivery, so an unwritable STATE_DIR fails at startup.
      if (!exists) await writeFileAtomic(store.path, serialize(EMPTY));
    });
    return store;
  }

  async getDelivery(key: DeliveryKey): Promise<DeliveryState | undefined> {
    return (await this.load()).deliveries.get(deliveryId(key))?.state;
  }

  async claimDelivery(key: DeliveryKey, owner: string, now: number, staleMs: number): Promise<boolean> {
    let claimed = false;
    await this.mutate((s) => {
      const current = s.deliveries.get(deliveryId(key))?.state;
      const free = current === undefined || (current.status === "pending" && now - current.since > staleMs);
      if (!free) return s;
      claimed = true;
      return withDelivery(s, key, { status: "pending", since: now, owner });
    });
    return claimed;
  }

  async setDelivery(key: DeliveryKey, state: DeliveryState): Promise<void> {
    await this.mutate((s) => withDelivery(s, key, state));
  }

  async clearDelivery(key: DeliveryKey): Promise<void> {
    await this.mutate((s) => {
      if (!s.deliveries.has(deliveryId(key))) return s;
      const deliveries = new Map(s.deliveries);
      deliveries.delete(deliveryId(key));
      return { ...s, deliveries };
    });
  }

  async pendingDeliveries(): Promise<
    Array<{ key: DeliveryKey; state: DeliveryState & { status: "pending" } }>
  > {
    const out: Array<{ key: DeliveryKey; state: DeliveryState & { status: "pending" } }> = [];
    for (const { key, state } of (await this.load()).deliveries.values()) {
      if (state.status === "pending") out.push({ key, state });
    }
    return out;
  }

  async appendHistory(entry: HistoryEntry): Promise<void> {
    await this.mutate((s) => ({ ...s, history: [entry, ...s.history].slice(0, HISTORY_CAP) }));
  }

  async history(limit: number): Promise<HistoryEntry[]> {
    if (limit <= 0) return [];
    return (await this.load()).history.slice(0, limit);
  }

  /** Waits for this process's queued writes to the file; the store is unusable afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await serialized(this.path, async () => undefined);
    this.cached = undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`FileStateStore for ${this.path} is closed`);
  }

  private async load(): Promise<State> {
    this.assertOpen();
    return this.readState();
  }

  /**
   * The file's current state. Read through one descriptor so the signature and the contents
   * belong to the same version even when a write renames a new file into place meanwhile.
   */
  private async readState(): Promise<State> {
    let handle: Awaited<ReturnType<typeof openFile>>;
    try {
      handle = await openFile(this.path, "r");
    } catch (error) {
      // Only an operator removes the file (the remedy for a corrupt one): start afresh, as a
      // fresh install would.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return EMPTY;
      throw error;
    }
    try {
      const st = await handle.stat({ bigint: true });
      const signature = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
      if (this.cached?.signature === signature) return this.cached.state;
      const state = parseStateFile(this.path, await handle.readFile("utf8"));
      this.cached = { signature, state };
      return state;
    } finally {
      await handle.close();
    }
  }

  /**
   * Read-modify-write in the file's queue. `change` returns its input when there is nothing to
   * write. A failed write leaves the file and the cache as they were.
   */
  private mutate(change: (s: State) => State): Promise<void> {
    this.assertOpen();
    return serialized(this.path, async () => {
      // Not load(): an operation queued before close() still completes.
      const current = await this.readState();
      const next = change(current);
      if (next === current) return;
      await writeFileAtomic(this.path, serialize(next));
      // Forget the signature: the next load stats the new file and re-reads it once, which also
      // covers a write landing from another process right after ours.
      this.cached = undefined;
    });
  }
}

function withDelivery(s: State, key: DeliveryKey, state: DeliveryState): State {
  return { ...s, deliveries: new Map(s.deliveries).set(deliveryId(key), { key, state }) };
}
