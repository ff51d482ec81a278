/**
 * The state store (Redis) going away while the bot runs: figures keep answering (from memory
 * and the server), history and post say plainly that the store is not answering, the outage is
 * logged once and the admins told once; a monthly summary due while Redis is down is posted
 * after it comes back (empty). Before: every reply "Something went wrong", and the summary
 * lost until a restart. Nothing may escape to the top level meanwhile.
 */
import { afterEach, describe, expect, it } from "vitest";
import { isoMonth } from "../../src/months.js";
import { ago, allText, getJson, type Harness, startHarness, until } from "../slack/harness.js";
import { startRedis, startRedisOn, type TestRedis } from "../support/redis.js";
import { failOnUnhandled } from "../support/unhandled.js";

failOnUnhandled();

const REPORT = "C0REPORT01";
const ADMIN = "U0ADMIN001";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function redis(): Promise<TestRedis> {
  const r = await startRedis();
  cleanups.push(() => r.stop());
  return r;
}

const summaries = (h: Harness) =>
  h.double.calls.filter(
    (c) => c.method === "chat.postMessage" && c.body.channel === REPORT && c.error === undefined,
  );

describe("Redis stops while the bot runs", () => {
  it("figures still answer; history and post say the store is not answering; one log line, one DM", async () => {
    const r = await redis();
    const h = await startHarness({
      env: { REDIS_URL: r.url, REPORT_CHANNEL: REPORT, REPORT_CRON: "0 0 1 1 *", ADMIN_USER_IDS: ADMIN },
    });
    cleanups.push(() => h.close());
    await h.server.monthly?.scheduler?.settled();
    const cached = await h.command(isoMonth(ago(2)));
    await h.reply(cached.path);

    await r.stop();
    for (const text of [isoMonth(ago(2)), isoMonth(ago(9)), "trend"]) {
      const sent = await h.command(text);
      const body = (await h.reply(sent.path, 15_000)).body;
      expect(allText(body), text).not.toMatch(/Something went wrong/);
      expect(allText(body), text).toMatch(/monthly active users|MAU/);
    }
    const history = await h.command("history");
    expect(allText((await h.reply(history.path, 15_000)).body)).toMatch(
      new RegExp(`The state store \\(Redis at 127\\.0\\.0\\.1:${r.port}\\) is not answering right now`),
    );
    const post = await h.command(`post ${isoMonth(ago(3))}`, { user_id: ADMIN });
    expect(allText((await h.reply(post.path, 15_000)).body)).toMatch(
      /is not answering right now, so the .* summary was not posted/,
    );
    expect(h.logs.grep("state store unavailable")).toHaveLength(1);
    expect(h.server.storeHealth?.state.ok).toBe(false);
    const ready = await getJson(`${h.base}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      ready: false,
      reason: expect.stringMatching(/state store \(Redis at .*\) is not answering/),
    });
    const health = await getJson(`${h.base}/healthz`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ state: { ok: false, where: `Redis at 127.0.0.1:${r.port}` } });
    const dms = await until(
      () => {
        const d = h.double.calls.filter(
          (c) => c.method === "chat.postMessage" && String(c.body.text).includes("state store"),
        );
        return d.length > 0 ? d : undefined;
      },
      5000,
      "a DM to the admin",
    );
    expect(dms).toHaveLength(1);
    expect(JSON.stringify(h.logs.lines)).not.toContain(h.double.botToken);
  }, 60_000);

  it("a summary due while Redis is down is posted once it is back, empty; the skipped fire is logged", async () => {
    const r = await redis();
    // A fire 3 s from now, today (UTC): not due at start, so nothing is caught up then.
    const at = new Date(Date.now() + 3000);
    const cron = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} ${at.getUTCDate()} * *`;
    const h = await startHarness({
      env: { REDIS_URL: r.url, REPORT_CHANNEL: REPORT, REPORT_CRON: cron, REPORT_TZ: "UTC" },
      recheckEveryMs: 500,
    });
    cleanups.push(() => h.close());
    await h.server.monthly?.scheduler?.settled();
    expect(summaries(h)).toHaveLength(0);

    await r.stop();
    await until(
      () => h.logs.grep("scheduled monthly summary skipped")[0],
      10_000,
      "the skipped fire's log line",
    );
    expect(summaries(h)).toHaveLength(0);

    const back = await startRedisOn(r.port);
    cleanups.push(() => back.stop());
    const returned = Date.now();
    await until(() => (summaries(h).length > 0 ? true : undefined), 20_000, "the missed summary");
    expect(Date.now() - returned).toBeLessThan(5 * 60_000);
    await new Promise((res) => setTimeout(res, 1500));
    expect(summaries(h)).toHaveLength(1);
    expect(h.logs.grep("state store available again").length).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
