/**
 * GET /metrics end to end: counts equal to a known workload, the MAU of the cached months, a
 * scrape that never asks the Gluu server, and who may read it (and /readyz).
 */

import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { addMonths, isoMonth } from "../../src/months.js";
import { ACTION_IDS } from "../../src/report/slack/index.js";
import { DOUBLE_DEFAULTS } from "../../src/slack-double/index.js";
import { ago, CURRENT, type Harness, startHarness, statsOf } from "../slack/harness.js";
import { find, samples, value } from "./exposition.js";

let h: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const ADMIN = "U0ADMIN001";
const STRANGER = "U0STRANGER";

async function scrape(base: string, headers: Record<string, string> = {}) {
  const res = await request(`${base}/metrics`, { headers });
  return { status: res.statusCode, type: String(res.headers["content-type"]), text: await res.body.text() };
}

describe("/metrics after a known workload", () => {
  it("counts what was sent: commands, replies, requests, cache, monthly posts; MAU of the cached months", async () => {
    dir = await mkdtemp(join(tmpdir(), "gluu-stats-metrics-"));
    const bot = await startHarness({
      env: {
        ALLOWED_USER_IDS: `${DOUBLE_DEFAULTS.userId},${ADMIN}`,
        ADMIN_USER_IDS: ADMIN,
        REPORT_CHANNEL: "C0REPORT01",
        REPORT_CRON: "0 0 1 1 *",
        STATE_DIR: dir,
      },
    });
    h = bot;
    const host = new URL(bot.emulator.url).host;
    const started = Date.now();

    const first = await bot.command(isoMonth(ago(2))); // needs the server: response_url
    await bot.reply(first.path);
    const cached = await bot.command(isoMonth(ago(3))); // from the cache: in the ack
    expect(cached.ack.body).not.toBe("");
    await bot.command("help");
    await bot.command("banana bread");
    await bot.command("last", { user_id: STRANGER });
    const click = await bot.click({ action_id: ACTION_IDS.prev, value: isoMonth(ago(4)) });
    await bot.reply(click.path);
    const post = await bot.command(`post ${isoMonth(ago(1))}`, { user_id: ADMIN });
    await bot.reply(post.path, 8_000);

    const { status, type, text } = await scrape(bot.base);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const c = (labels: Record<string, string>) => value(text, "gluu_stats_commands_total", labels);
    expect(c({ kind: "month", source: "command", outcome: "answered" })).toBe(2);
    expect(c({ kind: "month", source: "button", outcome: "answered" })).toBe(1);
    expect(c({ kind: "help", source: "command", outcome: "answered" })).toBe(1);
    expect(c({ kind: "post", source: "command", outcome: "answered" })).toBe(1);
    expect(c({ kind: "unknown", source: "command", outcome: "usage" })).toBe(1);
    expect(c({ kind: "unknown", source: "command", outcome: "refused" })).toBe(1);
    expect(find(text, "gluu_stats_commands_total").reduce((s, x) => s + x.value, 0)).toBe(7);
    // Every sample carries the server it is about.
    for (const s of samples(text).filter((x) => x.name.startsWith("gluu_stats_")))
      expect(s.labels.server).toBe(host);

    const r = (outcome: string) => value(text, "gluu_stats_replies_total", { outcome });
    expect(r("in_ack")).toBe(4); // the cached month, help, the usage error, the refusal
    expect(r("response_url")).toBe(3); // the first month, the button, the post
    expect(r("interim")).toBe(0);
    expect(r("failed")).toBe(0);

    const u = (endpoint: string, code: string) =>
      value(text, "gluu_stats_upstream_requests_total", { endpoint, code });
    expect(u("discovery", "200")).toBe(1);
    expect(u("token", "200")).toBe(1);
    expect(u("stat", "200")).toBe(bot.emulator.counters.statOk);
    expect(find(text, "gluu_stats_upstream_requests_total").reduce((s, x) => s + x.value, 0)).toBe(
      bot.emulator.requests.length,
    );

    expect(value(text, "gluu_stats_cache_misses_total")).toBeGreaterThanOrEqual(2);
    expect(value(text, "gluu_stats_cache_hits_total")).toBeGreaterThanOrEqual(4);
    expect(value(text, "gluu_stats_rate_limit_waits_total")).toBe(0);
    expect(value(text, "gluu_stats_monthly_posts_total", { outcome: "posted" })).toBe(1);

    const mau = find(text, "gluu_stats_monthly_active_users");
    expect(mau).toHaveLength(13);
    for (let i = 0; i < 13; i++) {
      const m = addMonths(CURRENT, -i);
      expect(value(text, "gluu_stats_monthly_active_users", { month: isoMonth(m) })).toBe(statsOf(m).mau);
    }
    const last = value(text, "gluu_stats_last_successful_fetch_timestamp_seconds");
    expect(last * 1000).toBeGreaterThanOrEqual(started - 1000);
    expect(last * 1000).toBeLessThanOrEqual(Date.now());
    // Node's own process metrics come along.
    expect(find(text, "process_resident_memory_bytes")).toHaveLength(1);
    // For the README and the closing note: how long the exposition is after this workload.
    console.log(
      `/metrics after the test workload: ${text.trimEnd().split("\n").length} lines, ${text.length} bytes`,
    );
  });

  it("passes `promtool check metrics`, but for prom-client's three gauges named *_total (README: Metrics)", async () => {
    const bot = await startHarness();
    h = bot;
    const sent = await bot.command(isoMonth(ago(2)));
    await bot.reply(sent.path);
    await bot.command("help");
    const { text } = await scrape(bot.base);
    const child = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", resolve);
      child.stdin.end(text);
    });
    const problems = out.split("\n").filter((l) => l.trim() !== "");
    expect(problems.sort()).toEqual(
      ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"].map(
        (name) => `${name} non-counter metrics should not have "_total" suffix`,
      ),
    );
    // 3: lint findings only; 1 would be a format error.
    expect(code).toBe(3);
  });

  it("1,000 scrapes cause no request to the Gluu server", async () => {
    const bot = await startHarness();
    h = bot;
    const sent = await bot.command("trend");
    await bot.reply(sent.path);
    const before = bot.emulator.requests.length;
    for (let i = 0; i < 1000; i++) expect((await scrape(bot.base)).status).toBe(200);
    expect(bot.emulator.requests).toHaveLength(before);
  });

  it("in Socket Mode, on PORT too", async () => {
    const bot = await startHarness({ socket: true });
    h = bot;
    await bot.double.socket.connected();
    const sent = await bot.command("help");
    expect(sent.ack.status).toBe(200);
    const { status, text } = await scrape(bot.base);
    expect(status).toBe(200);
    expect(
      value(text, "gluu_stats_commands_total", { kind: "help", source: "command", outcome: "answered" }),
    ).toBe(1);
  });
});

