/**
 * The month's curve in the running bot: fresh figures of the month in progress become samples
 * in the state file, and the current-month answer says where last month stood at this point
 * when a sample of it is kept (and nothing about pace when none is).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { daysInMonth, isoMonth, localTime, monthKey } from "../../src/months.js";
import { formatCount } from "../../src/report/format.js";
import { FileStateStore, STATE_FILE_NAME } from "../../src/state/file-store.js";
import { ago, allText, CURRENT, type Harness, startHarness } from "../slack/harness.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gluu-stats-curve-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function bot(dir: string): Promise<Harness> {
  // REDIS_URL unset, REPORT_CHANNEL set: the file store holds the samples.
  const h = await startHarness({
    env: { STATE_DIR: dir, REPORT_CHANNEL: "C0REPORT01", REPORT_CRON: "0 0 1 1 *" },
  });
  cleanups.push(() => h.close());
  return h;
}

describe("the month's curve in the bot", () => {
  it("a fresh figure of the month in progress is kept as a sample", async () => {
    const dir = await stateDir();
    const h = await bot(dir);
    const sent = await h.command(isoMonth(CURRENT));
    await h.reply(sent.path);
    await h.close();
    const file = JSON.parse(await readFile(join(dir, STATE_FILE_NAME), "utf8"));
    expect(Object.keys(file.samples)).toEqual([monthKey(CURRENT)]);
    expect(file.samples[monthKey(CURRENT)]).toMatch(/^\d+:\d+$/);
  });

  it("the current month says where last month stood at this point, when a sample says so", async () => {
    const dir = await stateDir();
    const now = localTime(Date.now(), "UTC");
    const prev = ago(1);
    // Last month, same day and time (when last month had this day).
    const fits = now.day <= daysInMonth(prev);
    const store = await FileStateStore.open(dir);
    if (fits) {
      await store.samples.add(monthKey(prev), {
        at: Date.UTC(prev.year, prev.month - 1, now.day, now.hour, now.minute),
        mau: 7_950,
      });
    }
    await store.close();

    const h = await bot(dir);
    const current = allText((await h.reply((await h.command(isoMonth(CURRENT))).path)).body);
    if (fits) {
      const month = new Intl.DateTimeFormat("en-US", { month: "short", timeZone: "UTC" }).format(
        Date.UTC(prev.year, prev.month - 1, 1),
      );
      expect(current).toContain("At this point last month");
      expect(current).toContain(`${formatCount(7_950)} (on ${month} ${now.day}, `);
    } else {
      expect(current).not.toContain("At this point last month");
    }
    // Never for a closed month.
    const closed = allText((await h.reply((await h.command(isoMonth(ago(2)))).path)).body);
    expect(closed).not.toContain("At this point last month");
  });

  it("without a sample of last month, nothing is said about pace", async () => {
    const h = await bot(await stateDir());
    const text = allText((await h.reply((await h.command(isoMonth(CURRENT))).path)).body);
    expect(text).not.toContain("At this point last month");
  });

  it("/gluu-stats month-curve shows the kept samples day by day; in a bot without a state store too", async () => {
    const dir = await stateDir();
    const store = await FileStateStore.open(dir);
    const prev = ago(1);
    await store.samples.add(monthKey(prev), { at: Date.UTC(prev.year, prev.month - 1, 1, 12), mau: 4_321 });
    await store.close();
    const h = await bot(dir);
    // A question about this month fetches it: the first sample of this month.
    await h.reply((await h.command(isoMonth(CURRENT))).path);
    const curve = allText((await h.reply((await h.command("month-curve")).path)).body);
    expect(curve).toContain("so far, day by day");
    expect(curve).toMatch(/ {2}1 +\S+ +4,321/);
    const today = localTime(Date.now(), "UTC").day;
    expect(curve).toMatch(new RegExp(`\\n\\s*${today} +\\d[\\d,]*`));

    const bare = await startHarness();
    cleanups.push(() => bare.close());
    const none = allText((await bare.reply((await bare.command("month-curve")).path)).body);
    expect(none).toMatch(/No samples yet/);
  });
});
