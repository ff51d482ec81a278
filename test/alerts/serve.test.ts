/** Licence alerts inside the running bot: a check at start, the history, the metrics. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { parseEnv, serverConfigs } from "../../src/config/index.js";
import { generateData, startEmulator } from "../../src/emulator/index.js";
import { monthKey } from "../../src/months.js";
import { STATE_FILE_NAME } from "../../src/state/file-store.js";
import { allText, CURRENT, DATA, type Harness, startHarness } from "../slack/harness.js";
import { NO_SINGLE_SERVER, serverEnv } from "../support/servers.js";

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
    expect(h.server.alerts?.schedule.last?.[0]).toMatchObject({ outcome: "checked", reached: [80] });
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
    expect(h.server.alerts?.schedule.last?.[0]).toMatchObject({ outcome: "checked", reached: [] });
    expect(alertPosts(h)).toHaveLength(0);
  });

  it("a bad ALERT_CRON stops start-up naming it", async () => {
    await expect(bot({ GLUU_MAU_LIMIT: "10", ALERT_CRON: "every hour" })).rejects.toThrow(/ALERT_CRON: /);
  });
});

describe("licence alerts with several servers", () => {
  it("checks each server with a limit against its own limit, posts once per server, under that server's keys", async () => {
    const stagingData = generateData({ months: 14, endMonth: CURRENT, seed: 21 });
    const stagingMau = stagingData.find((s) => monthKey(s.month) === monthKey(CURRENT))?.mau ?? 0;
    const staging = await startEmulator({ family: "janssen", data: stagingData });
    cleanups.push(() => staging.close());
    const dir = await mkdtemp(join(tmpdir(), "gluu-stats-alerts-servers-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const h = await startHarness({
      env: {
        STATE_DIR: dir,
        ALERT_CHANNEL: ALERTS,
        ...NO_SINGLE_SERVER,
        GLUU_SERVERS: "prod,staging,qa",
        ...serverEnv("prod"),
        // Prod is at half its limit; staging at 90 % of its own; qa has none and is not checked.
        GLUU_PROD_MAU_LIMIT: String(mau * 2),
        ...serverEnv("staging", staging.url, "Staging"),
        GLUU_STAGING_MAU_LIMIT: String(Math.ceil(stagingMau / 0.9)),
        GLUU_QA_URL: "http://127.0.0.1:9",
        GLUU_QA_CLIENT_ID: "qa",
        GLUU_QA_CLIENT_SECRET: "qa-secret",
      },
      envWith: (url) => ({ GLUU_PROD_URL: url }),
    });
    cleanups.push(() => h.close());
    await h.server.alerts?.schedule.settled();
    expect(h.server.alerts?.schedule.last).toMatchObject([
      { outcome: "checked", reached: [] },
      { outcome: "checked", reached: [80] },
    ]);
    const posts = alertPosts(h);
    expect(posts).toHaveLength(1);
    expect(allText(posts[0]?.body ?? {})).toContain("Staging");

    const file = JSON.parse(await readFile(join(dir, STATE_FILE_NAME), "utf8")) as {
      deliveries: Array<{ month: string }>;
    };
    expect(file.deliveries.map((d) => d.month)).toEqual([`staging:${monthKey(CURRENT)}:mau-80`]);

    const stagingHistory = await h.command("staging history", { user_id: "U0SOMEONE1" });
    expect(allText((await h.reply(stagingHistory.path)).body)).toMatch(/80 % licence alert → <#C0ALERTS01>/);
    const prodHistory = await h.command("history", { user_id: "U0SOMEONE1" });
    expect(allText((await h.reply(prodHistory.path)).body)).not.toMatch(/licence alert/);

    // A second check (a restart's, a replica's) posts nothing again.
    await h.server.alerts?.schedule.run();
    expect(alertPosts(h)).toHaveLength(1);
  });

  it("ALERT_CHANNEL with no server's limit stops start-up naming the variables", () => {
    expect(() =>
      serverConfigs(
        parseEnv({
          ALERT_CHANNEL: ALERTS,
          GLUU_SERVERS: "prod,staging",
          GLUU_PROD_URL: "https://a.example.com",
          GLUU_PROD_CLIENT_ID: "a",
          GLUU_PROD_CLIENT_SECRET: "a",
          GLUU_STAGING_URL: "https://b.example.com",
          GLUU_STAGING_CLIENT_ID: "b",
          GLUU_STAGING_CLIENT_SECRET: "b",
        }),
      ),
    ).toThrow(/ALERT_CHANNEL: .*GLUU_PROD_MAU_LIMIT, GLUU_STAGING_MAU_LIMIT/);
  });
});
