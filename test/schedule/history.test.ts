/**
 * History tells the truth while a post is in flight: a delivery claimed and not yet recorded
 * is listed as "posting…". Before, `/gluu-stats history` right after the summary appeared said
 * "No monthly summary has been posted yet."
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { monthKey } from "../../src/months.js";
import { renderHistoryMessage } from "../../src/report/slack/index.js";
import { renderHistoryText } from "../../src/report/text.js";
import { historyLines, readHistory } from "../../src/schedule/history.js";
import { FileStateStore } from "../../src/state/file-store.js";
import { allText, startHarness } from "../slack/harness.js";

const KEY = { channel: "C0REPORT01", month: monthKey({ year: 2026, month: 11 }) };
const AT = Date.UTC(2026, 11, 1, 9);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function dir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "gluu-stats-history-"));
  cleanups.push(() => rm(d, { recursive: true, force: true }));
  return d;
}

describe("historyLines", () => {
  it("puts deliveries in flight first, newest first, and keeps the limit", () => {
    const recorded = [
      {
        id: "a",
        month: KEY.month,
        channel: "C0OTHER001",
        at: AT - 10,
        trigger: "scheduled" as const,
        outcome: "posted" as const,
      },
    ];
    const lines = historyLines(
      recorded,
      [
        { key: KEY, since: AT },
        { key: { ...KEY, channel: "C0THIRD001" }, since: AT + 5 },
      ],
      2,
    );
    expect(lines.map((l) => [l.channel, l.outcome])).toEqual([
      ["C0THIRD001", "posting"],
      ["C0REPORT01", "posting"],
    ]);
  });
});

describe("a delivery claimed and not yet recorded", () => {
  it("is listed as posting… in Slack and in the terminal, never as nothing posted", async () => {
    const store = await FileStateStore.open(await dir());
    cleanups.push(() => store.close());
    expect(await store.claimDelivery(KEY, "test", AT, 60_000)).toBe(true);
    const lines = await readHistory(store);
    expect(lines).toHaveLength(1);
    const slack = allText(renderHistoryMessage(lines, "UTC"));
    expect(slack).toMatch(
      /:hourglass_flowing_sand: \*Nov 2026\* → <#C0REPORT01> · posting… \(since Dec 1, 2026, 09:00 UTC\)/,
    );
    expect(slack).not.toMatch(/No monthly summary has been posted yet/);
    expect(renderHistoryText(lines, "UTC")).toMatch(/^2026-11\s+C0REPORT01\s+.*in flight\s+posting…/m);
  });

  it("/gluu-stats history answers with it while the post is in flight", async () => {
    const h = await startHarness({
      env: { REPORT_CHANNEL: "C0REPORT01", STATE_DIR: await dir(), REPORT_CRON: "0 0 1 1 *" },
    });
    cleanups.push(() => h.close());
    await h.server.monthly?.scheduler?.settled();
    const store = h.server.state?.store;
    if (!store) throw new Error("no state store");
    const key = { channel: "C0REPORT01", month: monthKey({ year: 2001, month: 3 }) };
    expect(await store.claimDelivery(key, "another-replica", Date.now(), 60_000)).toBe(true);
    const sent = await h.command("history");
    const text = allText((await h.reply(sent.path)).body);
    expect(text).toMatch(/\*Mar 2001\* → <#C0REPORT01> · posting…/);
  });
});
