/**
 * One RSS reading of the chart renderer, in a fresh process forked by chart.ts: the modules
 * `serve` loads, then RSS; then the renderer loaded and one chart rendered as a PNG, then RSS
 * again. Sends both readings over IPC and exits.
 */
import { announceReady } from "./ipc.js";

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
const { loadChartRenderer } = await import("../src/chart/index.js");
const { sampleChartModel } = await import("../src/chart/sample.js");
const renderer = await loadChartRenderer();
const bytes = renderer.png(sampleChartModel()).length;
const withChart = await settledRss();
announceReady({ serving, withChart, bytes } satisfies ChartRssReading);

export interface ChartRssReading {
  readonly serving: number;
  readonly withChart: number;
  readonly bytes: number;
}
