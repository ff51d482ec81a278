/**
 * What the licence check and the month's curve cost, for the README and the closing note: the
 * stat requests of a day of hourly checks, and the size of 13 months of samples.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LicenseAlerts } from "../../src/alerts/index.js";
import { defaultGluuConfig } from "../../src/config/index.js";
import { MonthCurves } from "../../src/curve/book.js";
import { DEFAULT_CLIENT, generateData, startEmulator } from "../../src/emulator/index.js";
import { createGluuStack } from "../../src/gluu/index.js";
import { silentLogger } from "../../src/log.js";
import { addMonths, daysInMonth, type Month, monthKey, monthRange, monthStartUtc } from "../../src/months.js";
import type { SlackPoster } from "../../src/schedule/slack-poster.js";
import { FileStateStore } from "../../src/state/file-store.js";
import { encodeSamples, MemorySampleStore } from "../../src/state/samples.js";

const nowhere: SlackPoster = {
  post: async (channel) => ({ channel, ts: "1.1" }),
  findPosted: async () => undefined,
  permalink: async () => undefined,
  directMessage: async () => {},
};

describe("costs", () => {
  it("a day of hourly checks is one stat request per check, and 24 samples", async () => {
    const start = Date.UTC(2026, 11, 2, 0, 17);
    let now = start;
    const clock = () => now;
    const current: Month = { year: 2026, month: 12 };
    const emulator = await startEmulator({
      family: "janssen",
      data: generateData({ months: 30, endMonth: current, seed: 3 }),
    });
    const samples = new MemorySampleStore();
    const curves = new MonthCurves(samples, { timeZone: "UTC", log: silentLogger, now: clock });
    const gluu = createGluuStack(
      defaultGluuConfig({
        url: emulator.url,
        clientId: DEFAULT_CLIENT.id,
        clientSecret: DEFAULT_CLIENT.secret,
      }),
      {
        now: clock,
        observe: {
          requests: () => {},
          stats: { fetched: (stats, at) => void curves.record(stats, at) },
        },
      },
    );
    const dir = await mkdtemp(join(tmpdir(), "gluu-stats-costs-"));
    const store = await FileStateStore.open(dir);
    try {
      const alerts = new LicenseAlerts({
        store,
        stats: gluu.service,
        slack: nowhere,
        channels: ["C0ALERTS01"],
        thresholds: [80, 100],
        limit: 1_000_000_000,
        admins: [],
        host: "h",
        timeZone: "UTC",
        log: silentLogger,
        owner: "t",
        freshMs: 60_000,
        now: clock,
      });
      for (let hour = 0; hour < 24; hour++) {
        now = start + hour * 3_600_000;
        expect((await alerts.check()).outcome).toBe("checked");
      }
      await new Promise((r) => setTimeout(r, 20));
      const requests = emulator.counters.statOk;
      console.log(
        `a day of hourly checks: ${requests} stat requests, ${emulator.counters.token} token request(s)`,
      );
      expect(requests).toBe(24);
      // The emulator's tokens live 299 s (Gluu's default is 300): each hourly check needs a new one.
      expect(emulator.counters.token).toBe(24);
      expect(await samples.list(monthKey(current))).toHaveLength(24);
    } finally {
      await store.close();
      await gluu.close();
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("13 months of hourly samples, and the month in progress, are about 120 KB", () => {
    const months = monthRange(addMonths({ year: 2026, month: 12 }, -13), { year: 2026, month: 12 });
    const record = Object.fromEntries(
      months.map((m, i) => {
        const hours = daysInMonth(m) * 24;
        const series = Array.from({ length: hours }, (_, h) => ({
          at: monthStartUtc(m) + h * 3_600_000 + 17 * 60_000,
          mau: 40_000 + i * 1_000 + h * 37,
        }));
        return [monthKey(m), encodeSamples(monthKey(m), series)];
      }),
    );
    const bytes = Buffer.byteLength(JSON.stringify({ samples: record }, null, 2));
    const count = months.reduce((n, m) => n + daysInMonth(m) * 24, 0);
    console.log(
      `${count} samples over ${months.length} months: ${(bytes / 1024).toFixed(1)} KiB in the state file`,
    );
    expect(bytes).toBeLessThan(125 * 1024);
  });
});
