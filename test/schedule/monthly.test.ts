/**
 * The monthly post end to end over loopback: emulator, Slack double, a real state store.
 * Exactly once across restarts and crashes, catch-up, retries and failure reporting.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { webApi } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import { defaultGluuConfig } from "../../src/config/index.js";
import { DEFAULT_CLIENT, type Emulator, generateData, startEmulator } from "../../src/emulator/index.js";
import { createGluuStack, type GluuStack } from "../../src/gluu/index.js";
import { createLogger } from "../../src/log.js";
import { addMonths, type Month, monthAt, monthKey, monthRange } from "../../src/months.js";
import { formatCount } from "../../src/report/format.js";
import { renderMonthlySummary } from "../../src/report/slack/index.js";
import { mauSignature } from "../../src/report/summary.js";
import { MonthlyPoster } from "../../src/schedule/monthly.js";
import { type SlackPoster, webApiPoster } from "../../src/schedule/slack-poster.js";
import { type SlackDouble, startSlackDouble } from "../../src/slack-double/index.js";
import { FileStateStore } from "../../src/state/file-store.js";
import type { StateStore } from "../../src/state/store.js";

const CHANNELS = ["C0REPORT01", "C0REPORT02"];
const current = monthAt(Date.now());
const reported = addMonths(current, -1);
const data = generateData({ months: 30, endMonth: current, seed: 11 });
const mauOf = (m: Month) => data.find((s) => monthKey(s.month) === monthKey(m))?.mau;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  emulator: Emulator;
  slack: SlackDouble;
  dir: string;
  logs: string[];
  gluu: GluuStack;
  client: webApi.WebClient;
}

async function rig(): Promise<Rig> {
  const emulator = await startEmulator({ family: "janssen", data });
  const slack = await startSlackDouble();
  const dir = await mkdtemp(join(tmpdir(), "gluu-stats-monthly-"));
  const gluu = createGluuStack(
    defaultGluuConfig({
      url: emulator.url,
      clientId: DEFAULT_CLIENT.id,
      clientSecret: DEFAULT_CLIENT.secret,
    }),
  );
  cleanups.push(async () => {
    await gluu.close();
    await slack.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });
  const client = new webApi.WebClient(slack.botToken, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 },
    logLevel: webApi.LogLevel.ERROR,
  });
  return { emulator, slack, dir, logs: [], gluu, client };
}

async function store(r: Rig): Promise<FileStateStore> {
  const s = await FileStateStore.open(r.dir);
  cleanups.push(() => s.close());
  return s;
}

function poster(
  r: Rig,
  s: StateStore,
  overrides: Partial<ConstructorParameters<typeof MonthlyPoster>[0]> = {},
) {
  const log = createLogger({
    level: "debug",
    destination: new Writable({
      write(chunk, _enc, cb) {
        r.logs.push(String(chunk));
        cb();
      },
    }),
  });
  return new MonthlyPoster({
    store: s,
    stats: r.gluu.service,
    slack: webApiPoster(r.client),
    render: renderMonthlySummary,
    channels: CHANNELS,
    admins: ["U0ADMIN01"],
    host: r.gluu.client.host,
    timeZone: "UTC",
    log,
    owner: `test-${Math.random()}`,
    retryWindowMs: 2_000,
    retry: { minTimeoutMs: 20, maxTimeoutMs: 100 },
    ...overrides,
  });
}

const posts = (r: Rig, channel?: string) =>
  r.slack.calls.filter(
    (c) =>
      c.method === "chat.postMessage" &&
      c.status === 200 &&
      c.error === undefined &&
      (!channel || c.body.channel === channel),
  );

describe("monthly summary post", () => {
  it("posts the previous month once per channel, with the figures billing uses, in one stat request", async () => {
    const r = await rig();
    const p = poster(r, await store(r));
    const outcomes = await p.run("scheduled");
    expect(outcomes.map((o) => o.outcome)).toEqual(["posted", "posted"]);
    expect(r.emulator.counters.statOk).toBe(1);
    // The 13 months of the summary, and the neighbourhood that comes with them (60 at most).
    expect(r.emulator.counters.statMonths).toBeGreaterThanOrEqual(13);
    expect(r.emulator.counters.statMonths).toBeLessThanOrEqual(60);

    const again = await p.run("scheduled");
    expect(again.map((o) => o.outcome)).toEqual(["already-posted", "already-posted"]);
    expect(posts(r)).toHaveLength(2);

    const body = posts(r, CHANNELS[0])[0]?.body ?? {};
    const text = JSON.stringify(body.blocks);
    expect(text).toContain(formatCount(mauOf(reported) ?? -1));
    const twelve = monthRange(addMonths(reported, -11), reported).map((m) => mauOf(m) ?? 0);
    expect(text).toContain(mauSignature(twelve));
    expect(text).toContain(
      `Against ${["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"][reported.month - 1]} ${reported.year - 1}`,
    );
    expect(body.metadata).toMatchObject({ event_type: "gluu_stats_summary" });
  });

  it("does not post again after a restart with the same state", async () => {
    const r = await rig();
    await poster(r, await store(r)).run("scheduled");
    const restarted = poster(r, await FileStateStore.open(r.dir));
    expect((await restarted.run("scheduled")).map((o) => o.outcome)).toEqual([
      "already-posted",
      "already-posted",
    ]);
    expect((await restarted.catchUp(Date.now() - 1000, true)).length).toBe(0);
    expect(posts(r)).toHaveLength(2);
  });

  it("a crash between fetching and posting: the post arrives after the restart", async () => {
    const r = await rig();
    const real = webApiPoster(r.client);
    let crashed!: () => void;
    const crash = new Promise<void>((res) => {
      crashed = res;
    });
    const dying: SlackPoster = {
      ...real,
      post: () => {
        crashed();
        return new Promise(() => {}); // the process dies here: the post never happens
      },
    };
    const first = poster(r, await store(r), { slack: dying, channels: [CHANNELS[0] ?? ""] });
    void first.run("scheduled");
    await crash;
    expect(r.emulator.counters.statOk).toBe(1);
    expect(posts(r)).toHaveLength(0);

    const restarted = poster(r, await FileStateStore.open(r.dir), { channels: [CHANNELS[0] ?? ""] });
    const outcomes = await restarted.catchUp(undefined, true);
    expect(outcomes.map((o) => o.outcome)).toEqual(["posted"]);
    expect(posts(r)).toHaveLength(1);
  });

  it("a crash after posting but before recording it: the restart finds the post and does not duplicate it", async () => {
    const r = await rig();
    const s = await store(r);
    const forgetful: StateStore = Object.create(s, {
      setDelivery: {
        value: async () => {
          throw new Error("crash");
        },
      },
    });
    const first = poster(r, forgetful, { channels: [CHANNELS[0] ?? ""] });
    await first.run("scheduled").catch(() => undefined);
    expect(posts(r)).toHaveLength(1);

    const restarted = poster(r, await FileStateStore.open(r.dir), { channels: [CHANNELS[0] ?? ""] });
    const outcomes = await restarted.catchUp(undefined, true);
    expect(outcomes.map((o) => o.outcome)).toEqual(["recovered"]);
    expect(posts(r)).toHaveLength(1);
    const history = await (await FileStateStore.open(r.dir)).history(5);
    expect(history[0]).toMatchObject({ outcome: "posted", trigger: "catch-up" });
  });

  it("catches up a missed summary once, and only once it was due", async () => {
    const r = await rig();
    const p = poster(r, await store(r));
    expect(await p.catchUp(undefined, true)).toEqual([]);
    expect(posts(r)).toHaveLength(0);
    const caught = await p.catchUp(Date.now() - 60_000, true);
    expect(caught.map((o) => o.outcome)).toEqual(["posted", "posted"]);
    expect(await p.catchUp(Date.now() - 60_000, true)).toEqual([]);
    expect(posts(r)).toHaveLength(2);
  });

  it("an admin's post during the start-up catch-up is posted once: the second run joins the first", async () => {
    const r = await rig();
    const s = await store(r);
    const p = poster(r, s);
    // A slow server keeps the first claim pending while the catch-up looks at it; on a
    // single-instance store the catch-up takes pending claims to be a dead process's.
    r.emulator.faults = { delayMs: 300 };
    const manual = p.run("manual");
    await new Promise((done) => setTimeout(done, 20));
    const caught = p.catchUp(Date.now() - 60_000, true);
    const [m, c] = await Promise.all([manual, caught]);
    expect(m.map((o) => o.outcome)).toEqual(["posted", "posted"]);
    // The catch-up joined what was under way, or (on a slow machine) found it done.
    for (const o of c) expect(["posted", "already-posted"]).toContain(o.outcome);
    expect(posts(r, CHANNELS[0])).toHaveLength(1);
    expect(posts(r, CHANNELS[1])).toHaveLength(1);
  });

  it("retries a server that is down, then records the failure, says so in the log and tells the admins", async () => {
    const r = await rig();
    r.emulator.faults = { status: 503 };
    const s = await store(r);
    const outcomes = await poster(r, s, { channels: [CHANNELS[0] ?? ""], retryWindowMs: 500 }).run(
      "scheduled",
    );
    expect(outcomes[0]?.outcome).toBe("failed");
    expect(r.emulator.counters.stat).toBeGreaterThan(2);
    const history = await s.history(1);
    expect(history[0]).toMatchObject({ outcome: "failed", trigger: "scheduled" });
    expect(history[0]?.error).toMatch(/503/);
    expect(r.logs.some((l) => l.includes("monthly summary NOT posted"))).toBe(true);
    const dm = r.slack.calls.filter(
      (c) => c.method === "chat.postMessage" && String(c.body.text).includes("could not be posted"),
    );
    expect(dm).toHaveLength(1);
    expect(await s.getDelivery({ channel: CHANNELS[0] ?? "", month: monthKey(reported) })).toMatchObject({
      status: "failed",
    });
  });

  it("recovers when the server comes back within the window", async () => {
    const r = await rig();
    r.emulator.faults = { status: 500, times: 2 };
    const outcomes = await poster(r, await store(r), { channels: [CHANNELS[0] ?? ""] }).run("scheduled");
    expect(outcomes[0]?.outcome).toBe("posted");
  });

  it("retries Slack's 429 and 500, and gives up at once on channel_not_found with one clear line", async () => {
    const r = await rig();
    r.slack.faults = { method: "chat.postMessage", status: 429, retryAfterS: 0, times: 1 };
    const ok = await poster(r, await store(r), { channels: [CHANNELS[0] ?? ""] }).run("scheduled");
    expect(ok[0]?.outcome).toBe("posted");

    r.slack.faults = { method: "chat.postMessage", error: "channel_not_found" };
    const started = Date.now();
    const s2 = await FileStateStore.open(await mkdtemp(join(tmpdir(), "gluu-stats-monthly-")));
    cleanups.push(() => s2.close());
    const failed = await poster(r, s2, { channels: ["C0GONE0001"], retryWindowMs: 60_000 }).run("scheduled");
    expect(failed[0]?.outcome).toBe("failed");
    expect(Date.now() - started).toBeLessThan(5_000);
    const lines = r.logs.filter((l) => l.includes("channel_not_found"));
    expect(lines.some((l) => l.includes("check the channel ID in REPORT_CHANNEL"))).toBe(true);
  });

  it("--force posts again and says so in the history", async () => {
    const r = await rig();
    const s = await store(r);
    const p = poster(r, s, { channels: [CHANNELS[0] ?? ""] });
    await p.run("scheduled");
    const forced = await p.run("forced", reported);
    expect(forced[0]?.outcome).toBe("posted");
    expect(posts(r)).toHaveLength(2);
    expect((await s.history(2)).map((h) => h.trigger)).toEqual(["forced", "scheduled"]);
    expect(r.logs.some((l) => l.includes("bypassing the once-only record"))).toBe(true);
  });

  it("records the message link in the history", async () => {
    const r = await rig();
    const s = await store(r);
    await poster(r, s, { channels: [CHANNELS[0] ?? ""] }).run("scheduled");
    const [entry] = await s.history(1);
    expect(entry?.link).toMatch(/^https:\/\/.*\/archives\/C0REPORT01\/p\d+/);
  });
});
