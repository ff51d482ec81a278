/**
 * Licence alerts end to end over loopback: the emulator (its data replaced between checks, as
 * the month grows), the Slack double, a real state store (file, and Redis for replicas).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { webApi } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import { LicenseAlerts } from "../../src/alerts/index.js";
import { defaultGluuConfig } from "../../src/config/index.js";
import { DEFAULT_CLIENT, type Emulator, generateData, startEmulator } from "../../src/emulator/index.js";
import { createGluuStack, type GluuStack } from "../../src/gluu/index.js";
import type { MonthStats } from "../../src/gluu/model.js";
import { createLogger } from "../../src/log.js";
import { addMonths, monthAt, monthKey, monthLabel, monthProgressAt } from "../../src/months.js";
import { readHistory } from "../../src/schedule/history.js";
import { webApiPoster } from "../../src/schedule/slack-poster.js";
import { type SlackDouble, startSlackDouble } from "../../src/slack-double/index.js";
import { FileStateStore } from "../../src/state/file-store.js";
import { RedisStateStore } from "../../src/state/redis-store.js";
import type { StateStore } from "../../src/state/store.js";
import { useRedis } from "../support/redis.js";

const ALERTS = "C0ALERTS01";
const LIMIT = 10_000;
const current = monthAt(Date.now());
const previous = addMonths(current, -1);
const base = generateData({ months: 14, endMonth: current, seed: 5 });

/** The server's data with the month in progress at `mau` and the month before at 9,450. */
function dataWith(mau: number): MonthStats[] {
  return base.map((s) =>
    monthKey(s.month) === monthKey(current)
      ? { ...s, mau }
      : monthKey(s.month) === monthKey(previous)
        ? { ...s, mau: 9_450 }
        : s,
  );
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  emulator: Emulator;
  slack: SlackDouble;
  gluu: GluuStack;
  client: webApi.WebClient;
  logs: string[];
}

