/** FileStateStore beyond the shared contract: the file itself, damaged files, atomic writes. */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { month, monthKey } from "../../src/months.js";
import { FileStateStore, STATE_FILE_NAME } from "../../src/state/file-store.js";
import { type DeliveryKey, type DeliveryState, StateCorruptError } from "../../src/state/store.js";

const roots: string[] = [];
const opened: FileStateStore[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gluu-stats-file-"));
  roots.push(dir);
  return dir;
}

async function open(dir: string): Promise<FileStateStore> {
  const store = await FileStateStore.open(dir);
  opened.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await Promise.all(roots.map((d) => rm(d, { recursive: true, force: true })));
});

const KEY: DeliveryKey = { channel: "C01ABCDEF", month: "202401" };

/** A realistic valid file, written by the store itself. */
async function validFileText(): Promise<string> {
  const dir = await tempDir();
  const store = await open(dir);
  await store.claimDelivery(KEY, "a", 1, 60_000);
  await store.setDelivery({ channel: "C2", month: "202401" }, { status: "posted", at: 2, ts: "1.1" });
  await store.appendHistory({
    id: "h1",
    month: "202401",
    channel: "C2",
    at: 2,
    trigger: "scheduled",
    outcome: "posted",
  });
  await store.statCache.set(monthKey(month(2024, 1)), { stats: null, fetchedAt: 3 });
  await store.close();
  return readFile(join(dir, STATE_FILE_NAME), "utf8");
}

describe("FileStateStore file", () => {
  it("creates the directory and a version 1 file on open", async () => {
    const dir = join(await tempDir(), "nested", "state");
    const store = await open(dir);
    const file = JSON.parse(await readFile(join(dir, STATE_FILE_NAME), "utf8"));
    expect(file).toEqual({ version: 1, deliveries: [], history: [], statCache: {}, samples: {} });
    expect(store.path).toBe(join(dir, STATE_FILE_NAME));
  });

  it("reads a version 1 file written before samples existed, and keeps 13 closed months of them", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, STATE_FILE_NAME),
      JSON.stringify({ version: 1, deliveries: [], history: [], statCache: {} }),
    );
    const store = await open(dir);
    expect(await store.samples.list(monthKey({ year: 2026, month: 1 }))).toEqual([]);
    for (let i = 0; i < 16; i++) {
      const m = { year: 2025 + Math.floor(i / 12), month: (i % 12) + 1 };
      await store.samples.add(monthKey(m), { at: Date.UTC(m.year, m.month - 1, 3, 9), mau: 100 + i });
    }
    const file = JSON.parse(await readFile(join(dir, STATE_FILE_NAME), "utf8"));
    // April 2026 is the newest: it and the 13 months before it, from March 2025.
    expect(Object.keys(file.samples).sort()).toEqual(
      Array.from({ length: 14 }, (_, i) =>
        monthKey({ year: 2025 + Math.floor((i + 2) / 12), month: ((i + 2) % 12) + 1 }),
      ),
    );
    expect(file.samples["202604"]).toBe("3420:115");
  });

  it("keeps at most 500 history entries in the file itself", async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await Promise.all(
      Array.from({ length: 505 }, (_, i) =>
        store.appendHistory({
          id: `h${i}`,
          month: "202401",
          channel: "C1",
          at: i,
          trigger: "manual",
          outcome: "skipped",
        }),
      ),
    );
    const file = JSON.parse(await readFile(store.path, "utf8"));
    expect(file.history).toHaveLength(500);
    expect(file.history[0].id).toBe("h504");
  });

  it("refuses operations after close", async () => {
    const store = await open(await tempDir());
    await store.close();
    await expect(store.getDelivery(KEY)).rejects.toThrow(/closed/);
    await expect(store.claimDelivery(KEY, "a", 1, 60_000)).rejects.toThrow(/closed/);
  });

  it("sees a change another writer made to the file while open", async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await store.claimDelivery(KEY, "a", 1, 60_000);
    // What `post --force` run from the CLI next to the server does: drop the delivery.
    const file = JSON.parse(await readFile(store.path, "utf8"));
    file.deliveries = [];
    await writeFile(store.path, JSON.stringify(file));
    expect(await store.getDelivery(KEY)).toBeUndefined();
    expect(await store.claimDelivery(KEY, "b", 2, 60_000)).toBe(true);
  });
});

