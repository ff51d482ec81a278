/**
 * Types for ECharts' prebuilt "common" bundle, which svg.ts loads instead of `echarts/core`
 * and its parts: the bundle ships no types of its own, and its API is `echarts/core`'s.
 */
declare module "echarts/dist/echarts.common.min.js" {
  const echarts: typeof import("echarts/core");
  export default echarts;
}
