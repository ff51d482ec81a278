/** `gluu-stats report … --chart FILE` end to end against the emulator. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LINE_COLOUR } from "../../src/chart/model.js";
import { main } from "../../src/cli/main.js";
import { DEFAULT_CLIENT, type Emulator, generateData, startEmulator } from "../../src/emulator/index.js";
import { addMonths, isoMonth, monthAt, monthRange, shortMonthLabel } from "../../src/months.js";

let emulator: Emulator;
let dir: string;
const data = generateData({ months: 24, endMonth: monthAt(Date.now()), seed: 11 });
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await startEmulator({ family: "janssen", data });
  dir = mkdtempSync(join(tmpdir(), "gluu-stats-chart-"));
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
  rmSync(dir, { recursive: true, force: true });
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
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

const lastMonth = addMonths(monthAt(Date.now()), -1);

describe("gluu-stats report --chart", () => {
  it("writes the 12-month trend as a PNG and still prints the report", async () => {
    const file = join(dir, "trend.png");
    const { code, stdout, stderr } = await run(["report", "trend", "--chart", file]);
    expect(code).toBe(0);
    expect(stdout).toContain(shortMonthLabel(lastMonth));
    expect(stderr).toContain(`chart written to ${file}`);
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height]).toEqual([1200, 600]);
    const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(LINE_COLOUR.slice(i, i + 2), 16));
    let line = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      if (png.data[i] === r && png.data[i + 1] === g && png.data[i + 2] === b) line++;
    }
    expect(line).toBeGreaterThan(1000);
  });

  it("writes an SVG for a range, with its months on the axis", async () => {
    const file = join(dir, "range.SVG");
    const from = addMonths(lastMonth, -5);
    const { code } = await run(["report", `${isoMonth(from)}..${isoMonth(lastMonth)}`, "--chart", file]);
    expect(code).toBe(0);
    const svg = readFileSync(file, "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    for (const m of monthRange(from, lastMonth)) expect(svg).toContain(`>${shortMonthLabel(m)}<`);
  });

  it("refuses any other extension with a usage message, before asking the server", async () => {
    const before = emulator.counters.stat;
    const { code, stderr } = await run(["report", "trend", "--chart", join(dir, "trend.txt")]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--chart writes a \.png or \.svg file/);
    expect(stderr).toMatch(/Usage: gluu-stats report trend --chart/);
    expect(emulator.counters.stat).toBe(before);
  });

  it("says a single month needs a series, before asking the server", async () => {
    const before = emulator.counters.stat;
    const { code, stderr } = await run(["report", isoMonth(lastMonth), "--chart", join(dir, "m.png")]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--chart draws a series/);
    expect(emulator.counters.stat).toBe(before);
  });

  it("is refused on export, which has no chart", async () => {
    const { code, stderr } = await run(["export", "--chart", join(dir, "e.png")]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--chart draws a report's series/);
  });
});
