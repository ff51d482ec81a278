/**
 * `--server` with GLUU_SERVERS: two emulators of both families with different data, each
 * answering only for itself, end to end through the CLI.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { type Emulator, generateData, startEmulator } from "../../src/emulator/index.js";
import { addMonths, isoMonth, type Month, monthAt, monthKey } from "../../src/months.js";
import { formatCount } from "../../src/report/format.js";
import { startSlackDouble } from "../../src/slack-double/index.js";
import { allText } from "../slack/harness.js";
import { serverEnv } from "../support/servers.js";

const lastMonth = addMonths(monthAt(Date.now()), -1);
const prodData = generateData({ months: 24, endMonth: monthAt(Date.now()), seed: 3 });
const stagingData = generateData({ months: 24, endMonth: monthAt(Date.now()), seed: 4 });
const mauIn = (data: typeof prodData, m: Month) => data.find((s) => monthKey(s.month) === monthKey(m))?.mau;

let prod: Emulator;
let staging: Emulator;
const saved = { ...process.env };

beforeAll(async () => {
  prod = await startEmulator({ family: "gluu4", data: prodData, intervalLimitS: 0 });
  staging = await startEmulator({ family: "janssen", data: stagingData });
  for (const key of Object.keys(process.env)) if (key.startsWith("GLUU_")) delete process.env[key];
  Object.assign(process.env, {
    GLUU_SERVERS: "prod,staging",
    ...serverEnv("prod", prod.url, "Production"),
    ...serverEnv("staging", staging.url),
    GLUU_STAGING_MAU_LIMIT: "1000",
    LOG_LEVEL: "silent",
  });
});
afterAll(async () => {
  process.env = saved;
  await prod.close();
  await staging.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe("gluu-stats --server", () => {
  it("without --server the first server answers, named as configured", async () => {
    const before = staging.counters.statOk;
    const { code, stdout } = await run(["report", isoMonth(lastMonth)]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Monthly active users: ${formatCount(mauIn(prodData, lastMonth) ?? -1)}`);
    expect(stdout).toContain("Production");
    expect(staging.counters.statOk).toBe(before);
  });

  it("--server staging asks only staging, with its own licensed limit", async () => {
    const before = prod.counters.statOk;
    const { code, stdout } = await run(["report", isoMonth(lastMonth), "--server", "staging"]);
    expect(code).toBe(0);
    const mau = mauIn(stagingData, lastMonth) ?? -1;
    expect(mau).not.toBe(mauIn(prodData, lastMonth));
    expect(stdout).toContain(`Monthly active users: ${formatCount(mau)}`);
    expect(stdout).toContain("of the licensed 1,000");
    expect(stdout).not.toContain(formatCount(mauIn(prodData, lastMonth) ?? -1));
    expect(prod.counters.statOk).toBe(before);
  });

  it("the export of each server carries its own signature", async () => {
    const a = await run(["export", "--format", "json", "--server", "prod"]);
    const b = await run(["export", "--format", "json", "-s", "staging"]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const sig = (s: string) => (JSON.parse(s) as Record<string, unknown>)["mau-signature"];
    expect(sig(a.stdout)).toBeTruthy();
    expect(sig(a.stdout)).not.toBe(sig(b.stdout));
  });

  it("an unknown server is refused with the known ones, before any request", async () => {
    const before = [prod.counters.statOk, staging.counters.statOk];
    const { code, stderr } = await run(["report", "--server", "qa"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--server: no server “qa”; the servers are prod, staging");
    expect([prod.counters.statOk, staging.counters.statOk]).toEqual(before);
  });
});

describe("gluu-stats report all", () => {
  it("prints every server's row and the sum of separate servers, as text and JSON", async () => {
    const prodMau = mauIn(prodData, lastMonth) ?? -1;
    const stagingMau = mauIn(stagingData, lastMonth) ?? -1;
    const text = await run(["report", "all", isoMonth(lastMonth)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`Production\\s+${formatCount(prodMau)}`));
    expect(text.stdout).toMatch(new RegExp(`staging\\s+${formatCount(stagingMau)}`));
    expect(text.stdout).toMatch(
      new RegExp(`Sum of 2 separate servers\\s+${formatCount(prodMau + stagingMau)}`),
    );
    expect(text.stdout).toContain("counted on both");

    const json = await run(["report", "all", "--format", "json"]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      month: string;
      servers: Array<{ server: string; mau: number; licensedPercent?: number }>;
      sumOfSeparateServers: { mau: number };
    };
    expect(parsed.month).toBe(isoMonth(lastMonth));
    expect(parsed.servers.map((s) => [s.server, s.mau])).toEqual([
      ["prod", prodMau],
      ["staging", stagingMau],
    ]);
    expect(parsed.servers[1]?.licensedPercent).toBeCloseTo((stagingMau / 1000) * 100);
    expect(parsed.sumOfSeparateServers.mau).toBe(prodMau + stagingMau);
  });

  it("shows a server that cannot be reached as unavailable and still answers for the other", async () => {
    staging.faults = { status: 503 };
    try {
      const { code, stdout } = await run(["report", "all", isoMonth(lastMonth)]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/staging\s+unavailable: internal server error/);
      expect(stdout).toMatch(new RegExp(`Production\\s+${formatCount(mauIn(prodData, lastMonth) ?? -1)}`));
      expect(stdout).not.toContain("Sum of");
    } finally {
      staging.faults = {};
    }
  });

  it("refuses --server with all", async () => {
    const { code, stderr } = await run(["report", "all", "--server", "prod"]);
    expect(code).toBe(2);
    expect(stderr).toContain("report all compares every server");
  });
});

describe("--server with post and history", () => {
  it("posts one server's summary to its own channel, and shows history for every server or one", async () => {
    const double = await startSlackDouble();
    const dir = await mkdtemp(join(tmpdir(), "gluu-stats-cli-servers-"));
    Object.assign(process.env, {
      SLACK_BOT_TOKEN: double.botToken,
      SLACK_API_URL: double.apiUrl,
      STATE_DIR: dir,
      REPORT_CHANNEL: "C0REPORT01",
      GLUU_STAGING_REPORT_CHANNEL: "C0STAGE001",
    });
    try {
      const posted = await run(["post", "--server", "staging"]);
      expect(posted.stderr).toBe("");
      expect(posted.code).toBe(0);
      expect(posted.stdout).toContain("summary of staging for #C0STAGE001");
      const posts = double.calls.filter((c) => c.method === "chat.postMessage" && c.error === undefined);
      expect(posts.map((c) => c.body.channel)).toEqual(["C0STAGE001"]);
      expect(allText(posts[0]?.body ?? {})).toContain(formatCount(mauIn(stagingData, lastMonth) ?? -1));

      const all = await run(["history"]);
      expect(all.code).toBe(0);
      expect(all.stdout.split("\n")[0]).toMatch(/^month\s+server\s+channel/);
      expect(all.stdout).toMatch(new RegExp(`${isoMonth(lastMonth)}\\s+staging\\s+C0STAGE001`));

      const prodOnly = await run(["history", "--server", "prod"]);
      expect(prodOnly.stdout).toBe("No monthly summary has been posted yet.\n");

      const unknown = await run(["post", "--server", "qa"]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("--server: no server “qa”; the servers are prod, staging");
    } finally {
      for (const key of [
        "SLACK_BOT_TOKEN",
        "SLACK_API_URL",
        "STATE_DIR",
        "REPORT_CHANNEL",
        "GLUU_STAGING_REPORT_CHANNEL",
      ])
        delete process.env[key];
      await double.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("is refused with the commands it does not go with", async () => {
    const { code, stderr } = await run(["demo", "--server", "prod"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--server goes with report, export, post and history, not with demo");
  });
});