describe("FileStateStore with a damaged file", () => {
  const cases: Array<{ name: string; text: () => Promise<string>; mentions: RegExp }> = [
    { name: "garbage", text: async () => "\u0000\u0001not json at all", mentions: /not valid JSON/ },
    { name: "an empty file", text: async () => "", mentions: /is empty/ },
    {
      name: "a truncated file",
      text: async () => {
        const valid = await validFileText();
        return valid.slice(0, Math.floor(valid.length / 2));
      },
      mentions: /not valid JSON \(it ends early, truncated\?\)/,
    },
    {
      name: "a syntax error on line 3",
      text: async () => '{\n  "version": 1,\n  "deliveries": [,]\n}\n',
      mentions: /not valid JSON \(line 3, column 18: Unexpected token ','\)/,
    },
    {
      name: "valid JSON of the wrong shape",
      text: async () => JSON.stringify({ deliveries: {}, history: "none" }),
      mentions: /does not match the expected format \(version: .*history/,
    },
    {
      name: "a delivery with an unknown status",
      text: async () => {
        const file = JSON.parse(await validFileText());
        file.deliveries[0].state.status = "sent";
        return JSON.stringify(file);
      },
      mentions: /deliveries\.0\.state\.status/,
    },
    {
      name: "two entries for one delivery",
      text: async () => {
        const file = JSON.parse(await validFileText());
        file.deliveries.push(file.deliveries[0]);
        return JSON.stringify(file);
      },
      mentions: /second entry for channel C01ABCDEF month 202401/,
    },
    {
      name: "a stat cache entry under a key that is no month",
      text: async () => {
        const file = JSON.parse(await validFileText());
        file.statCache["2024-01"] = { stats: null, fetchedAt: 1 };
        return JSON.stringify(file);
      },
      mentions: /statCache/,
    },
    {
      name: "a newer format version",
      text: async () => JSON.stringify({ ...JSON.parse(await validFileText()), version: 2 }),
      mentions: /format version 2, but this gluu-stats reads version 1/,
    },
  ];

  it.each(cases)("refuses $name, naming the file, and leaves it untouched", async ({ text, mentions }) => {
    const dir = await tempDir();
    const path = join(dir, STATE_FILE_NAME);
    const content = await text();
    await writeFile(path, content);

    const error = await FileStateStore.open(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateCorruptError);
    const message = (error as Error).message;
    expect(message).toContain(path);
    expect(message).toMatch(mentions);
    expect(message).toMatch(/move it away.*never reset automatically/);
    expect(await readFile(path, "utf8")).toBe(content);
    expect(await readdir(dir)).toEqual([STATE_FILE_NAME]);
  });

  it("refuses a file damaged while open, without overwriting it", async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await store.claimDelivery(KEY, "a", 1, 60_000);
    await writeFile(store.path, "{ oops");

    await expect(store.getDelivery(KEY)).rejects.toBeInstanceOf(StateCorruptError);
    await expect(store.claimDelivery(KEY, "b", 2, 60_000)).rejects.toThrow(store.path);
    await expect(
      store.appendHistory({
        id: "x",
        month: "202401",
        channel: "C",
        at: 1,
        trigger: "manual",
        outcome: "skipped",
      }),
    ).rejects.toBeInstanceOf(StateCorruptError);
    expect(await readFile(store.path, "utf8")).toBe("{ oops");
  });
});

