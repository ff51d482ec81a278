/**
 * Several Gluu servers behind one bot, end to end over loopback: a Gluu 4.x emulator as `prod`
 * (the harness's) and a Janssen emulator as `staging`, with different data. Each answer shows its
 * own server's figures and names it; buttons keep to it; a server's own access list hides it
 * (no figures, no hint, no request); one server delayed 10 s does not delay the other.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, generateData, startEmulator } from "../../src/emulator/index.js";
import { isoMonth, month as month_, monthKey, monthLabel } from "../../src/months.js";
import { formatCount } from "../../src/report/format.js";
import { ACTION_IDS, checkHomeLimits, type HomeTab } from "../../src/report/slack/index.js";
import { appHomeOpened, eventCallbackBody, sendSignedCommand } from "../../src/slack-double/index.js";
import { FileStateStore } from "../../src/state/file-store.js";
import { NO_SINGLE_SERVER, serverEnv } from "../support/servers.js";
import {
  ackMessage,
  ago,
  allText,
  buttonOf,
  CURRENT,
  type Harness,
  SIGNING_SECRET,
  startHarness,
  statsOf,
} from "./harness.js";

const STAGING_DATA = generateData({ months: 24, endMonth: CURRENT, seed: 99 });
const stagingMau = (m: ReturnType<typeof ago>) =>
  STAGING_DATA.find((s) => monthKey(s.month) === monthKey(m))?.mau ?? -1;
const ALICE = "U0ALICE01";
const BOB = "U0BOB0001";

let staging: Emulator;
let h: Harness;
let dir: string;

beforeAll(async () => {
  staging = await startEmulator({ family: "janssen", data: [...STAGING_DATA] });
  dir = await mkdtemp(join(tmpdir(), "gluu-stats-servers-"));
  h = await startHarness({
    family: "gluu4",
    emulator: { intervalLimitS: 0 },
    env: {
      ...NO_SINGLE_SERVER,
      GLUU_MIN_INTERVAL_S: undefined,
      GLUU_SERVERS: "prod,staging",
      ...serverEnv("prod", undefined, "Production"),
      ...serverEnv("staging", staging.url),
      GLUU_STAGING_MAU_LIMIT: "1000",
      // Staging is for Alice only.
      GLUU_STAGING_ALLOWED_USER_IDS: ALICE,
      REDIS_URL: undefined,
      STATE_DIR: dir,
      REPORT_CHANNEL: "C0REPORT01",
      REPORT_CRON: "0 9 1 * *",
    },
    envWith: (url) => ({ GLUU_PROD_URL: url }),
  });
  // Both servers' monthly summaries are caught up at start; the counts below start after them.
  await h.server.monthly?.scheduler?.settled();
});
afterAll(async () => {
  await h?.close();
  await staging?.close();
  await rm(dir, { recursive: true, force: true });
});

const month = ago(2);

/** The Home `open` makes Slack publish for `user`, once its figures are in (the first may say "Fetching…"). */
async function publishedHome(hh: Harness, user: string, open: () => Promise<unknown>): Promise<HomeTab> {
  const before = hh.double.calls.length;
  await open();
  for (let i = 0; i < 300; i++) {
    const mine = hh.double.calls
      .slice(before)
      .filter((c) => c.method === "views.publish" && c.body.user_id === user);
    const last = mine.at(-1)?.body.view as HomeTab | undefined;
    if (last && !allText({ blocks: last.blocks }).includes("Fetching")) return last;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no Home with figures was published for ${user}`);
}

describe("two servers in one bot", () => {
  it("without a name the default server answers, named in the reply", async () => {
    const before = staging.counters.stat;
    const sent = await h.command(isoMonth(month), { user_id: ALICE });
    const text = allText((await h.reply(sent.path)).body);
    expect(text).toContain(formatCount(statsOf(month).mau));
    expect(text).toContain("Production");
    expect(text).not.toContain(formatCount(stagingMau(month)));
    expect(staging.counters.stat).toBe(before);
  });

  it("`staging 2021-11` asks staging only, with its figures, its limit and its name; its buttons keep to it", async () => {
    const prodBefore = h.emulator.counters.stat;
    const sent = await h.command(`staging ${isoMonth(month)}`, { user_id: ALICE });
    const reply = await h.reply(sent.path);
    const text = allText(reply.body);
    expect(text).toContain(formatCount(stagingMau(month)));
    expect(text).toContain("staging");
    expect(text).toContain("of the licensed 1,000");
    expect(text).not.toContain(formatCount(statsOf(month).mau));
    expect(h.emulator.counters.stat).toBe(prodBefore);

    const prev = buttonOf(reply.body, "prev");
    expect(prev?.value).toBe(`staging ${isoMonth(ago(3))}`);
    const clicked = await h.click({ action_id: ACTION_IDS.prev, value: prev?.value ?? "", user: ALICE });
    const replaced = allText((await h.reply(clicked.path)).body);
    expect(replaced).toContain(monthLabel(ago(3)));
    expect(replaced).toContain(formatCount(stagingMau(ago(3))));
    expect(h.emulator.counters.stat).toBe(prodBefore);
  });

  it("help lists the servers this person may name", async () => {
    const alice = await h.command("help", { user_id: ALICE });
    expect(allText(ackMessage(alice.ack))).toContain("`staging`");
    const bob = await h.command("help", { user_id: BOB });
    const text = allText(ackMessage(bob.ack));
    expect(text).toContain("`prod` (Production) — the default");
    expect(text).not.toContain("staging");
  });

  it("a server someone may not see is an unknown name to them: usage, no figures, no request", async () => {
    const before = staging.counters.stat + staging.counters.token + staging.counters.discovery;
    const hidden = await h.command(`staging ${isoMonth(month)}`, { user_id: BOB });
    const unknown = await h.command(`qa ${isoMonth(month)}`, { user_id: BOB });
    const a = allText(ackMessage(hidden.ack));
    const b = allText(ackMessage(unknown.ack));
    expect(a.replaceAll("staging", "qa")).toBe(b);
    expect(a).not.toContain(formatCount(stagingMau(month)));
    expect(b).toContain("`prod`");
    // A button value naming it reads as altered.
    const clicked = await h.click({
      action_id: ACTION_IDS.prev,
      value: `staging ${isoMonth(month)}`,
      user: BOB,
    });
    expect(allText((await h.reply(clicked.path)).body)).toContain("out of date or was altered");
    expect(staging.counters.stat + staging.counters.token + staging.counters.discovery).toBe(before);
  });

  it("the App Home shows every server this person may see, each with its own figures; a hidden one is not asked", async () => {
    const homeOf = (user: string) =>
      publishedHome(h, user, async () => {
        const res = await sendSignedCommand(
          h.endpoint,
          SIGNING_SECRET,
          eventCallbackBody(appHomeOpened(user)),
        );
        expect(res.status).toBe(200);
      });
    const last = ago(1);
    const stagingBefore = staging.counters.stat + staging.counters.token + staging.counters.discovery;
    const bob = await homeOf(BOB);
    const bobText = allText({ blocks: bob.blocks });
    expect(bobText).toContain("Production");
    expect(bobText).toContain(formatCount(statsOf(last).mau));
    expect(bobText).not.toContain(staging.url.replace(/^https?:\/\//, ""));
    expect(staging.counters.stat + staging.counters.token + staging.counters.discovery).toBe(stagingBefore);

    const alice = await homeOf(ALICE);
    const aliceText = allText({ blocks: alice.blocks });
    expect(aliceText).toContain("Production");
    expect(aliceText).toContain(formatCount(statsOf(last).mau));
    expect(aliceText).toContain(formatCount(stagingMau(last)));
    expect(aliceText.indexOf("Production")).toBeLessThan(aliceText.indexOf(formatCount(stagingMau(last))));
    expect(checkHomeLimits(alice)).toEqual([]);
    // Slack draws both servers' 12 months in one chart, a line each, production first.
    const charts = alice.blocks.flatMap((b) => (b.type === "data_visualization" ? [b] : []));
    expect(charts).toHaveLength(1);
    const lines = charts[0]?.chart.series ?? [];
    expect(lines).toHaveLength(2);
    expect(lines[0]?.name).toBe("Production");
    expect(lines[0]?.data.map((p) => p.value)).toContain(statsOf(last).mau);
    expect(lines[1]?.data.map((p) => p.value)).toContain(stagingMau(last));
  });

  it("the Home's buttons keep to their server: Alice's staging trend as a DM; Bob's forged one asks nothing", async () => {
    const dms = (user: string) =>
      h.double.calls.filter((c) => c.method === "chat.postMessage" && c.body.channel === user);
    const waitFor = async (user: string, n: number) => {
      for (let i = 0; i < 300 && dms(user).length < n; i++) await new Promise((r) => setTimeout(r, 20));
      return dms(user);
    };
    const before = dms(ALICE).length;
    await h.click({ action_id: `${ACTION_IDS.homeMessage}:staging`, value: "staging trend", user: ALICE });
    const [dm] = (await waitFor(ALICE, before + 1)).slice(before);
    const text = allText({ text: String(dm?.body.text ?? ""), blocks: dm?.body.blocks });
    expect(text).toContain(formatCount(stagingMau(ago(1))));
    expect(text).not.toContain(formatCount(statsOf(ago(1)).mau));

    const asked = staging.counters.stat + staging.counters.token + staging.counters.discovery;
    const bobBefore = dms(BOB).length;
    await h.click({ action_id: `${ACTION_IDS.homeMessage}:staging`, value: "staging trend", user: BOB });
    await new Promise((r) => setTimeout(r, 300));
    const bobText = dms(BOB)
      .slice(bobBefore)
      .map((c) => allText({ text: String(c.body.text ?? ""), blocks: c.body.blocks }))
      .join("\n");
    expect(bobText).not.toContain(formatCount(stagingMau(ago(1))));
    expect(staging.counters.stat + staging.counters.token + staging.counters.discovery).toBe(asked);
  });

  it("each server keeps its own month's curve, from its own samples", async () => {
    const stage = await h.command("staging month-curve", { user_id: ALICE });
    const stageText = allText((await h.reply(stage.path)).body);
    expect(stageText).toContain(formatCount(stagingMau(CURRENT)));
    expect(stageText).not.toContain(formatCount(statsOf(CURRENT).mau));
    const prod = await h.command("month-curve", { user_id: ALICE });
    const prodText = allText((await h.reply(prod.path)).body);
    expect(prodText).toContain(formatCount(statsOf(CURRENT).mau));
    expect(prodText).not.toContain(formatCount(stagingMau(CURRENT)));
    const state = await FileStateStore.open(dir);
    try {
      expect((await state.samples.list(`staging:${monthKey(CURRENT)}`)).map((x) => x.mau)).toEqual([
        stagingMau(CURRENT),
      ]);
    } finally {
      await state.close();
    }
  });

  it("/metrics counts each server's requests and cache lookups under its own server label", async () => {
    const text = await (await fetch(`${h.base}/metrics`)).text();
    const stagingHost = new URL(staging.url).host;
    const prodHost = new URL(h.emulator.url).host;
    const upstream = (host: string) =>
      text
        .split("\n")
        .filter((l) => l.startsWith("gluu_stats_upstream_requests_total{") && l.includes(`server="${host}"`));
    expect(upstream(stagingHost).length).toBeGreaterThan(0);
    expect(upstream(prodHost).length).toBeGreaterThan(0);
    const misses = text
      .split("\n")
      .find((l) => l.startsWith(`gluu_stats_cache_misses_total{server="${stagingHost}"}`));
    expect(Number(misses?.split(" ").at(-1))).toBeGreaterThan(0);
  });

  it("the servers' figures are cached apart: the default under the old keys, staging under its own", async () => {
    const state = await FileStateStore.open(dir);
    try {
      const prod = await state.statCache.get(monthKey(month));
      const stage = await state.statCache.get(`staging:${monthKey(month)}`);
      expect(prod?.stats?.mau).toBe(statsOf(month).mau);
      expect(stage?.stats?.mau).toBe(stagingMau(month));
    } finally {
      await state.close();
    }
  });

  it("`all` compares the servers this person may see, one row each and the sum of separate servers", async () => {
    const alice = allText(
      (await h.reply((await h.command(`all ${isoMonth(month)}`, { user_id: ALICE })).path)).body,
    );
    expect(alice).toContain(`MAU by server: ${monthLabel(month)}`);
    expect(alice).toContain(`*Production*: ${formatCount(statsOf(month).mau)} MAU`);
    expect(alice).toContain(`*staging*: ${formatCount(stagingMau(month))} MAU`);
    expect(alice).toContain(
      `_Sum of 2 separate servers_: ${formatCount(statsOf(month).mau + stagingMau(month))} MAU`,
    );
    expect(alice).toContain("counted on both");

    const before = staging.counters.stat + staging.counters.token;
    const bob = allText(
      (await h.reply((await h.command(`all ${isoMonth(month)}`, { user_id: BOB })).path)).body,
    );
    expect(bob).toContain(`*Production*: ${formatCount(statsOf(month).mau)} MAU`);
    expect(bob).not.toMatch(/staging|Sum of/i);
    expect(staging.counters.stat + staging.counters.token).toBe(before);
  });

  it("`all` about a month neither server has cached costs one stat request per server; asked again, none", async () => {
    const uncached = month_(2017, 3);
    const counts = (): [number, number] => [h.emulator.counters.stat, staging.counters.stat];
    const [prod0, stage0] = counts();
    await h.reply((await h.command(`all ${isoMonth(uncached)}`, { user_id: ALICE })).path);
    const [prod1, stage1] = counts();
    expect([prod1 - prod0, stage1 - stage0]).toEqual([1, 1]);
    await h.reply((await h.command(`all ${isoMonth(uncached)}`, { user_id: ALICE })).path);
    expect(counts()).toEqual([prod1, stage1]);
  });

  it("`all` while one server is delayed 10 s: the other's row is answered, the delayed one is unavailable", async () => {
    const far = month_(2018, 5);
    staging.faults = { delayMs: 10_000 };
    try {
      const started = Date.now();
      const sent = await h.command(`all ${isoMonth(far)}`, { user_id: ALICE });
      const reply = await h.reply(sent.path, 9_000);
      const took = Date.now() - started;
      const text = allText(reply.body);
      // Outside both servers' data and caches: prod answers "no data", staging is asked and slow.
      expect(text).toContain("*Production*: no data for this month");
      expect(text).toMatch(/\*staging\*: _unavailable: still answering/);
      console.info(`\`all\` with staging delayed 10 s answered in ${took} ms`);
      expect(took).toBeLessThan(6_000);
      // Meanwhile the person saw that the servers are being asked.
      expect(allText(h.interim(sent.path)?.body ?? {})).toContain(
        `Asking every server for ${monthLabel(far)}`,
      );
    } finally {
      staging.faults = {};
    }
  });

  it("a server delayed 10 s does not delay an answer about the other", async () => {
    // Months outside both caches' neighbourhoods: each answer needs its own server.
    const far = month_(2019, 3);
    const other = month_(2019, 6);
    staging.faults = { delayMs: 10_000 };
    try {
      const prodBefore = h.emulator.counters.statOk;
      const slow = await h.command(`staging ${isoMonth(far)}`, { user_id: ALICE });
      const started = Date.now();
      const fast = await h.command(isoMonth(other), { user_id: ALICE });
      const reply = await h.reply(fast.path, 5_000);
      const took = Date.now() - started;
      expect(allText(reply.body)).toContain(monthLabel(other));
      expect(h.emulator.counters.statOk).toBe(prodBefore + 1);
      // For the closing note; the assertion is only that it did not wait for staging.
      console.info(`answer about prod while staging is delayed 10 s: ${took} ms`);
      expect(took).toBeLessThan(5_000);
      expect(h.postsAt(slow.path).some((p) => allText(p.body).includes(monthLabel(far)))).toBe(false);
    } finally {
      staging.faults = {};
    }
  });
});

