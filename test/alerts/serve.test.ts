/** Licence alerts inside the running bot: a check at start, the history, the metrics. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { monthKey } from "../../src/months.js";
import { allText, CURRENT, DATA, type Harness, startHarness } from "../slack/harness.js";

const ALERTS = "C0ALERTS01";
const mau = DATA.find((s) => monthKey(s.month) === monthKey(CURRENT))?.mau ?? 0;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bot(env: Record<string, string>): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "gluu-stats-alerts-serve-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const h = await startHarness({ env: { STATE_DIR: dir, ALERT_CHANNEL: ALERTS, ...env } });
  cleanups.push(() => h.close());
  return h;
}

const alertPosts = (h: Harness) =>
  h.double.calls.filter(
    (c) => c.method === "chat.postMessage" && c.body.channel === ALERTS && c.error === undefined,
  );

describe("licence alerts in the bot", () => {
  it("checks at start, posts what the month has reached, lists it in history and counts it", async () => {
    // A limit the month in progress is at 90 % of.
    const h = await bot({ GLUU_MAU_LIMIT: String(Math.ceil(mau / 0.9)) });
    await h.server.alerts?.schedule.settled();
    expect(h.server.alerts?.schedule.last).toMatchObject({ outcome: "checked", reached: [80] });
    expect(alertPosts(h)).toHaveLength(1);
    expect(h.server.alerts?.schedule.nextRun()?.getUTCMinutes()).toBe(17);

    const sent = await h.command("history", { user_id: "U0SOMEONE1" });
    expect(allText((await h.reply(sent.path)).body)).toMatch(/80 % licence alert → <#C0ALERTS01>/);

    const res = await request(`${h.base}/metrics`);
    const text = await res.body.text();
    expect(text).toMatch(/gluu_stats_license_alerts_total\{server="[^"]+",outcome="posted"\} 1/);
    expect(text).toMatch(/gluu_stats_license_checks_total\{server="[^"]+",outcome="checked"\} 1/);
  });

  it("a month below every threshold posts nothing", async () => {
    const h = await bot({ GLUU_MAU_LIMIT: String(mau * 2) });
    await h.server.alerts?.schedule.settled();
    expect(h.server.alerts?.schedule.last).toMatchObject({ outcome: "checked", reached: [] });
    expect(alertPosts(h)).toHaveLength(0);
  });

  it("a bad ALERT_CRON stops start-up naming it", async () => {
    await expect(bot({ GLUU_MAU_LIMIT: "10", ALERT_CRON: "every hour" })).rejects.toThrow(/ALERT_CRON: /);
  });
});