describe("FileStateStore writes", () => {
  type Op =
    | { kind: "claim"; channel: string; owner: string }
    | { kind: "set"; channel: string; state: DeliveryState }
    | { kind: "clear"; channel: string }
    | { kind: "history"; id: string }
    | { kind: "cache"; m: number; mau: number };

  const channel = fc.constantFrom("C1", "C2", "C3");
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("claim" as const), channel, owner: fc.constantFrom("a", "b") }),
    fc.record({
      kind: fc.constant("set" as const),
      channel,
      state: fc.oneof(
        fc.record({ status: fc.constant("posted" as const), at: fc.nat(), ts: fc.string({ maxLength: 12 }) }),
        fc.record({
          status: fc.constant("failed" as const),
          at: fc.nat(),
          error: fc.string({ maxLength: 40 }),
        }),
      ),
    }),
    fc.record({ kind: fc.constant("clear" as const), channel }),
    fc.record({ kind: fc.constant("history" as const), id: fc.uuid() }),
    fc.record({ kind: fc.constant("cache" as const), m: fc.integer({ min: 1, max: 12 }), mau: fc.nat() }),
  );

  it("never leaves a partial file and loses no update, whatever runs concurrently", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const dir = await tempDir();
        const store = await open(dir);
        const path = store.path;

        // A reader polling the file the whole time: it must only ever see a whole file.
        let writing = true;
        let reads = 0;
        const reader = (async () => {
          while (writing) {
            const parsed = JSON.parse(await readFile(path, "utf8"));
            expect(parsed.version).toBe(1);
            reads++;
          }
        })();

        // The model: the operations applied one after another, in the order they were issued.
        const deliveries = new Map<string, DeliveryState>();
        const history: string[] = [];
        const cache = new Map<number, number>();
        const claims: boolean[] = [];
        for (const o of ops) {
          if (o.kind === "claim") {
            const free = !deliveries.has(o.channel);
            if (free) deliveries.set(o.channel, { status: "pending", since: 1, owner: o.owner });
            claims.push(free);
          } else if (o.kind === "set") deliveries.set(o.channel, o.state);
          else if (o.kind === "clear") deliveries.delete(o.channel);
          else if (o.kind === "history") history.unshift(o.id);
          else cache.set(o.m, o.mau);
        }

        const issue = (o: Op): Promise<unknown> => {
          if (o.kind === "history") {
            return store.appendHistory({
              id: o.id,
              month: "202401",
              channel: "C1",
              at: 1,
              trigger: "manual",
              outcome: "posted",
            });
          }
          if (o.kind === "cache") {
            return store.statCache.set(monthKey(month(2024, o.m)), {
              stats: { month: month(2024, o.m), mau: o.mau, tokens: {} },
              fetchedAt: 1,
            });
          }
          const key = { channel: o.channel, month: "202401" };
          if (o.kind === "claim") return store.claimDelivery(key, o.owner, 1, 60_000);
          if (o.kind === "set") return store.setDelivery(key, o.state);
          return store.clearDelivery(key);
        };
        const results = await Promise.all(ops.map(issue));
        writing = false;
        await reader;
        expect(reads).toBeGreaterThan(0);

        expect(results.filter((r): r is boolean => typeof r === "boolean")).toEqual(claims);
        const reopened = await open(dir);
        for (const c of ["C1", "C2", "C3"]) {
          expect(await reopened.getDelivery({ channel: c, month: "202401" })).toEqual(deliveries.get(c));
        }
        expect((await reopened.history(500)).map((h) => h.id)).toEqual(history);
        for (const [m, mau] of cache) {
          expect((await reopened.statCache.get(monthKey(month(2024, m))))?.stats?.mau).toBe(mau);
        }
        // write-file-atomic's temporary files are all renamed into place or removed.
        expect(await readdir(dir)).toEqual([STATE_FILE_NAME]);
      }),
      { numRuns: 25 },
    );
  });
});
