/** "At this point last month": the pure lookup, and the book that records and holds samples. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { MonthCurves } from "../../src/curve/book.js";
import { paceAt, pacePoints } from "../../src/curve/pace.js";
import { createLogger } from "../../src/log.js";
import { monthKey } from "../../src/months.js";
import { formatPace } from "../../src/report/format.js";
import { MemorySampleStore, type Sample, type SampleStore } from "../../src/state/samples.js";
import { m, stats } from "../report/helpers.js";

const hourly = (from: number, hours: number, mau = (i: number) => 1_000 + i * 10): Sample[] =>
  Array.from({ length: hours }, (_, i) => ({ at: from + i * 3_600_000, mau: mau(i) }));

describe("paceAt", () => {
  const november = hourly(Date.UTC(2026, 10, 1, 0, 12), 30 * 24);
  const points = pacePoints(november, m(2026, 11), "UTC");

  it("is last month's sample at the same day and time, within an hour", () => {
    // Dec 2, 09:40: the Nov 2 09:12 sample is 28 minutes off, the 10:12 one 32.
    expect(paceAt(points, Date.UTC(2026, 11, 2, 9, 40), "UTC")).toEqual({
      at: Date.UTC(2026, 10, 2, 9, 12),
      mau: 1_000 + 33 * 10,
    });
    expect(formatPace({ at: Date.UTC(2026, 10, 2, 9, 12), mau: 1_330 }, "UTC")).toBe(
      "1,330 (on Nov 2, 09:12)",
    );
  });

  it("says nothing without a sample within the hour", () => {
    const gap = november.filter((s) => s.at < Date.UTC(2026, 10, 2, 7) || s.at > Date.UTC(2026, 10, 2, 12));
    expect(paceAt(pacePoints(gap, m(2026, 11), "UTC"), Date.UTC(2026, 11, 2, 9, 40), "UTC")).toBeUndefined();
    expect(paceAt([], Date.UTC(2026, 11, 2, 9, 40), "UTC")).toBeUndefined();
    // December 31: November had no 31st.
    expect(paceAt(points, Date.UTC(2026, 11, 31, 12), "UTC")).toBeUndefined();
  });

  it("compares wall-clock times in REPORT_TZ across a daylight-saving change", () => {
    // March in Berlin is CET (UTC+1) until the 29th; April is CEST (UTC+2).
    const march = hourly(Date.UTC(2026, 2, 1, 0, 0) - 3_600_000, 31 * 24);
    const pts = pacePoints(march, m(2026, 3), "Europe/Berlin");
    // April 2, 09:00 Berlin = 07:00 UTC; March 2, 09:00 Berlin = 08:00 UTC.
    const pace = paceAt(pts, Date.UTC(2026, 3, 2, 7, 0), "Europe/Berlin");
    expect(pace?.at).toBe(Date.UTC(2026, 2, 2, 8, 0));
    expect(formatPace(pace ?? { at: 0, mau: 0 }, "Europe/Berlin")).toMatch(/on Mar 2, 09:00\)$/);
    // A sample taken on Feb 28 at 23:00 UTC is March 1, 00:00 in Berlin: March's.
    expect(pts[0]?.minute).toBe(0);
  });
});

function capture() {
  const lines: string[] = [];
  const log = createLogger({
    level: "debug",
    destination: new Writable({
      write(chunk, _e, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  });
  return { lines, log };
}

describe("MonthCurves", () => {
  it("records the server's month in progress from each answer, once an hour, and nothing else", async () => {
    const store = new MemorySampleStore();
    const { log } = capture();
    const curves = new MonthCurves(store, { timeZone: "UTC", log });
    const at = Date.UTC(2026, 11, 2, 9, 5);
    await curves.record([stats(m(2026, 11), 9_450), stats(m(2026, 12), 3_100)], at);
    await curves.record([stats(m(2026, 12), 3_120)], at + 20 * 60_000);
    await curves.record([stats(m(2026, 12), 3_200)], at + 60 * 60_000);
    expect(await store.list(monthKey(m(2026, 12)))).toEqual([
      { at, mau: 3_100 },
      { at: at + 3_600_000, mau: 3_200 },
    ]);
    expect(await store.list(monthKey(m(2026, 11)))).toEqual([]);
  });

  it("answers the pace from memory once last month is loaded; loads it on first ask", async () => {
    const store = new MemorySampleStore();
    for (const s of hourly(Date.UTC(2026, 10, 1), 24 * 30)) await store.add(monthKey(m(2026, 11)), s);
    let reads = 0;
    const counting: SampleStore = {
      add: (k, s) => store.add(k, s),
      list: (k) => {
        reads++;
        return store.list(k);
      },
    };
    const now = Date.UTC(2026, 11, 2, 9, 0);
    const curves = new MonthCurves(counting, { timeZone: "UTC", log: capture().log, now: () => now });
    expect(curves.paceAt(now)).toBeUndefined();
    await curves.ready(now);
    expect(curves.paceAt(now)).toEqual({ at: Date.UTC(2026, 10, 2, 9), mau: 1_000 + 33 * 10 });
    for (let i = 0; i < 100; i++) curves.paceAt(now + i * 1000);
    expect(reads).toBe(1);
  });

  it("a store that cannot be read is asked again a minute later, not at every answer", async () => {
    let reads = 0;
    let now = Date.UTC(2026, 11, 2, 9);
    const broken: SampleStore = {
      add: async () => true,
      list: async () => {
        reads++;
        throw new Error("ECONNREFUSED");
      },
    };
    const curves = new MonthCurves(broken, { timeZone: "UTC", log: capture().log, now: () => now });
    await curves.ready(now);
    for (let i = 0; i < 50; i++) {
      expect(curves.paceAt(now)).toBeUndefined();
      await curves.ready(now);
    }
    expect(reads).toBe(1);
    now += 61_000;
    await curves.ready(now);
    expect(reads).toBe(2);
  });

  it("a failing store costs the sample, logged once, and never the caller", async () => {
    const broken: SampleStore = {
      add: async () => {
        throw new Error("ECONNREFUSED");
      },
      list: async () => {
        throw new Error("ECONNREFUSED");
      },
    };
    const { lines, log } = capture();
    const curves = new MonthCurves(broken, { timeZone: "UTC", log });
    const at = Date.UTC(2026, 11, 2, 9);
    await curves.record([stats(m(2026, 12), 1)], at);
    await curves.record([stats(m(2026, 12), 2)], at + 3_600_000);
    await curves.ready(at);
    expect(curves.paceAt(at)).toBeUndefined();
    expect(lines.filter((l) => l.includes("answers go on without it"))).toHaveLength(1);
  });
});
