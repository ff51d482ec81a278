/**
 * The chart renderer's front door. ECharts and resvg cost a process megabytes it pays only once
 * somebody asks for a chart, so they are imported on the first loadChartRenderer() call; the
 * rest of the app imports this file and model.ts, which load neither.
 */
import type { ChartModel, ChartSize } from "./model.js";

export type { ChartModel, ChartPoint, ChartSize } from "./model.js";
export { chartModelOf, DEFAULT_CHART_SIZE } from "./model.js";

export interface ChartRenderer {
  readonly svg: (model: ChartModel, size?: ChartSize) => string;
  readonly png: (model: ChartModel, size?: ChartSize) => Buffer;
}

let loading: Promise<ChartRenderer> | undefined;

/** The renderer, loaded once; concurrent first calls share one load. */
export function loadChartRenderer(): Promise<ChartRenderer> {
  loading ??= Promise.all([import("./svg.js"), import("./png.js")]).then(
    ([svg, png]) => ({ svg: svg.renderChartSvg, png: png.renderChartPng }),
    (e: unknown) => {
      // A failed load (a missing native binary) is reported to every caller, not cached as the answer.
      loading = undefined;
      throw e;
    },
  );
  return loading;
}
