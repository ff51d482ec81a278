/**
 * The chart renderer's rows (issue: server-side chart renderer): how long one 24-month PNG takes,
 * and how much RSS loading the renderer and drawing one chart adds to a process that already
 * holds what `serve` loads. `npm run bench -- chart` runs only these.
 */
import { fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadChartRenderer } from "../src/chart/index.js";
import { sampleChartModel } from "../src/chart/sample.js";
import type { ChartRssReading } from "./chart-child.js";
import { START_FLAGS, track } from "./harness.js";
import { RpcClient } from "./ipc.js";
import { mb, median, ms, timeMedian, verdict } from "./measure.js";

const CHILD_JS = join(dirname(fileURLToPath(import.meta.url)), "chart-child.js");
export const CHART_RENDER_TARGET_MS = 50;
export const CHART_RSS_TARGET_BYTES = 15 * 1024 * 1024;

export interface ChartResults {
  /** Median ms of one PNG render, after one warm-up. */
  readonly renderMs: number;
  readonly renders: number;
  readonly pngBytes: number;
  /** Per fresh process: RSS with the serving modules, and with the renderer and one chart too. */
  readonly rss: readonly ChartRssReading[];
}

/** Median ms of renderChartPng on the 24-month sample (1 warm-up, then `renders` timed one by one). */
export async function chartRenderTime(renders = 30): Promise<{ ms: number; bytes: number }> {
  const { png } = await loadChartRenderer();
  const model = sampleChartModel();
  const bytes = png(model).length;
  return { ms: timeMedian(() => png(model), { runs: renders, batch: 1, warmup: 1 }), bytes };
}

async function rssOnce(): Promise<ChartRssReading> {
  const child = fork(CHILD_JS, [], {
    execArgv: ["--expose-gc", ...START_FLAGS],
    // The serving modules read no configuration at import; an empty environment keeps a
    // developer's .env or shell from changing what is measured.
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  const t = track(child, "chart rss");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    return (await new RpcClient(child, "chart rss").ready()) as ChartRssReading;
  } catch (e) {
    throw new Error(`chart RSS child failed: ${String(e)}\n${t.tail()}`);
  } finally {
    child.kill();
    await exited;
  }
}

/** RSS readings of `processes` fresh processes, one after another. */
export async function chartRss(processes = 5): Promise<ChartRssReading[]> {
  const out: ChartRssReading[] = [];
  for (let i = 0; i < processes; i++) out.push(await rssOnce());
  return out;
}

export async function chartScenarios(
  opts: { renders?: number; processes?: number } = {},
): Promise<ChartResults> {
  // RSS first: fresh children, before this process's renders compete with them for the CPU.
  const rss = await chartRss(opts.processes);
  const renders = opts.renders ?? 30;
  const time = await chartRenderTime(renders);
  return { renderMs: time.ms, renders, pngBytes: time.bytes, rss };
}

/** Rows in main.ts's 9-column table: the figure in the product's default-settings column. */
export function chartRows(r: ChartResults): string[][] {
  const added = r.rss.map((x) => x.withChart - x.serving);
  const addedMedian = median(added);
  const blank = ["", "", "", ""];
  return [
    [
      `Render the 24-month MAU chart as a 1200×600 PNG (ECharts SVG → resvg; median of ${r.renders} after 1 warm-up)`,
      "",
      `${ms(r.renderMs)} ms (${(r.pngBytes / 1024).toFixed(0)} KiB PNG)`,
      ...blank,
      `≤ ${CHART_RENDER_TARGET_MS} ms`,
      verdict(r.renderMs <= CHART_RENDER_TARGET_MS),
    ],
    [
      `RSS the chart renderer adds to a process holding the serving modules (load + 1 chart; median of ${r.rss.length} fresh processes)`,
      "",
      `+${mb(addedMedian)} (${added.map((x) => mb(x).replace(" MB", "")).join(" / ")} MB; serving modules alone ${mb(median(r.rss.map((x) => x.serving)))})`,
      ...blank,
      `≤ ${mb(CHART_RSS_TARGET_BYTES)}`,
      verdict(addedMedian <= CHART_RSS_TARGET_BYTES),
    ],
  ];
}
