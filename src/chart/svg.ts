/**
 * The chart as an SVG string, drawn by Apache ECharts' server-side renderer: no DOM, no canvas,
 * no browser. Loaded only through index.ts's loadChartRenderer, because ECharts costs a process
 * megabytes that a bot answering in text never needs.
 */
// ECharts' own prebuilt "common" bundle (line chart, grid, title, mark lines, SVG renderer among
// others), not `echarts/core` plus the pieces: one minified module costs V8 less than the ~300
// commented modules `echarts/core` and the pieces load, about 6 MB against 9 MB of RSS once a
// chart is drawn (bench/chart.ts). The registry barrels (`echarts/charts`…) cost more still.
import echarts from "echarts/dist/echarts.common.min.js";
import { type ChartModel, type ChartSize, chartOption, checkChartSize, DEFAULT_CHART_SIZE } from "./model.js";

export function renderChartSvg(model: ChartModel, size: ChartSize = DEFAULT_CHART_SIZE): string {
  const { width, height } = checkChartSize(size);
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption(chartOption(model, size));
    return chart.renderToSVGString();
  } finally {
    // An SSR instance is never garbage until disposed: ECharts keeps every instance in a registry.
    chart.dispose();
  }
}
