/**
 * The chart as a PNG: the SVG of svg.ts rasterised by resvg (Rust, shipped as a prebuilt binary
 * inside its npm package). resvg loads only the font below, never the machine's: the same model
 * gives the same pixels on a laptop, in CI and in the container.
 */
import { createRequire } from "node:module";
import { Resvg } from "@resvg/resvg-js";
import {
  BACKGROUND_COLOUR,
  CHART_FONT_FAMILY,
  type ChartModel,
  type ChartSize,
  DEFAULT_CHART_SIZE,
} from "./model.js";
import { renderChartSvg } from "./svg.js";

// Resolved through node_modules rather than a path relative to this file, so the same code finds
// the font from src/ (tests), dist/ (production) and dist-bench/ alike. Inter, OFL-1.1.
const resolve = createRequire(import.meta.url).resolve;
export const CHART_FONT_FILES: readonly string[] = [
  resolve("@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf"),
  resolve("@expo-google-fonts/inter/600SemiBold/Inter_600SemiBold.ttf"),
];

export function renderChartPng(model: ChartModel, size: ChartSize = DEFAULT_CHART_SIZE): Buffer {
  const svg = renderChartSvg(model, size);
  const resvg = new Resvg(svg, {
    font: {
      fontFiles: [...CHART_FONT_FILES],
      loadSystemFonts: false,
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
    },
    fitTo: { mode: "original" },
    background: BACKGROUND_COLOUR,
    logLevel: "off",
  });
  return resvg.render().asPng();
}
