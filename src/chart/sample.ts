/**
 * A fixed, realistic chart for the docs picture (scripts/sample-chart.ts), the bench and the
 * tests: 24 months between 55,000 and 70,000 MAU with one month missing and a 70,000 licence.
 * Deterministic, so the picture in docs/ changes only when the rendering does.
 */
import { addMonths, type Month, month } from "../months.js";
import type { ChartModel } from "./model.js";

const LAST: Month = month(2026, 10);
const MISSING = 9;

export function sampleChartModel(): ChartModel {
  const points = Array.from({ length: 24 }, (_, i) => {
    // Slow growth, a yearly swing and a little wobble: what a real tenant's MAU looks like.
    const mau = Math.round(
      56_500 + i * 560 + 2_200 * Math.sin((i / 12) * 2 * Math.PI) + ((i * 7919) % 1_300),
    );
    return { month: addMonths(LAST, i - 23), mau: i === MISSING ? null : mau };
  });
  const known = points.flatMap((p) => (p.mau === null ? [] : [p.mau]));
  return {
    title: "Monthly active users · idp.example.com · Nov 2024 – Oct 2026",
    points,
    average: known.reduce((a, b) => a + b, 0) / known.length,
    limit: 70_000,
  };
}
