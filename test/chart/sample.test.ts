/**
 * docs/trend-chart.png is the chart of sampleChartModel() at the default size. Regenerate it after
 * changing how charts look:
 *
 *   UPDATE_SAMPLE_CHART=1 npx vitest run test/chart/sample.test.ts
 *
 * Without the variable the test only checks that the committed picture is still a chart of that
 * size, not its bytes: a resvg or ECharts upgrade may move a pixel without anything being wrong.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { loadChartRenderer } from "../../src/chart/index.js";
import { DEFAULT_CHART_SIZE } from "../../src/chart/model.js";
import { sampleChartModel } from "../../src/chart/sample.js";

const DOCS_PNG = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "trend-chart.png");

describe("docs/trend-chart.png", () => {
  it("is the sample chart at the default size", async () => {
    const { png } = await loadChartRenderer();
    const fresh = await png(sampleChartModel());
    if (process.env.UPDATE_SAMPLE_CHART === "1") {
      mkdirSync(dirname(DOCS_PNG), { recursive: true });
      writeFileSync(DOCS_PNG, fresh);
    }
    const committed = PNG.sync.read(readFileSync(DOCS_PNG));
    expect([committed.width, committed.height]).toEqual([
      DEFAULT_CHART_SIZE.width,
      DEFAULT_CHART_SIZE.height,
    ]);
  });
});
