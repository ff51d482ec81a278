/** The chart drawn: the SVG ECharts writes and the PNG resvg makes of it, decoded and inspected. */
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { AVERAGE_COLOUR, type ChartModel, LINE_COLOUR, shownMonthLabels } from "../../src/chart/model.js";
import { renderChartPng } from "../../src/chart/png.js";
import { sampleChartModel } from "../../src/chart/sample.js";
import { renderChartSvg } from "../../src/chart/svg.js";
import { addMonths, month, shortMonthLabel } from "../../src/months.js";

// The drawing itself, in this process: what the renderer's child process runs (process.test.ts
// covers the child and its channel).
const renderer = { svg: renderChartSvg, png: renderChartPng };

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Pixels within a small distance of `hex` (anti-aliased edges differ; a line's core does not). */
function pixelsOf(png: PNG, hex: string, tolerance = 6): number {
  const [r, g, b] = rgb(hex);
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const d =
      Math.abs((png.data[i] ?? 0) - r) +
      Math.abs((png.data[i + 1] ?? 0) - g) +
      Math.abs((png.data[i + 2] ?? 0) - b);
    if (d <= tolerance) n++;
  }
  return n;
}

const twelve: ChartModel = {
  title: "12-month trend: Dec 2025 – Nov 2026",
  points: Array.from({ length: 12 }, (_, i) => ({
    month: addMonths(month(2025, 12), i),
    mau: i === 4 ? null : 60_000 + i * 500,
  })),
  average: 62_750,
  limit: 70_000,
};

describe("renderChartPng", () => {
  it("makes a PNG of the size asked for, with the line drawn in its colour", () => {
    for (const size of [
      { width: 1200, height: 600 },
      { width: 640, height: 360 },
    ]) {
      const png = PNG.sync.read(renderer.png(sampleChartModel(), size));
      expect([png.width, png.height]).toEqual([size.width, size.height]);
      // A 3 px line across most of the plot: thousands of pixels, not a stray few.
      expect(pixelsOf(png, LINE_COLOUR)).toBeGreaterThan(size.width * 2);
      expect(pixelsOf(png, AVERAGE_COLOUR)).toBeGreaterThan(100);
    }
  });

  it("is opaque white where nothing is drawn, not transparent", () => {
    const png = PNG.sync.read(renderer.png(twelve));
    expect([...png.data.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
  });

  it("draws the same pixels every time (one font, no system fonts)", () => {
    expect(renderer.png(twelve).equals(renderer.png(twelve))).toBe(true);
  });

  it("still renders a series without any data, and refuses a size it cannot draw", () => {
    const empty: ChartModel = { title: "Nothing", points: twelve.points.map((p) => ({ ...p, mau: null })) };
    const png = PNG.sync.read(renderer.png(empty));
    expect(png.width).toBe(1200);
    expect(pixelsOf(png, LINE_COLOUR)).toBe(0);
    expect(() => renderer.png(twelve, { width: 100_000, height: 600 })).toThrow(RangeError);
  });
});

describe("renderChartSvg", () => {
  it("labels the months and draws the average as a dashed line", () => {
    const svg = renderer.svg(twelve);
    for (const p of twelve.points) expect(svg).toContain(`>${shortMonthLabel(p.month)}<`);
    expect(svg).toMatch(new RegExp(`<path[^>]*stroke="${AVERAGE_COLOUR}"[^>]*stroke-dasharray=`));
    expect(svg).toContain("Average 62,750");
    expect(svg).toContain("Licence 70,000");
    expect(svg).toContain("70,000<");
  });

  it("labels as many months as fit, always the latest one", () => {
    const model = sampleChartModel();
    const svg = renderer.svg(model);
    const shown = new Set(shownMonthLabels(model));
    expect(shown.size).toBeLessThan(model.points.length);
    expect(shown.has(shortMonthLabel(model.points[model.points.length - 1]?.month ?? month(2000, 1)))).toBe(
      true,
    );
    for (const p of model.points) {
      const label = shortMonthLabel(p.month);
      if (shown.has(label)) expect(svg).toContain(`>${label}<`);
      else expect(svg).not.toContain(`>${label}<`);
    }
  });

  it("escapes the caller's title", () => {
    const svg = renderer.svg({ ...twelve, title: `<script>&"x"` });
    expect(svg).not.toContain("<script>");
    // resvg parses only well-formed XML: the PNG of it still renders.
    expect(PNG.sync.read(renderer.png({ ...twelve, title: `<script>&"x"` })).width).toBe(1200);
  });
});
