/**
 * The chart renderer's front door. ECharts and resvg never load in the process that imports
 * this: charts are drawn in a child process (process.ts), forked on the first chart and gone
 * again when idle, so a bot answering in text pays nothing for them.
 */
import type { ChartModel, ChartSize } from "./model.js";
import { ChartProcess } from "./process.js";

export type { ChartModel, ChartPoint, ChartSize } from "./model.js";
export { chartModelOf, DEFAULT_CHART_SIZE } from "./model.js";
export { ChartProcess, ChartRenderError } from "./process.js";

export interface ChartRenderer {
  readonly svg: (model: ChartModel, size?: ChartSize) => Promise<string>;
  readonly png: (model: ChartModel, size?: ChartSize) => Promise<Buffer>;
}

let shared: ChartRenderer | undefined;

/** The renderer every caller shares: one renderer process at a time for the whole bot. */
export async function loadChartRenderer(): Promise<ChartRenderer> {
  if (!shared) {
    const charts = new ChartProcess();
    shared = { svg: (m, s) => charts.svg(m, s), png: (m, s) => charts.png(m, s) };
  }
  return shared;
}