/** This machine's first address that is not loopback: a peer /metrics must refuse. */
function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (!a.internal && a.family === "IPv4") return a.address;
  return undefined;
}

const outside = outsideAddress();

// Needs an address that is not loopback to connect from; the rules themselves are covered with
// plain inputs in probe-access.test.ts whatever the machine has.
describe.runIf(outside !== undefined)(`who may read /metrics and /readyz (from ${outside})`, () => {
  const TOKEN = "metrics-token-0123456789";
  const at = (bot: Harness, path: string, headers: Record<string, string> = {}) =>
    request(`http://${outside}:${new URL(bot.base).port}${path}`, { headers }).then(async (res) => ({
      status: res.statusCode,
      body: await res.body.text(),
    }));

  it("refuses a peer that is not loopback, without METRICS_ALLOW or the token; /healthz stays open", async () => {
    const bot = await startHarness({ host: "0.0.0.0", env: { METRICS_TOKEN: TOKEN } });
    h = bot;
    expect((await at(bot, "/metrics")).status).toBe(403);
    expect((await at(bot, "/readyz")).status).toBe(403);
    expect((await at(bot, "/metrics", { authorization: "Bearer wrong-token-0123456789" })).status).toBe(403);
    expect(JSON.parse((await at(bot, "/readyz")).body)).toEqual({
      error: "forbidden: allow this address in METRICS_ALLOW or send METRICS_TOKEN",
    });
    expect((await at(bot, "/healthz")).status).toBe(200);
    // The token opens both; loopback needs none.
    expect((await at(bot, "/metrics", { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await at(bot, "/readyz", { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await scrape(bot.base)).status).toBe(200);
    // The token never reaches the log.
    expect(bot.logs.grep(TOKEN)).toEqual([]);
  });

  it("lets in the networks of METRICS_ALLOW", async () => {
    const bot = await startHarness({ host: "0.0.0.0", env: { METRICS_ALLOW: `${outside}/32` } });
    h = bot;
    expect((await at(bot, "/metrics")).status).toBe(200);
    expect((await at(bot, "/readyz")).status).toBe(200);
  });
});
