/**
 * The licence check against a clock the test moves: thresholds are per month, and the month and
 * its day follow REPORT_TZ, across daylight-saving changes too. The figures come from a stand-in
 * for the stat service (the end-to-end file uses the real one); the state store is the real file
 * store, and Slack a recording poster.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LicenseAlerts } from "../../src/alerts/index.js";
import type { MonthStats, StatResult } from "../../src/gluu/model.js";
import { silentLogger } from "../../src/log.js";
import { isoMonth, type Month, monthKey } from "../../src/months.js";
import type { SlackMessage } from "../../src/report/slack/index.js";
import type { PostedMessage, SlackPoster } from "../../src/schedule/slack-poster.js";
import { FileStateStore } from "../../src/state/file-store.js";
import { m, stats } from "../report/helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Posted extends PostedMessage {
  readonly message: SlackMessage;
  readonly key: string;
}

function recordingSlack(): SlackPoster & { posts: Posted[] } {
  const posts: Posted[] = [];
  return {
    posts,
    async post(channel, message, key) {
      const p = { channel, ts: `${1_700_000_000 + posts.length}.000100`, message, key };
      posts.push(p);
      return p;
    },
    async findPosted(channel, key) {
      return posts.find((p) => p.channel === channel && p.key === key);
    },
    async permalink(p) {
      return `https://example.slack.com/archives/${p.channel}/p${p.ts.replace(".", "")}`;
    },
    async directMessage() {},
  };
}

/** The stat service's answer: the figures set for each month, fetched "now". */
function figures(clock: () => number) {
  const mau = new Map<string, number>();
  const asked: string[][] = [];
  return {
    set(month: Month, value: number) {
      mau.set(monthKey(month), value);
    },
    asked,
    async get(months: readonly Month[]): Promise<StatResult> {
      asked.push(months.map(isoMonth));
      const withData: MonthStats[] = months.flatMap((x) => {
        const v = mau.get(monthKey(x));
        return v === undefined ? [] : [stats(x, v)];
      });
      return {
        months: withData,
        noData: months.filter((x) => !mau.has(monthKey(x))),
        fetchedAt: clock(),
        latestFetchedAt: clock(),
      };
    },
  };
}

async function setUp(timeZone: string, start: number) {
  let now = start;
  const clock = () => now;
  const dir = await mkdtemp(join(tmpdir(), "gluu-stats-alerts-clock-"));
  const store = await FileStateStore.open(dir);
  cleanups.push(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const slack = recordingSlack();
  const stat = figures(clock);
  const alerts = new LicenseAlerts({
    store,
    stats: stat,
    slack,
    channels: ["C0ALERTS01"],
    thresholds: [80, 100],
    limit: 10_000,
    admins: [],
    host: "idp.example.com",
    timeZone,
    log: silentLogger,
    owner: "test",
    freshMs: 60_000,
    now: clock,
  });
  return {
    alerts,
    slack,
    stat,
    store,
    at(t: number) {
      now = t;
    },
  };
}

describe("thresholds are per month", () => {
  it("a month that starts below a threshold the month before ended above alerts again when it crosses", async () => {
    const t = await setUp("UTC", Date.UTC(2026, 10, 20, 9, 17));
    t.stat.set(m(2026, 11), 8_600);
    await t.alerts.check();
    expect(t.slack.posts.map((p) => p.key)).toEqual(["C0ALERTS01:202611:mau-80"]);

    t.at(Date.UTC(2026, 11, 2, 9, 17));
    t.stat.set(m(2026, 12), 3_100);
    expect(await t.alerts.check()).toMatchObject({ outcome: "checked", month: m(2026, 12), reached: [] });
    t.at(Date.UTC(2026, 11, 18, 9, 17));
    t.stat.set(m(2026, 12), 8_001);
    await t.alerts.check();
    expect(t.slack.posts.map((p) => p.key)).toEqual(["C0ALERTS01:202611:mau-80", "C0ALERTS01:202612:mau-80"]);
    expect(t.slack.posts[1]?.message.text).toContain("day 18 of 31");
    expect(t.slack.posts[1]?.message.text).toContain("8,001 MAU = 80 % of the licensed 10,000");
  });
});

describe("REPORT_TZ", () => {
  it("the month and its day are REPORT_TZ's, right after the spring change to summer time", async () => {
    // 2026-03-31 22:30 UTC is April 1, 00:30 in Berlin (CEST since March 29).
    const t = await setUp("Europe/Berlin", Date.UTC(2026, 2, 31, 22, 30));
    t.stat.set(m(2026, 4), 8_500);
    t.stat.set(m(2026, 3), 9_000);
    await t.alerts.check();
    expect(t.stat.asked[0]).toEqual(["2026-04"]);
    expect(t.slack.posts[0]?.key).toBe("C0ALERTS01:202604:mau-80");
    expect(t.slack.posts[0]?.message.text).toContain("April 2026 has reached 80 %");
    expect(t.slack.posts[0]?.message.text).toContain("day 1 of 30");
    // Fetched at 00:30 Berlin time, shown in it.
    expect(JSON.stringify(t.slack.posts[0]?.message.blocks)).toMatch(/00:30/);
  });

  it("and after the autumn change back: 23:30 UTC on October 31 is November 1 in Berlin, in New York still October", async () => {
    const instant = Date.UTC(2026, 9, 31, 23, 30);
    const berlin = await setUp("Europe/Berlin", instant);
    berlin.stat.set(m(2026, 11), 8_500);
    berlin.stat.set(m(2026, 10), 8_500);
    await berlin.alerts.check();
    expect(berlin.slack.posts.map((p) => p.key)).toEqual(["C0ALERTS01:202611:mau-80"]);
    expect(berlin.slack.posts[0]?.message.text).toContain("day 1 of 30");

    const newYork = await setUp("America/New_York", instant);
    newYork.stat.set(m(2026, 11), 8_500);
    newYork.stat.set(m(2026, 10), 8_500);
    await newYork.alerts.check();
    expect(newYork.slack.posts.map((p) => p.key)).toEqual(["C0ALERTS01:202610:mau-80"]);
    expect(newYork.slack.posts[0]?.message.text).toContain("day 31 of 31");
  });
});

describe("freshness", () => {
  it("a figure older than the interval is the cache's fallback: no alert from it", async () => {
    const t = await setUp("UTC", Date.UTC(2026, 11, 10));
    const stale = {
      async get(months: readonly Month[]): Promise<StatResult> {
        return { months: months.map((x) => stats(x, 9_999)), noData: [], fetchedAt: Date.UTC(2026, 11, 9) };
      },
    };
    const alerts = new LicenseAlerts({
      store: t.store,
      stats: stale,
      slack: t.slack,
      channels: ["C0ALERTS01"],
      thresholds: [80],
      limit: 10_000,
      admins: [],
      host: "idp.example.com",
      timeZone: "UTC",
      log: silentLogger,
      owner: "test",
      freshMs: 60_000,
      now: () => Date.UTC(2026, 11, 10),
    });
    expect(await alerts.check()).toMatchObject({ outcome: "unreachable" });
    expect(t.slack.posts).toEqual([]);
  });
});
