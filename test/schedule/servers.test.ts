/**
 * The monthly summary with several Gluu servers, in the running bot and the CLI: one summary per
 * server and month, to the server's own REPORT_CHANNEL (else the global one), each once across
 * restarts, with its own keys and history; one server failing never holds back another's; a
 * state file written by a single-server release belongs to the default server.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, generateData, startEmulator } from "../../src/emulator/index.js";
import { isoMonth, monthKey, monthLabel } from "../../src/months.js";
import { formatCount } from "../../src/report/format.js";
import { startSlackDouble } from "../../src/slack-double/index.js";
import { STATE_FILE_NAME } from "../../src/state/file-store.js";
import { ago, allText, CURRENT, type Harness, startHarness, statsOf } from "../slack/harness.js";
import { useRawRedis, useRedis } from "../support/redis.js";
import { NO_SINGLE_SERVER, serverEnv } from "../support/servers.js";

const REPORT = "C0REPORT01";
const STAGE_REPORT = "C0STAGE001";
const ADMIN = "U0ADMIN001";
const ALICE = "U0ALICE01";
const BOB = "U0BOB0001";
const STAGING_DATA = generateData({ months: 24, endMonth: CURRENT, seed: 99 });
const last = ago(1);
const stagingMau = formatCount(STAGING_DATA.find((s) => monthKey(s.month) === monthKey(last))?.mau ?? -1);
const prodMau = formatCount(statsOf(last).mau);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gluu-stats-servers-post-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function stagingServer(): Promise<Emulator> {
  const e = await startEmulator({ family: "janssen", data: [...STAGING_DATA] });
  cleanups.push(() => e.close());
  return e;
}

function serversEnv(staging: Emulator, dir: string, extra: Record<string, string> = {}) {
  return {
    ...NO_SINGLE_SERVER,
    GLUU_SERVERS: "prod,staging",
    ...serverEnv("prod", undefined, "Production"),
    ...serverEnv("staging", staging.url, "Staging"),
    GLUU_STAGING_REPORT_CHANNEL: STAGE_REPORT,
    GLUU_STAGING_ALLOWED_USER_IDS: `${ALICE},${ADMIN}`,
    REPORT_CHANNEL: REPORT,
    REPORT_CRON: "0 0 1 * *",
    STATE_DIR: dir,
    ADMIN_USER_IDS: ADMIN,
    ...extra,
  };
}

async function bot(staging: Emulator, dir: string, extra: Record<string, string> = {}): Promise<Harness> {
  const h = await startHarness({
    family: "gluu4",
    emulator: { intervalLimitS: 0 },
    env: serversEnv(staging, dir, extra),
    envWith: (url) => ({ GLUU_PROD_URL: url }),
  });
  cleanups.push(() => h.close());
  return h;
}

const postsTo = (h: Harness, channel: string) =>
  h.double.calls.filter(
    (c) => c.method === "chat.postMessage" && c.body.channel === channel && c.error === undefined,
  );

describe("the monthly summary, one per server", () => {
  it("posts each server's summary once, to its own channel with its own figures, and not again after a restart", async () => {
    const dir = await stateDir();
    const staging = await stagingServer();
    const first = await bot(staging, dir);
    await first.server.monthly?.scheduler?.settled();
    const prod = postsTo(first, REPORT);
    const stage = postsTo(first, STAGE_REPORT);
    expect(prod).toHaveLength(1);
    expect(stage).toHaveLength(1);
    const prodText = allText(prod[0]?.body ?? {});
    const stageText = allText(stage[0]?.body ?? {});
    expect(prodText).toContain(prodMau);
    expect(prodText).toContain("Production");
    expect(prodText).not.toContain(stagingMau);
    expect(stageText).toContain(stagingMau);
    expect(stageText).toContain("Staging");
    expect(stageText).not.toContain(prodMau);
    await first.close();

    const second = await bot(staging, dir);
    await second.server.monthly?.scheduler?.settled();
    expect(postsTo(second, REPORT)).toHaveLength(0);
    expect(postsTo(second, STAGE_REPORT)).toHaveLength(0);

    // The default keeps the single-server keys; staging's carry its name.
    const file = JSON.parse(await readFile(join(dir, STATE_FILE_NAME), "utf8")) as {
      deliveries: Array<{ channel: string; month: string; state: { status: string } }>;
    };
    const keys = file.deliveries.map((d) => `${d.channel} ${d.month} ${d.state.status}`).sort();
    const k = monthKey(last);
    expect(keys).toEqual(
      [
        `${REPORT} ${k} posted`,
        `${REPORT} ${k}:file-chart posted`,
        `${REPORT} ${k}:file-csv posted`,
        `${STAGE_REPORT} staging:${k} posted`,
        `${STAGE_REPORT} staging:${k}:file-chart posted`,
        `${STAGE_REPORT} staging:${k}:file-csv posted`,
      ].sort(),
    );
  });

  it("history is each server's own and names it; a server someone may not see has none for them", async () => {
    const dir = await stateDir();
    const staging = await stagingServer();
    const h = await bot(staging, dir);
    await h.server.monthly?.scheduler?.settled();

    const prod = allText((await h.reply((await h.command("history", { user_id: BOB })).path)).body);
    expect(prod).toContain(`<#${REPORT}>`);
    expect(prod).toContain("Production");
    expect(prod).not.toContain(STAGE_REPORT);

    const stage = allText(
      (await h.reply((await h.command("staging history", { user_id: ALICE })).path)).body,
    );
    expect(stage).toContain(`<#${STAGE_REPORT}>`);
    expect(stage).toContain("Staging");
    expect(stage).not.toContain(`<#${REPORT}>`);

    const hidden = await h.command("staging history", { user_id: BOB });
    expect(allText((await h.reply(hidden.path)).body)).not.toContain(STAGE_REPORT);
  });

  it("a server that cannot be read fails its own summary only: the other is posted, the admins are told", async () => {
    const dir = await stateDir();
    const staging = await stagingServer();
    staging.faults = { status: 503 };
    const h = await bot(staging, dir, { REPORT_RETRY_HOURS: "0" });
    await h.server.monthly?.scheduler?.settled();
    expect(postsTo(h, REPORT)).toHaveLength(1);
    expect(postsTo(h, STAGE_REPORT)).toHaveLength(0);
    const stage = allText(
      (await h.reply((await h.command("staging history", { user_id: ALICE })).path)).body,
    );
    expect(stage).toContain(":x:");
    expect(stage).toContain(`<#${STAGE_REPORT}>`);
    expect((await h.double.waitForCalls("conversations.open", 1))[0]?.body.users).toBe(ADMIN);
    const dm = h.double.calls.filter(
      (c) =>
        c.method === "chat.postMessage" && String(c.body.channel).startsWith("D") && c.error === undefined,
    );
    expect(dm.map((c) => allText(c.body)).join("\n")).toContain("Staging");

    // Once it answers again, an admin's `staging post` posts it; prod's is not posted twice.
    staging.faults = {};
    const posted = await h.command(`staging post ${isoMonth(last)}`, { user_id: ADMIN });
    expect(allText((await h.reply(posted.path, 10_000)).body)).toContain(`${monthLabel(last)} summary`);
    expect(postsTo(h, STAGE_REPORT)).toHaveLength(1);
    expect(postsTo(h, REPORT)).toHaveLength(1);
  });

  it("reads a state file from a single-server release as the default server's", async () => {
    const dir = await stateDir();
    const staging = await stagingServer();
    const at = Date.now() - 3_600_000;
    await writeFile(
      join(dir, STATE_FILE_NAME),
      JSON.stringify({
        version: 1,
        statCache: {},
        deliveries: [
          {
            channel: REPORT,
            month: monthKey(last),
            state: { status: "posted", at, ts: `${Math.floor(at / 1000)}.000100` },
          },
        ],
        history: [
          {
            id: "h1",
            month: monthKey(last),
            channel: REPORT,
            at,
            trigger: "scheduled",
            outcome: "posted",
          },
        ],
      }),
    );
    const h = await bot(staging, dir);
    await h.server.monthly?.scheduler?.settled();
    // Prod's summary was posted by the old release: not again. Staging's is new.
    expect(postsTo(h, REPORT)).toHaveLength(0);
    expect(postsTo(h, STAGE_REPORT)).toHaveLength(1);
    const prod = allText((await h.reply((await h.command("history", { user_id: BOB })).path)).body);
    expect(prod).toContain("scheduled");
  });
});

describe("the monthly summary per server on Redis", () => {
  const redis = useRedis();
  const raw = useRawRedis(redis);

  it("two replicas starting together post each server's summary once", async () => {
    const staging = await stagingServer();
    const double = await startSlackDouble();
    cleanups.push(() => double.close());
    const replica = async () => {
      const h = await startHarness({
        family: "gluu4",
        emulator: { intervalLimitS: 0 },
        env: { ...serversEnv(staging, "unused"), STATE_DIR: undefined, REDIS_URL: redis().url },
        envWith: (url) => ({ GLUU_PROD_URL: url }),
        double,
      });
      cleanups.push(() => h.close());
      return h;
    };
    const [a, b] = await Promise.all([replica(), replica()]);
    await Promise.all([a.server.monthly?.scheduler?.settled(), b.server.monthly?.scheduler?.settled()]);
    // The double is shared: both replicas' posts land in the same channels.
    expect(postsTo(a, REPORT)).toHaveLength(1);
    expect(postsTo(a, STAGE_REPORT)).toHaveLength(1);
    expect(allText(postsTo(a, STAGE_REPORT)[0]?.body ?? {})).toContain(stagingMau);
    const keys = await raw().hkeys("gluu-stats:deliveries");
    expect(keys.filter((k) => !k.includes("file-")).sort()).toEqual(
      [
        JSON.stringify([REPORT, monthKey(last)]),
        JSON.stringify([STAGE_REPORT, `staging:${monthKey(last)}`]),
      ].sort(),
    );
  });
});
