/**
 * The bot never loads the renderer's libraries itself: importing the chart's entry point and
 * model, and even drawing a chart, leaves ECharts and resvg out of the process (they load in the
 * renderer's own process). Run in a fresh process on the built dist/ (the test setup builds it),
 * where nothing else has loaded them already.
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
const renderer = await loadChartRenderer();
const png = await renderer.png(chartModelOf("t", { rows: [], withData: 0 }));
process.stdout.write(JSON.stringify({ before, after: heavy(), signature: png.subarray(1, 4).toString() }));
`;

describe("loadChartRenderer", () => {
  it("draws a chart without loading ECharts or resvg into the calling process, which then exits", () => {
    // execFileSync returning at all shows the idle renderer process does not hold its parent.
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", SCRIPT], {
      encoding: "utf8",
      timeout: 20_000,
    });
    const { before, after, signature } = JSON.parse(out) as {
      before: number;
      after: number;
      signature: string;
    };
    expect(before).toBe(0);
    expect(after).toBe(0);
    expect(signature).toBe("PNG");
  });
});
