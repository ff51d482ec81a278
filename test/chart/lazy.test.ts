/**
 * The renderer's cost is paid only when a chart is asked for: importing the chart's entry point
 * and model loads neither ECharts nor resvg. Run in a fresh process on the built dist/ (the test
 * setup builds it), where nothing else has loaded them already.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "chart");

// Both are CommonJS (ECharts' prebuilt bundle, resvg's native binding), so Node's CommonJS cache
// lists them once loaded, also when an ES module imported them.
const SCRIPT = `
import { createRequire } from "node:module";
const cache = createRequire(import.meta.url).cache;
const heavy = () => Object.keys(cache).filter((k) => /[\\\\/](echarts|@resvg)[\\\\/]/.test(k)).length;
const { loadChartRenderer, chartModelOf } = await import(${JSON.stringify(join(DIST, "index.js"))});
await import(${JSON.stringify(join(DIST, "model.js"))});
const before = heavy();
chartModelOf("t", { rows: [], withData: 0 });
const renderer = await loadChartRenderer();
process.stdout.write(JSON.stringify({ before, after: heavy(), png: typeof renderer.png }));
`;

describe("loadChartRenderer", () => {
  it("loads ECharts and resvg on the first call, not on import", () => {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", SCRIPT], { encoding: "utf8" });
    const { before, after, png } = JSON.parse(out) as { before: number; after: number; png: string };
    expect(before).toBe(0);
    expect(after).toBeGreaterThanOrEqual(2);
    expect(png).toBe("function");
  });
});
