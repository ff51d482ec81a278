/**
 * The chart renderer's rows (issue: server-side chart renderer): how long one 24-month PNG takes,
 * and how much RSS loading the renderer and drawing one chart adds to a process that already
 * holds what `serve` loads. `npm run bench -- chart` runs only these.
 */
import { fork } from "node:child_process";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { ChartProcess } from "../src/chart/index.js";
import { renderChartPng } from "../src/chart/png.js";
import { IDLE_MS, MAX_RENDERS } from "../src/chart/process.js";
import { sampleChartModel } from "../src/chart/sample.js";
import type { ChartRssReading } from "./chart-child.js";
import { START_FLAGS, track } from "./harness.js";
import { RpcClient } from "./ipc.js";
import { mb, median, ms, timeMedian, verdict } from "./measure.js";

const CHILD_JS = join(dirname(fileURLToPath(import.meta.url)), "chart-child.js");
export const CHART_RENDER_TARGET_MS = 50;
export const CHART_RSS_TARGET_BYTES = 15 * 1024 * 1024;
/** Charts per fresh process for the "over many charts" reading. */
const MANY_CHARTS = 50;

export interface ChartResults {
  /** Median ms of one PNG through the renderer's process, after the first. */
  readonly renderMs: number;
  /** The first PNG: the renderer's process forked and loaded. */
  readonly firstMs: number;
  /** Median ms of the drawing alone, in-process. */
  readonly drawMs: number;
  readonly renders: number;
  readonly pngBytes: number;
  /** Per fresh process: RSS with the serving modules, and with the renderer and one chart too. */
  readonly rss: readonly ChartRssReading[];
  /** The same with the renderer loaded in the process (as before it had its own). */
  readonly inProcess: readonly ChartRssReading[];
}

/**
 * Ms per 24-month PNG as the bot gets it, through the renderer's process: the first chart
 * (the process forked and loaded), then the median of `renders` more, one after another (the
 * process is replaced every MAX_RENDERS on the way, as in production); and the drawing alone,
 * in this process, for comparison.
 */
export async function chartRenderTime(
  renders = 30,
): Promise<{ ms: number; firstMs: number; drawMs: number; bytes: number }> {
  const charts = new ChartProcess();
  const model = sampleChartModel();
  try {
    const t0 = performance.now();
    const bytes = (await charts.png(model)).length;
    const firstMs = performance.now() - t0;
    const times: number[] = [];
    for (let i = 0; i < renders; i++) {
      const t = performance.now();
      await charts.png(model);
      times.push(performance.now() - t);
    }
    const drawMs = timeMedian(() => renderChartPng(model), { runs: renders, batch: 1, warmup: 1 });
    return { ms: median(times), firstMs, drawMs, bytes };
  } finally {
    charts.close();
  }
}

async function rssOnce(mode: "process" | "in-process"): Promise<ChartRssReading> {
  const child = fork(CHILD_JS, [mode, String(MANY_CHARTS)], {
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
export async function chartRss(
  processes = 5,
  mode: "process" | "in-process" = "process",
): Promise<ChartRssReading[]> {
  const out: ChartRssReading[] = [];
  for (let i = 0; i < processes; i++) out.push(await rssOnce(mode));
  return out;
}

export async function chartScenarios(
  opts: { renders?: number; processes?: number } = {},
): Promise<ChartResults> {
  // RSS first: fresh children, before this process's renders compete with them for the CPU.
  const rss = await chartRss(opts.processes);
  const inProcess = await chartRss(Math.min(3, opts.processes ?? 3), "in-process");
  const renders = opts.renders ?? 30;
  const time = await chartRenderTime(renders);
  return {
    renderMs: time.ms,
    firstMs: time.firstMs,
    drawMs: time.drawMs,
    renders,
    pngBytes: time.bytes,
    rss,
    inProcess,
  };
}

/** Rows in main.ts's 9-column table: the figure in the product's default-settings column. */
export function chartRows(r: ChartResults): string[][] {
  const added = r.rss.map((x) => x.withChart - x.serving);
  const addedMedian = median(added);
  const blank = ["", "", "", ""];
  return [
    [
      `Render the 24-month MAU chart as a 1200×600 PNG (ECharts SVG → resvg, in the renderer's process; median of ${r.renders} after the first)`,
      "",
      `${ms(r.renderMs)} ms (${(r.pngBytes / 1024).toFixed(0)} KiB PNG; the first, forking the renderer: ${ms(r.firstMs)} ms; the drawing alone, in-process: ${ms(r.drawMs)} ms)`,
      ...blank,
      `≤ ${CHART_RENDER_TARGET_MS} ms`,
      verdict(r.renderMs <= CHART_RENDER_TARGET_MS),
    ],
    [
      `RSS the chart renderer adds to a process holding the serving modules (1 chart; median of ${r.rss.length} fresh processes)`,
      "",
      `+${mb(addedMedian)} (${added.map((x) => mb(x).replace(" MB", "")).join(" / ")} MB; serving modules alone ${mb(median(r.rss.map((x) => x.serving)))}; the renderer's own process, which exits after ${IDLE_MS / 1000} s idle or ${MAX_RENDERS} charts: ${mb(median(r.rss.map((x) => x.renderer)))})`,
      ...blank,
      `≤ ${mb(CHART_RSS_TARGET_BYTES)}`,
      verdict(addedMedian <= CHART_RSS_TARGET_BYTES),
    ],
    [
      `RSS the bot process gains over ${MANY_CHARTS} charts (median of fresh processes; baseline: the renderer loaded in the bot, as before)`,
      "",
      `+${mb(median(r.rss.map((x) => x.afterMany - x.serving)))}`,
      `+${mb(median(r.inProcess.map((x) => x.afterMany - x.serving)))} (in-process; after 1 chart +${mb(median(r.inProcess.map((x) => x.withChart - x.serving)))})`,
      "",
      "",
      "",
      `≤ ${mb(CHART_RSS_TARGET_BYTES)}`,
      verdict(median(r.rss.map((x) => x.afterMany - x.serving)) <= CHART_RSS_TARGET_BYTES),
    ],
  ];
}
