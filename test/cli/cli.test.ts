import { createHash } from "node:crypto";
/** The CLI's commands end to end against the emulator, output captured from stdout. */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { runDemo } from "../../src/cli/demo.js";
import { main } from "../../src/cli/main.js";
import { DEFAULT_CLIENT, type Emulator, generateData, startEmulator } from "../../src/emulator/index.js";
import { addMonths, isoMonth, monthAt, monthKey, monthRange } from "../../src/months.js";
import { formatCount } from "../../src/report/format.js";
import { mauSignature } from "../../src/report/summary.js";

let emulator: Emulator;
const data = generateData({ months: 24, endMonth: monthAt(Date.now()), seed: 7 });
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await startEmulator({ family: "janssen", data });
  Object.assign(process.env, {
    GLUU_URL: emulator.url,
    GLUU_CLIENT_ID: DEFAULT_CLIENT.id,
    GLUU_CLIENT_SECRET: DEFAULT_CLIENT.secret,
    LOG_LEVEL: "silent",
  });
});
afterAll(async () => {
  process.env = saved;
  await emulator.close();
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

const lastMonth = addMonths(monthAt(Date.now()), -1);
const dataFor = (m: ReturnType<typeof monthAt>) => data.find((s) => monthKey(s.month) === monthKey(m));

describe("gluu-stats report", () => {
  it("prints a month with thousands separators", async () => {
    const { code, stdout } = await run(["report", isoMonth(lastMonth)]);
    expect(code).toBe(0);
    const stats = dataFor(lastMonth);
    expect(stats).toBeDefined();
    expect(stdout).toContain(`Monthly active users: ${formatCount(stats?.mau ?? -1)}`);
  });

  it("prints a 12-month trend as an aligned table", async () => {
    const { code, stdout } = await run(["report", "trend"]);
    expect(code).toBe(0);
    for (const m of monthRange(addMonths(lastMonth, -11), lastMonth)) {
      expect(stdout).toContain(formatCount(dataFor(m)?.mau ?? -1));
    }
  });

  it("writes CSV and JSON with the same numbers", async () => {
    const csv = await run(["report", isoMonth(lastMonth), "--format", "csv"]);
    expect(csv.stdout.split("\r\n")[0]).toMatch(/^month,status,mau/);
    expect(csv.stdout).toContain(`${isoMonth(lastMonth)},`);
    expect(csv.stdout).toContain(String(dataFor(lastMonth)?.mau));
    const json = await run(["report", isoMonth(lastMonth), "--format", "json"]);
    const parsed = JSON.parse(json.stdout) as { months: Array<{ month: string; mau: number }> };
    expect(parsed.months[0]).toMatchObject({ month: isoMonth(lastMonth), mau: dataFor(lastMonth)?.mau });
  });

  it("writes OpenMetrics the server's way", async () => {
    const { stdout } = await run(["report", isoMonth(lastMonth), "--format", "openmetrics"]);
    expect(stdout).toContain(
      `monthly_active_users{month="${monthKey(lastMonth)}",} ${dataFor(lastMonth)?.mau}.0`,
    );
  });

  it("explains a bad month and exits 2 without asking the server", async () => {
    const before = emulator.counters.stat;
    const { code, stderr } = await run(["report", "2099-01"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/in the future/);
    expect(emulator.counters.stat).toBe(before);
  });

  it("refuses an unknown format", async () => {
    const { code, stderr } = await run(["report", "--format", "xml"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--format must be one of/);
  });
});

describe("gluu-stats export", () => {
  it("prints the last 12 complete months and the exporter's mau-signature", async () => {
    const { code, stdout } = await run(["export"]);
    expect(code).toBe(0);
    const months = monthRange(addMonths(lastMonth, -11), lastMonth);
    const maus = months.flatMap((m) => {
      const s = dataFor(m);
      return s ? [s.mau] : [];
    });
    // Independent of the code under test: sha256 of the decimal string of 42 + sum.
    const expected = createHash("sha256")
      .update(String(42 + maus.reduce((a, b) => a + b, 0)))
      .digest("hex");
    expect(mauSignature(maus)).toBe(expected);
    expect(stdout).toContain(`mau-signature: ${expected}`);
  });

  it("writes the billing export as CSV with --format csv: a row per month, then the signature", async () => {
    const { code, stdout } = await run(["export", "--format", "csv"]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\r\n");
    expect(lines[0]).toBe("month,mau");
    const months = monthRange(addMonths(lastMonth, -11), lastMonth);
    months.forEach((m, i) => {
      expect(lines[i + 1]).toBe(`${isoMonth(m)},${dataFor(m)?.mau ?? ""}`);
    });
    expect(lines.at(-1)).toMatch(/^mau-signature,[0-9a-f]{64}$/);
    expect(lines.slice(-3, -1).map((l) => l.split(",")[0])).toEqual(["average", "maximum"]);
  });
});

describe("gluu-stats demo", () => {
  it("runs the pipeline and the Slack app with one token and one stat request", async () => {
    let out = "";
    const code = await runDemo((s) => {
      out += `${s}\n`;
    });
    expect(code).toBe(0);
    expect(out).toMatch(/Monthly active users: [\d,]+ so far/);
    expect(out).toMatch(/mau-signature: [0-9a-f]{64}/);
    // Every month was fetched up front, so both answers ride in the ack.
    expect(out).toMatch(
      /\/gluu-stats last +\(acknowledged in [\d.]+ ms with HTTP 200; the answer came in the acknowledgement/,
    );
    expect(out).toMatch(
      /\/gluu-stats trend +\(acknowledged in [\d.]+ ms with HTTP 200; the answer came in the acknowledgement/,
    );
    expect(out).toContain("https://app.slack.com/block-kit-builder#");
    // The Home tab, from the same cache: still one stat request.
    expect(out).toMatch(
      /The Home tab, when U0DEMOUSER opens it \(app_home_opened acknowledged with HTTP 200; views\.publish\):\n+━━ Gluu statistics ━━/,
    );
    // Two servers on the demo's Home: each has its own "Open as message", one Refresh for the tab.
    expect(out.match(/\[ Open as message \]/g)).toHaveLength(2);
    expect(out.match(/\[ Refresh \]/g)).toHaveLength(1);
    // Two servers, each asked once: the command line, Slack, `all` and the Home share the requests.
    expect(out).toMatch(
      /\$ gluu-stats report all\nMAU by server: .*\n\nserver +MAU +change +tokens\nProduction +[\d,]+/,
    );
    expect(out).toMatch(/Sum of 2 separate servers +[\d,]+/);
    expect(out).toMatch(/\/gluu-stats staging last +\(acknowledged in [\d.]+ ms with HTTP 200/);
    expect(out).toMatch(
      /\/gluu-stats all +\(acknowledged in [\d.]+ ms with HTTP 200; the answer came in the acknowledgement/,
    );
    expect(out).toContain(
      "Requests the emulators answered: prod 1 discovery, 1 token, 1 stat; staging 1 discovery, 1 token, 1 stat.",
    );
  });
});
