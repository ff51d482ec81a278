/** The chart's content, decided before anything is drawn: the ECharts option built from a model. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AVERAGE_COLOUR,
  type ChartModel,
  chartModelOf,
  chartOption,
  checkChartSize,
  LIMIT_COLOUR,
  LINE_COLOUR,
  xLabelInterval,
  xLabelShown,
  yAxisLabel,
  yAxisScale,
} from "../../src/chart/model.js";
import { addMonths, month, shortMonthLabel } from "../../src/months.js";
import type { SeriesSummary } from "../../src/report/summary.js";

/** 1..36 consecutive months from a random start, each with a MAU or no data at random. */
const modelArb: fc.Arbitrary<ChartModel> = fc
  .record({
    start: fc.record({ year: fc.integer({ min: 2000, max: 2090 }), month: fc.integer({ min: 1, max: 12 }) }),
    values: fc.array(fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: null, freq: 4 }), {
      minLength: 1,
      maxLength: 36,
    }),
    average: fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: undefined }),
    limit: fc.option(fc.integer({ min: 1, max: 5_000_000 }), { nil: undefined }),
  })
  .map(({ start, values, average, limit }) => ({
    title: "MAU",
    points: values.map((mau, i) => ({ month: addMonths(month(start.year, start.month), i), mau })),
    ...(average !== undefined ? { average } : {}),
    ...(limit !== undefined ? { limit } : {}),
  }));

/** The one line series of an option, typed loosely enough to read back. */
function lineSeries(model: ChartModel) {
  const option = chartOption(model);
  const series = option.series;
  const line = Array.isArray(series) ? series[0] : series;
  if (line?.type !== "line") throw new Error("no line series");
  return { option, line };
}

function xAxisOf(model: ChartModel) {
  const x = chartOption(model).xAxis;
  const axis = Array.isArray(x) ? x[0] : x;
  if (axis?.type !== "category") throw new Error("no category x-axis");
  return axis;
}

describe("chartOption", () => {
  it("plots each month's MAU in order, and null (a gap, never zero) where there is no data", () => {
    fc.assert(
      fc.property(modelArb, (model) => {
        const { line } = lineSeries(model);
        expect(line.data).toEqual(model.points.map((p) => p.mau));
        expect(line.connectNulls).toBe(false);
        expect(xAxisOf(model).data).toEqual(model.points.map((p) => shortMonthLabel(p.month)));
      }),
    );
  });

  it("keeps every value, the average and the limit inside the y-axis", () => {
    fc.assert(
      fc.property(modelArb, (model) => {
        const scale = yAxisScale(model);
        const values = [...model.points.map((p) => p.mau), model.average, model.limit].filter(
          (v): v is number => typeof v === "number",
        );
        for (const v of values) {
          expect(v).toBeGreaterThanOrEqual(scale.min);
          expect(v).toBeLessThanOrEqual(scale.max);
        }
        expect(scale.max).toBeGreaterThan(scale.min);
        // Whole steps, so every grid line lands on a label.
        expect(
          Math.abs(
            (scale.max - scale.min) / scale.interval - Math.round((scale.max - scale.min) / scale.interval),
          ),
        ).toBeLessThan(1e-9);
      }),
    );
  });

  it("draws the average dashed and the licence in the warning colour, labelled with their figures", () => {
    const model: ChartModel = {
      title: "MAU",
      points: [
        { month: month(2026, 1), mau: 61_000 },
        { month: month(2026, 2), mau: 61_468 },
      ],
      average: 61_234,
      limit: 70_000,
    };
    const { line } = lineSeries(model);
    const marks = line.markLine?.data ?? [];
    expect(marks).toEqual([
      expect.objectContaining({
        yAxis: 61_234,
        lineStyle: expect.objectContaining({ type: "dashed", color: AVERAGE_COLOUR }),
        label: expect.objectContaining({ formatter: "Average 61,234" }),
      }),
      expect.objectContaining({
        yAxis: 70_000,
        lineStyle: expect.objectContaining({ color: LIMIT_COLOUR }),
        label: expect.objectContaining({ formatter: "Licence 70,000" }),
      }),
    ]);
    expect(line.lineStyle?.color).toBe(LINE_COLOUR);
  });

  it("has no mark lines without an average or a limit, and says which months have no data", () => {
    const model: ChartModel = {
      title: "MAU",
      points: [
        { month: month(2026, 1), mau: 10 },
        { month: month(2026, 2), mau: null },
      ],
    };
    const { option, line } = lineSeries(model);
    expect(line.markLine).toBeUndefined();
    const title = Array.isArray(option.title) ? option.title[0] : option.title;
    expect(title?.subtext).toBe("No data for Feb 2026 (gap in the line)");
  });

  it("formats y-axis labels with thousands separators", () => {
    const y = chartOption({ title: "", points: [{ month: month(2026, 1), mau: 5 }] }).yAxis;
    const axis = Array.isArray(y) ? y[0] : y;
    expect(axis?.axisLabel?.formatter).toBe(yAxisLabel);
    expect(yAxisLabel(1_234_567)).toBe("1,234,567");
  });
});

describe("x-axis labels", () => {
  it("labels every month when they fit, and always the latest month", () => {
    expect(xLabelInterval(12, 1072)).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 36 }), fc.integer({ min: 100, max: 4000 }), (count, width) => {
        const interval = xLabelInterval(count, width);
        expect(xLabelShown(count - 1, count, interval)).toBe(true);
        const shown = Array.from({ length: count }, (_, i) => i).filter((i) =>
          xLabelShown(i, count, interval),
        );
        // Labels no closer than one label width, unless only one fits at all.
        if (shown.length > 1) expect((width / count) * (interval + 1)).toBeGreaterThanOrEqual(72);
      }),
    );
  });
});

describe("chartModelOf", () => {
  it("takes the series' months, average and limit, with no data as null", () => {
    const summary: SeriesSummary = {
      rows: [
        { month: month(2026, 1) },
        {
          month: month(2026, 2),
          stats: { month: month(2026, 2), mau: 42, tokens: {} },
        },
      ],
      average: 42,
      withData: 1,
      limit: 100,
    };
    expect(chartModelOf("T", summary)).toEqual({
      title: "T",
      points: [
        { month: month(2026, 1), mau: null },
        { month: month(2026, 2), mau: 42 },
      ],
      average: 42,
      limit: 100,
    });
  });
});

describe("checkChartSize", () => {
  it("refuses sizes no chart can be drawn at, or that would take too much memory", () => {
    expect(checkChartSize({ width: 1200, height: 600 })).toEqual({ width: 1200, height: 600 });
    for (const size of [
      { width: 0, height: 600 },
      { width: 1200.5, height: 600 },
      { width: 1200, height: 100_000 },
      { width: Number.NaN, height: 600 },
    ]) {
      expect(() => checkChartSize(size)).toThrow(RangeError);
    }
  });
});
