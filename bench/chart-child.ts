/**
 * One RSS reading of the chart renderer, in a fresh process forked by chart.ts: the modules
 * `serve` loads, then RSS; then one chart rendered as a PNG the way the bot does (through the
 * renderer's own process), then RSS again, and the renderer process's RSS beside it. Sends the
 * readings over IPC and exits.
 */
import { announceReady } from "./ipc.js";
import { vmRss } from "./measure.js";

/**
 * RSS after four collections, 200 ms apart: resvg's pixmaps are native memory freed by the
 * finalizers of their JavaScript objects, which run only after a collection has found them
 * dead; two back-to-back gc() calls (bot.ts's reading) leave a render's ~3 MB pixmap counted.
 */
async function settledRss(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return process.memoryUsage().rss;
}

// What bot.ts's product mode (and so `serve`) loads before it starts listening.
await import("../src/config/index.js");
await import("../src/serve.js");
const serving = await settledRss();
const { ChartProcess } = await import("../src/chart/index.js");
const { sampleChartModel } = await import("../src/chart/sample.js");
const model = sampleChartModel();
// Charts drawn in all for the last reading (chart.ts's MANY_CHARTS).
const MANY = Number(process.argv[3] ?? 50);
let reading: ChartRssReading;
if (process.argv[2] === "in-process") {
  // The renderer as it was before it had its own process: ECharts and resvg in the bot.
  const { renderChartPng } = await import("../src/chart/png.js");
  const bytes = renderChartPng(model).length;
  const withChart = await settledRss();
  for (let i = 1; i < MANY; i++) renderChartPng(model);
  reading = { serving, withChart, afterMany: await settledRss(), renderer: 0, bytes };
} else {
  const charts = new ChartProcess();
  const bytes = (await charts.png(model)).length;
  const withChart = await settledRss();
  const renderer = charts.pid === undefined ? Number.NaN : vmRss(charts.pid);
  for (let i = 1; i < MANY; i++) await charts.png(model);
  reading = { serving, withChart, afterMany: await settledRss(), renderer, bytes };
  charts.close();
}
announceReady(reading);

export interface ChartRssReading {
  readonly serving: number;
  readonly withChart: number;
  /** After chart.ts's MANY_CHARTS charts. */
  readonly afterMany: number;
  /** RSS of the renderer's own process after that chart (it exits when idle). */
  readonly renderer: number;
  readonly bytes: number;
}
