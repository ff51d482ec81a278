/** The schedule: validation, DST, when a summary is due, and N replicas posting once. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { webApi } from "@slack/bolt";
import cron from "node-cron";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, defaultGluuConfig } from "../../src/config/index.js";
import { DEFAULT_CLIENT, startEmulator } from "../../src/emulator/index.js";
import { createGluuStack } from "../../src/gluu/index.js";
import { createLogger } from "../../src/log.js";
import { month } from "../../src/months.js";
import { renderMonthlySummary } from "../../src/report/slack/index.js";
import { MonthlyPoster } from "../../src/schedule/monthly.js";
import { RedisRunCoordinator } from "../../src/schedule/redis-coordinator.js";
import {
  firstFireThisMonth,
  localMonthStart,
  Scheduler,
  validateSchedule,
} from "../../src/schedule/scheduler.js";
import { webApiPoster } from "../../src/schedule/slack-poster.js";
import { startSlackDouble } from "../../src/slack-double/index.js";
import { RedisStateStore } from "../../src/state/redis-store.js";
import { useRedis } from "../support/redis.js";

const quiet = () =>
  createLogger({ level: "silent", destination: new Writable({ write: (_c, _e, cb) => cb() }) });

describe("validation", () => {
  it("refuses an invalid cron expression, naming REPORT_CRON", () => {
    expect(() => validateSchedule("61 9 1 * *", "UTC")).toThrow(ConfigError);
    expect(() => validateSchedule("every month", "UTC")).toThrow(
      /REPORT_CRON: "every month" is not a cron expression/,
    );
  });
  it("refuses an invalid zone, naming REPORT_TZ", () => {
    expect(() => validateSchedule("0 9 1 * *", "Europe/Atlantis")).toThrow(
      /REPORT_TZ: must be an IANA time zone/,
    );
  });
  it("accepts the default", () => {
    expect(() => validateSchedule("0 9 1 * *", "UTC")).not.toThrow();
  });
});

describe("time zones", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs at 09:00 Berlin time on both sides of a DST change", () => {
    const task = cron.createTask("0 9 1 * *", () => {}, { timezone: "Europe/Berlin" });
    try {
      vi.useFakeTimers({ toFake: ["Date"], now: Date.UTC(2026, 1, 15) });
      // 1 March: CET, UTC+1.
      expect(task.getNextRuns(1)[0]?.toISOString()).toBe("2026-03-01T08:00:00.000Z");
      vi.setSystemTime(Date.UTC(2026, 2, 15));
      // 1 April: CEST, UTC+2.
      expect(task.getNextRuns(1)[0]?.toISOString()).toBe("2026-04-01T07:00:00.000Z");
      vi.setSystemTime(Date.UTC(2026, 9, 15));
      // 1 November: back to CET.
      expect(task.getNextRuns(1)[0]?.toISOString()).toBe("2026-11-01T08:00:00.000Z");
    } finally {
      void task.destroy();
    }
  });

  it("runs a daily 09:00 at 09:00 local on the days of the change", () => {
    const task = cron.createTask("0 9 * * *", () => {}, { timezone: "Europe/Berlin" });
    try {
      vi.useFakeTimers({ toFake: ["Date"], now: Date.UTC(2026, 2, 28, 12) });
      expect(task.getNextRuns(2).map((d) => d.toISOString())).toEqual([
        "2026-03-29T07:00:00.000Z",
        "2026-03-30T07:00:00.000Z",
      ]);
    } finally {
      void task.destroy();
    }
  });

  it("finds the month's start in the zone and when this month's summary fell due", () => {
    expect(new Date(localMonthStart(month(2026, 4), "Europe/Berlin")).toISOString()).toBe(
      "2026-03-31T22:00:00.000Z",
    );
    expect(new Date(localMonthStart(month(2026, 1), "Pacific/Auckland")).toISOString()).toBe(
      "2025-12-31T11:00:00.000Z",
    );
    const task = cron.createTask("0 9 1 * *", () => {}, { timezone: "Europe/Berlin" });
    const matches = (d: Date) => task.match(d);
    // 1 April 2026, 08:59 Berlin: not yet due; 09:30: due since 09:00.
    expect(firstFireThisMonth(matches, Date.UTC(2026, 3, 1, 6, 59), "Europe/Berlin")).toBeUndefined();
    expect(firstFireThisMonth(matches, Date.UTC(2026, 3, 1, 7, 30), "Europe/Berlin")).toBe(
      Date.UTC(2026, 3, 1, 7, 0),
    );
    // Late in the month: still the 1st's fire.
    expect(firstFireThisMonth(matches, Date.UTC(2026, 3, 29, 12), "Europe/Berlin")).toBe(
      Date.UTC(2026, 3, 1, 7, 0),
    );
    void task.destroy();
  });
});

describe("replicas sharing Redis", () => {
  const redis = useRedis();

  it("two bots with a cron firing every second for 10 s post exactly once per channel", async () => {
    const emulator = await startEmulator({ family: "janssen" });
    const slack = await startSlackDouble();
    const channels = ["C0REPORT01", "C0REPORT02"];
    const replicas: Array<{ scheduler: Scheduler; close: () => Promise<void> }> = [];
    try {
      for (let i = 0; i < 2; i++) {
        const store = await RedisStateStore.connect(redis().url, { prefix: "replicas-test:" });
        const gluu = createGluuStack(
          defaultGluuConfig({
            url: emulator.url,
            clientId: DEFAULT_CLIENT.id,
            clientSecret: DEFAULT_CLIENT.secret,
          }),
          { store: store.statCache },
        );
        const client = new webApi.WebClient(slack.botToken, {
          slackApiUrl: slack.apiUrl,
          retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 20 },
          logLevel: webApi.LogLevel.ERROR,
        });
        const poster = new MonthlyPoster({
          store,
          stats: gluu.service,
          slack: webApiPoster(client),
          render: renderMonthlySummary,
          channels,
          admins: [],
          host: gluu.client.host,
          timeZone: "UTC",
          log: quiet(),
          owner: `replica-${i}`,
          retryWindowMs: 5_000,
          retry: { minTimeoutMs: 20, maxTimeoutMs: 100 },
        });
        const scheduler = new Scheduler({
          expression: "* * * * * *",
          timeZone: "UTC",
          poster,
          log: quiet(),
          coordinator: new RedisRunCoordinator(store.redis, { prefix: "replicas-test:cron:" }),
          singleInstance: false,
          reconcileEveryMs: 0,
        });
        replicas.push({
          scheduler,
          close: async () => {
            await scheduler.stop();
            await gluu.close();
            await store.close();
          },
        });
      }
      await Promise.all(replicas.map((r) => r.scheduler.start()));
      await new Promise((r) => setTimeout(r, 10_000));
      await Promise.all(replicas.map((r) => r.scheduler.settled()));
      const posts = slack.calls.filter((c) => c.method === "chat.postMessage" && c.error === undefined);
      for (const channel of channels) {
        expect(posts.filter((p) => p.body.channel === channel)).toHaveLength(1);
      }
    } finally {
      for (const r of replicas) await r.close();
      await slack.close();
      await emulator.close();
    }
  }, 30_000);
});

describe("the file store at start-up", () => {
  it("a corrupted state file stops the scheduler's store from opening, with the path", async () => {
    const { FileStateStore, STATE_FILE_NAME } = await import("../../src/state/file-store.js");
    const { writeFile } = await import("node:fs/promises");
    const dir = await mkdtemp(join(tmpdir(), "gluu-stats-corrupt-"));
    try {
      await writeFile(join(dir, STATE_FILE_NAME), "{ not json");
      await expect(FileStateStore.open(dir)).rejects.toThrow(/is not valid JSON.*never reset automatically/s);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