describe("two servers in one bot, in Socket Mode", () => {
  let sh: Harness;
  let sdir: string;
  let sstaging: Emulator;
  beforeAll(async () => {
    sstaging = await startEmulator({ family: "janssen", data: [...STAGING_DATA] });
    sdir = await mkdtemp(join(tmpdir(), "gluu-stats-servers-socket-"));
    sh = await startHarness({
      socket: true,
      env: {
        ...NO_SINGLE_SERVER,
        GLUU_SERVERS: "prod,staging",
        ...serverEnv("prod", undefined, "Production"),
        ...serverEnv("staging", sstaging.url),
        GLUU_STAGING_ALLOWED_USER_IDS: ALICE,
        REDIS_URL: undefined,
        STATE_DIR: sdir,
      },
      envWith: (url) => ({ GLUU_PROD_URL: url }),
    });
  });
  afterAll(async () => {
    await sh?.close();
    await sstaging?.close();
    await rm(sdir, { recursive: true, force: true });
  });

  const homeOf = (user: string) =>
    publishedHome(sh, user, () => sh.double.socket.sendEvent(appHomeOpened(user)));

  it("a down server is shown as unavailable while the other's figures render", async () => {
    sstaging.faults = { status: 503 };
    try {
      const alice = await homeOf(ALICE);
      const text = allText({ blocks: alice.blocks });
      expect(text).toContain(formatCount(statsOf(ago(1)).mau));
      expect(text).toMatch(/:warning: The Gluu server .* (reported an internal error|cannot be reached)/);
      expect(text).not.toContain(formatCount(stagingMau(ago(1))));
      const lines = alice.blocks.flatMap((b) => (b.type === "data_visualization" ? b.chart.series : []));
      expect(lines.map((l) => l.name)).toEqual(["Production"]);
    } finally {
      sstaging.faults = {};
    }
  });

  it("publishes each person's servers from an events_api envelope, and the buttons keep to their server", async () => {
    const last = ago(1);
    const stagingBefore = sstaging.counters.stat + sstaging.counters.token + sstaging.counters.discovery;
    const bob = allText({ blocks: (await homeOf(BOB)).blocks });
    expect(bob).toContain(formatCount(statsOf(last).mau));
    expect(bob).not.toContain(formatCount(stagingMau(last)));
    expect(sstaging.counters.stat + sstaging.counters.token + sstaging.counters.discovery).toBe(
      stagingBefore,
    );

    const alice = await homeOf(ALICE);
    expect(checkHomeLimits(alice)).toEqual([]);
    const text = allText({ blocks: alice.blocks });
    expect(text.indexOf(formatCount(statsOf(last).mau))).toBeLessThan(
      text.indexOf(formatCount(stagingMau(last))),
    );
    const lines = alice.blocks.flatMap((b) => (b.type === "data_visualization" ? b.chart.series : []));
    expect(lines.map((l) => l.name)).toEqual(["Production", "staging"]);

    // Staging's own "Open as message", pressed over the socket: its trend in Alice's DM.
    const dms = () =>
      sh.double.calls.filter((c) => c.method === "chat.postMessage" && c.body.channel === ALICE);
    await sh.click({ action_id: `${ACTION_IDS.homeMessage}:staging`, value: "staging trend", user: ALICE });
    for (let i = 0; i < 300 && dms().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const dm = dms().at(-1);
    expect(allText({ text: String(dm?.body.text ?? ""), blocks: dm?.body.blocks })).toContain(
      formatCount(stagingMau(last)),
    );
  });
});