async function rig(mau: number): Promise<Rig> {
  const emulator = await startEmulator({ family: "janssen", data: dataWith(mau) });
  const slack = await startSlackDouble();
  // The current month is asked again at every check (GLUU_MIN_INTERVAL_S=0).
  const gluu = createGluuStack(
    defaultGluuConfig(
      { url: emulator.url, clientId: DEFAULT_CLIENT.id, clientSecret: DEFAULT_CLIENT.secret },
      // A closed month is final at once, whatever the hour of the 1st the test runs at.
      { minIntervalS: 0, closeGraceMs: 0 },
    ),
  );
  cleanups.push(async () => {
    await gluu.close();
    await slack.close();
    await emulator.close();
  });
  const client = new webApi.WebClient(slack.botToken, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
  return { emulator, slack, gluu, client, logs: [] };
}

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gluu-stats-alerts-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function alerter(
  r: Rig,
  store: StateStore,
  overrides: Partial<ConstructorParameters<typeof LicenseAlerts>[0]> = {},
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
  return new LicenseAlerts({
    store,
    stats: r.gluu.service,
    slack: webApiPoster(r.client),
    channels: [ALERTS],
    thresholds: [80, 100],
    limit: LIMIT,
    admins: ["U0ADMIN001"],
    host: r.gluu.client.host,
    timeZone: "UTC",
    log,
    owner: `test-${Math.random()}`,
    freshMs: 0,
    retry: { minTimeoutMs: 10, maxTimeoutMs: 20 },
    ...overrides,
  });
}

const alertPosts = (r: Rig) =>
  r.slack.calls.filter(
    (c) => c.method === "chat.postMessage" && c.body.channel === ALERTS && c.error === undefined,
  );
const textOf = (call: { body: Record<string, unknown> }) =>
  `${String(call.body.text)}\n${JSON.stringify(call.body.blocks)}`;

describe("licence alerts", () => {
  it("posts one alert when the month crosses 80 %, none while it stays above, one more at 100 %", async () => {
    const r = await rig(7_000);
    const store = await FileStateStore.open(await stateDir());
    cleanups.push(() => store.close());
    const a = alerter(r, store);

    expect(await a.check()).toMatchObject({ outcome: "checked", mau: 7_000, reached: [] });
    expect(alertPosts(r)).toHaveLength(0);

    r.emulator.setData(dataWith(8_123));
    expect(await a.check()).toMatchObject({ outcome: "checked", reached: [80] });
    expect(alertPosts(r)).toHaveLength(1);
    const first = textOf(alertPosts(r)[0] ?? { body: {} });
    const { day, days } = monthProgressAt(Date.now(), "UTC");
    expect(first).toContain("8,123 MAU = 81 % of the licensed 10,000");
    expect(first).toContain(`day ${day} of ${days}`);
    expect(first).toContain(`${monthLabel(previous)} ended at 9,450 MAU (94 % of the limit)`);
    expect(first).toContain("80 % of the licensed MAU reached");

    r.emulator.setData(dataWith(9_100));
    await a.check();
    expect(alertPosts(r)).toHaveLength(1);

    r.emulator.setData(dataWith(10_250));
    expect(await a.check()).toMatchObject({ reached: [80, 100] });
    expect(alertPosts(r)).toHaveLength(2);
    expect(textOf(alertPosts(r)[1] ?? { body: {} })).toContain("Over the licensed MAU");
    expect(textOf(alertPosts(r)[1] ?? { body: {} })).toContain(
      "10,250 MAU = 102 % of the licensed 10,000: over the limit",
    );

    // Each check is one stat request (the month before came with the first one's neighbourhood).
    expect(r.emulator.counters.statOk).toBe(4);
    const history = await readHistory(store);
    expect(history.map((h) => [h.alert, h.outcome])).toEqual([
      [100, "posted"],
      [80, "posted"],
    ]);
  });

  it("posts nothing twice across a restart between checks", async () => {
    const r = await rig(8_500);
    const dir = await stateDir();
    const before = await FileStateStore.open(dir);
    expect((await alerter(r, before).check()).outcome).toBe("checked");
    await before.close();
    expect(alertPosts(r)).toHaveLength(1);

    const after = await FileStateStore.open(dir);
    cleanups.push(() => after.close());
    const again = await alerter(r, after).check();
    expect(again).toMatchObject({ deliveries: [{ threshold: 80, outcome: "already-posted" }] });
    expect(alertPosts(r)).toHaveLength(1);
  });

  it("finds its alert in the channel after the state file is lost, and does not post it again", async () => {
    const r = await rig(8_500);
    const first = await FileStateStore.open(await stateDir());
    cleanups.push(() => first.close());
    await alerter(r, first).check();
    const fresh = await FileStateStore.open(await stateDir());
    cleanups.push(() => fresh.close());
    expect(await alerter(r, fresh).check()).toMatchObject({ deliveries: [{ outcome: "recovered" }] });
    expect(alertPosts(r)).toHaveLength(1);
  });

  it("a month that jumps past both thresholds gets one alert, the higher; the lower is recorded as covered", async () => {
    const r = await rig(10_400);
    const store = await FileStateStore.open(await stateDir());
    cleanups.push(() => store.close());
    const a = alerter(r, store);
    const result = await a.check();
    expect(result).toMatchObject({
      deliveries: [
        { threshold: 80, outcome: "covered" },
        { threshold: 100, outcome: "posted" },
      ],
    });
    expect(alertPosts(r)).toHaveLength(1);
    await a.check();
    expect(alertPosts(r)).toHaveLength(1);
    const history = await readHistory(store);
    expect(history.map((h) => [h.alert, h.outcome])).toEqual([
      [80, "skipped"],
      [100, "posted"],
    ]);
    expect(history[0]?.error).toMatch(/covered by that alert/);
  });

  it("a down server posts no alert, is logged once for the outage, and alerts once it answers", async () => {
    const r = await rig(8_500);
    const store = await FileStateStore.open(await stateDir());
    cleanups.push(() => store.close());
    const a = alerter(r, store);
    r.emulator.faults = { status: 503 };
    expect((await a.check()).outcome).toBe("unreachable");
    expect((await a.check()).outcome).toBe("unreachable");
    expect(alertPosts(r)).toHaveLength(0);
    expect(r.logs.filter((l) => l.includes("licence check could not reach the Gluu server"))).toHaveLength(1);

    r.emulator.faults = {};
    expect(await a.check()).toMatchObject({ outcome: "checked", reached: [80] });
    expect(alertPosts(r)).toHaveLength(1);
    expect(r.logs.filter((l) => l.includes("the Gluu server answers again"))).toHaveLength(1);
  });

  it("a down server with the month cached from before alerts nothing from the old figure", async () => {
    const r = await rig(7_000);
    const store = await FileStateStore.open(await stateDir());
    cleanups.push(() => store.close());
    const a = alerter(r, store);
    await a.check();
    r.emulator.faults = { status: 503 };
    r.emulator.setData(dataWith(9_000));
    expect((await a.check()).outcome).toBe("unreachable");
    expect(alertPosts(r)).toHaveLength(0);
  });

  it("a post Slack refuses is recorded as failed, the admins are told, and the next check posts it", async () => {
    const r = await rig(8_500);
    const store = await FileStateStore.open(await stateDir());
    cleanups.push(() => store.close());
    const a = alerter(r, store);
    r.slack.faults = { method: "chat.postMessage", error: "not_in_channel", times: 1 };
    expect(await a.check()).toMatchObject({ deliveries: [{ outcome: "failed" }] });
    expect(alertPosts(r)).toHaveLength(0);
    const told = r.slack.calls.filter(
      (c) => c.method === "chat.postMessage" && String(c.body.text).includes("licence alert"),
    );
    expect(told.length).toBeGreaterThan(0);
    expect(await a.check()).toMatchObject({ deliveries: [{ outcome: "posted" }] });
    expect(alertPosts(r)).toHaveLength(1);
    expect((await readHistory(store)).map((h) => h.outcome)).toEqual(["posted", "failed"]);
  });

  it("without data for the month in progress, nothing is alerted", async () => {
    const r = await rig(8_500);
    r.emulator.setData(base.filter((s) => monthKey(s.month) !== monthKey(current)));
    const store = await FileStateStore.open(await stateDir());
    cleanups.push(() => store.close());
    expect(await alerter(r, store).check()).toMatchObject({ outcome: "no-data" });
    expect(alertPosts(r)).toHaveLength(0);
  });
});

describe("licence alerts on Redis", () => {
  const redis = useRedis();

  it("two replicas checking at once post each alert once", async () => {
    const r = await rig(10_100);
    const stores = await Promise.all([
      RedisStateStore.connect(redis().url),
      RedisStateStore.connect(redis().url),
    ]);
    cleanups.push(async () => {
      for (const s of stores) await s.close();
    });
    const [a, b] = stores.map((s) => alerter(r, s));
    if (!a || !b) throw new Error("two replicas");
    await Promise.all([a.check(), b.check()]);
    await Promise.all([a.check(), b.check()]);
    expect(alertPosts(r)).toHaveLength(1);
    r.emulator.setData(dataWith(8_000));
    // A new month is the only way below again: the same month never alerts twice.
    await Promise.all([a.check(), b.check()]);
    expect(alertPosts(r)).toHaveLength(1);
  });
});
