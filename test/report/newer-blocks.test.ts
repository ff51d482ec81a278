/**
 * Tables and charts Slack draws: the limits checker knows their limits, a series' chart carries
 * exactly the figures its text shows (gaps where there is no data), and the reply for a
 * workspace that refuses them keeps every figure as text.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seriesView } from "../../src/answer/index.js";
import { type Month, monthRange, shortMonthLabel } from "../../src/months.js";
import { formatCount } from "../../src/report/format.js";
import {
  checkBlockLimits,
  type DataVisualizationBlock,
  hasNewerBlocks,
  type MessageBlock,
  renderSeriesMessage,
  type SlackMessage,
  withoutNewerBlocks,
} from "../../src/report/slack/index.js";
import { FETCHED_AT, m, stats } from "./helpers.js";

const chart = (
  over: Partial<DataVisualizationBlock["chart"]> = {},
  title = "MAU",
): DataVisualizationBlock => ({
  type: "data_visualization",
  title,
  chart: {
    type: "line",
    axis_config: { categories: ["Jan 2021", "Feb 2021"] },
    series: [{ name: "MAU", data: [{ label: "Jan 2021", value: 1 }] }],
    ...over,
  },
});

const table = (rows: number, cells = 2): MessageBlock => ({
  type: "table",
  rows: Array.from({ length: rows }, (_, r) =>
    Array.from({ length: cells }, (_, c) => ({ type: "raw_text" as const, text: `${r}.${c}` })),
  ),
});

const problems = (...blocks: MessageBlock[]) => checkBlockLimits({ text: "t", blocks });

describe("checkBlockLimits on tables and charts", () => {
  it("accepts a well-formed chart and table", () => {
    expect(problems(chart(), table(3))).toEqual([]);
  });

  it("reports a 51-character title, 21 categories, 7 series, a point off the axis and NaN", () => {
    expect(problems(chart({}, "x".repeat(51)))).toEqual(["blocks[0].title: 51 > 50 characters"]);
    const many = Array.from({ length: 21 }, (_, i) => `m${i}`);
    expect(problems(chart({ axis_config: { categories: many } })).join()).toMatch(/21 > 20 categories/);
    const seven = Array.from({ length: 7 }, (_, i) => ({
      name: `s${i}`,
      data: [{ label: "Jan 2021", value: i }],
    }));
    expect(problems(chart({ series: seven })).join()).toMatch(/7 series, not 1–6/);
    expect(problems(chart({ series: [{ name: "MAU", data: [{ label: "Mar 2021", value: 1 }] }] }))).toEqual([
      "blocks[0].chart.series[0].data[0].label: not a category",
    ]);
    expect(
      problems(chart({ series: [{ name: "MAU", data: [{ label: "Jan 2021", value: Number.NaN }] }] })),
    ).toEqual(["blocks[0].chart.series[0].data[0].value: not a number"]);
  });

  it("reports a second table, a third chart, 101 rows, 21 cells and ragged rows", () => {
    expect(problems(table(2), table(2))).toContain("blocks: 2 > 1 table blocks");
    expect(problems(chart(), chart(), chart())).toContain("blocks: 3 > 2 charts");
    expect(problems(table(101)).join()).toMatch(/101 > 100 rows/);
    expect(problems(table(2, 21)).join()).toMatch(/21 > 20 cells/);
    const ragged: MessageBlock = {
      type: "table",
      rows: [
        [
          { type: "raw_text", text: "a" },
          { type: "raw_text", text: "b" },
        ],
        [{ type: "raw_text", text: "c" }],
      ],
    };
    expect(problems(ragged)).toEqual(["blocks[0].rows[1]: 1 cells, the first row has 2"]);
  });
});

const source = { host: "gluu.example.com", fetchedAt: FETCHED_AT, timeZone: "UTC" };

function trend(months: readonly Month[], mau: readonly (number | undefined)[]): SlackMessage {
  const withData = months.flatMap((mm, i) => (mau[i] === undefined ? [] : [stats(mm, mau[i] ?? 0)]));
  return renderSeriesMessage(
    seriesView(
      {
        series: "range",
        title: "MAU trend",
        months,
        result: { months: withData, noData: months.filter((_, i) => mau[i] === undefined) },
      },
      source,
    ),
  );
}

function chartOf(message: SlackMessage): DataVisualizationBlock | undefined {
  const found = message.blocks.find((b) => b.type === "data_visualization");
  return found?.type === "data_visualization" ? found : undefined;
}

describe("a series' chart", () => {
  it("charts the MAU shown in text, month by month; months without data are gaps", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }), {
          minLength: 1,
          maxLength: 36,
        }),
        (mau) => {
          const months = monthRange(m(2020, 1), m(2020, mau.length));
          const message = trend(months, mau);
          expect(checkBlockLimits(message)).toEqual([]);
          const c = chartOf(message);
          if (mau.every((v) => v === undefined)) {
            expect(c).toBeUndefined();
            return;
          }
          if (!c) throw new Error("no chart");
          // The latest months, at most 20, are on the axis.
          const charted = months.slice(-20);
          expect(c.chart.axis_config.categories).toEqual(charted.map(shortMonthLabel));
          const points = new Map(c.chart.series[0]?.data.map((p) => [p.label, p.value]));
          const offset = months.length - charted.length;
          charted.forEach((mm, i) => {
            const v = mau[offset + i];
            expect(points.get(shortMonthLabel(mm))).toBe(v);
            // The same figure is in the text, next to its month.
            expect(message.text).toContain(
              `${shortMonthLabel(mm)} ${v === undefined ? "no data" : formatCount(v)}`,
            );
          });
        },
      ),
      { numRuns: 80 },
    );
  });

  it("stays within limits for 1, 12 and 24 months, with and without the classic form", () => {
    for (const n of [1, 12, 24]) {
      const months = monthRange(m(2021, 1), m(2021, n));
      const message = trend(
        months,
        months.map((_, i) => 50_000 + i * 1000),
      );
      expect(checkBlockLimits(message)).toEqual([]);
      expect(message.blocks.filter((b) => b.type === "table")).toHaveLength(1);
      expect(checkBlockLimits(withoutNewerBlocks(message))).toEqual([]);
    }
  });
});

describe("withoutNewerBlocks", () => {
  it("turns the table into aligned monospace text, drops the chart and keeps every figure", () => {
    const months = monthRange(m(2021, 1), m(2021, 3));
    const message = trend(months, [1000, undefined, 123_456]);
    expect(hasNewerBlocks(message)).toBe(true);
    const classic = withoutNewerBlocks(message);
    expect(hasNewerBlocks(classic)).toBe(false);
    const code = classic.blocks.flatMap((b) =>
      b.type === "section" && b.text?.text.startsWith("```") ? [b.text.text] : [],
    );
    expect(code.join("\n")).toBe(
      [
        "```",
        "Month         MAU  Change",
        "Jan 2021    1,000       –",
        "Feb 2021  no data       –",
        "Mar 2021  123,456       –",
        "```",
      ].join("\n"),
    );
    expect(classic.blocks.some((b) => b.type === "data_visualization")).toBe(false);
    expect(classic.text).toBe(message.text);
  });

  it("escapes server names that a code section would read as mentions", () => {
    const message: SlackMessage = {
      text: "t",
      blocks: [
        {
          type: "table",
          rows: [[{ type: "raw_text", text: "Grant type" }], [{ type: "raw_text", text: "<!channel>" }]],
        },
      ],
    };
    expect(JSON.stringify(withoutNewerBlocks(message))).not.toContain("<!channel>");
    expect(JSON.stringify(withoutNewerBlocks(message))).toContain("&lt;!channel&gt;");
  });

  it("leaves a message without newer blocks as it is", () => {
    const plain: SlackMessage = {
      text: "t",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "x" } }],
    };
    expect(withoutNewerBlocks(plain)).toBe(plain);
  });
});
