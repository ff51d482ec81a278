/** `/gluu-stats month-curve`: the view from samples, its rendering, and the command. */
import { describe, expect, it } from "vitest";
import { monthCurveView } from "../../src/curve/view.js";
import { parseCommand } from "../../src/query/parse.js";
import {
  checkBlockLimits,
  renderMonthCurve,
  sparkline,
  withoutNewerBlocks,
} from "../../src/report/slack/index.js";
import { allText } from "../report/helpers.js";

const hour = 3_600_000;
const hourly = (from: number, hours: number, step: number) =>
  Array.from({ length: hours }, (_, i) => ({ at: from + i * hour, mau: 1_000 + i * step }));

describe("monthCurveView", () => {
  const now = Date.UTC(2026, 11, 3, 10, 30);
  const view = monthCurveView({
    current: hourly(Date.UTC(2026, 11, 1), 24 * 2 + 10, 10),
    previous: hourly(Date.UTC(2026, 10, 1), 24 * 30, 5),
    now,
    timeZone: "UTC",
    host: "idp.example.com",
  });

  it("takes each day's last sample, for both months, and leaves days without one as gaps", () => {
    expect(view.month).toEqual({ year: 2026, month: 12 });
    expect(view.days).toHaveLength(31);
    expect(view.days[0]).toEqual({ day: 1, current: 1_000 + 23 * 10, previous: 1_000 + 23 * 5 });
    expect(view.days[2]).toEqual({ day: 3, current: 1_000 + 57 * 10, previous: 1_000 + 71 * 5 });
    expect(view.days[3]).toEqual({ day: 4, previous: 1_000 + 95 * 5 });
    // November had no 31st; December's is still ahead.
    expect(view.days[30]).toEqual({ day: 31 });
    expect(view.daysWithData).toEqual({ current: 3, previous: 30 });
  });

  it("follows REPORT_TZ: a sample late on the 30th in UTC is the 1st in Auckland", () => {
    const v = monthCurveView({
      current: [{ at: Date.UTC(2026, 10, 30, 12), mau: 42 }],
      previous: [],
      now: Date.UTC(2026, 11, 2),
      timeZone: "Pacific/Auckland",
      host: "h",
    });
    expect(v.days[0]).toEqual({ day: 1, current: 42 });
  });

  it("renders both months on one scale and the figures day by day, within Slack's limits", () => {
    const msg = renderMonthCurve(view);
    const text = allText(msg);
    expect(text).toContain("December 2026 so far, day by day");
    // One scale for both, from the lowest figure to the highest: December started above November.
    expect(text).toMatch(/Dec 2026 ▁▂▂ {28}\n/);
    const nov = /Nov 2026 (.{31})\n/.exec(text)?.[1] ?? "";
    expect(nov.startsWith("▁")).toBe(true);
    expect(nov.endsWith("█ ")).toBe(true);
    const levels = [...nov.trimEnd()].map((c) => "▁▂▃▄▅▆▇█".indexOf(c));
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
    expect(text).toMatch(/ {2}3 +1,570 +1,355/);
    expect(text).toMatch(/ {2}4 +– +1,475/);
    expect(msg.text).toBe("December 2026 so far, day by day. December 2026: 1,570 MAU on day 3.");
    expect(checkBlockLimits(msg)).toEqual([]);
  });

  it("draws both months as a native line chart, day of the month on the axis, gaps left as gaps", () => {
    const msg = renderMonthCurve(view);
    const chart = msg.blocks.find((b) => b.type === "data_visualization");
    if (chart?.type !== "data_visualization") throw new Error("no chart");
    const { categories } = chart.chart.axis_config;
    // 31 days do not fit 20 categories: every other day, each the last figure of its two days.
    expect(categories).toEqual(Array.from({ length: 16 }, (_, i) => String(1 + 2 * i)));
    const [dec, nov] = chart.chart.series;
    expect(dec?.name).toBe("Dec 2026");
    expect(dec?.data).toEqual([
      { label: "1", value: 1_000 + 47 * 10 },
      { label: "3", value: 1_000 + 57 * 10 },
    ]);
    expect(nov?.name).toBe("Nov 2026");
    expect(nov?.data).toHaveLength(15);
    expect(nov?.data[0]).toEqual({ label: "1", value: 1_000 + 47 * 5 });
    expect(chart.chart.axis_config.x_label).toBe("Day of the month");
    expect(checkBlockLimits(msg)).toEqual([]);
    // Without the newer blocks the figures and sparklines remain.
    const classic = allText(withoutNewerBlocks(msg));
    expect(classic).toMatch(/Dec 2026 ▁▂▂/);
    expect(classic).toMatch(/ {2}3 +1,570 +1,355/);
  });

  it("charts February on the axis of the longer month, and draws no chart without samples", () => {
    const feb = monthCurveView({
      current: hourly(Date.UTC(2027, 1, 1), 24 * 27, 1),
      previous: [],
      now: Date.UTC(2027, 1, 28, 12),
      timeZone: "UTC",
      host: "h",
    });
    const chart = renderMonthCurve(feb).blocks.find((b) => b.type === "data_visualization");
    // The axis runs to the 31st (January, the month before, had one): every other day.
    expect(chart && chart.type === "data_visualization" ? chart.chart.axis_config.categories : []).toEqual(
      Array.from({ length: 16 }, (_, i) => String(1 + 2 * i)),
    );
    const empty = monthCurveView({ current: [], previous: [], now, timeZone: "UTC", host: "h" });
    expect(renderMonthCurve(empty).blocks.some((b) => b.type === "data_visualization")).toBe(false);
  });

  it("without any sample says how the curve comes about", () => {
    const empty = monthCurveView({ current: [], previous: [], now, timeZone: "UTC", host: "h" });
    expect(allText(renderMonthCurve(empty))).toMatch(/No samples yet/);
  });
});

describe("sparkline", () => {
  it("puts values on a shared min..max scale, gaps as spaces", () => {
    expect(sparkline([0, 50, 100, undefined, 25], 0, 100)).toBe("▁▅█ ▃");
    expect(sparkline([58_851, 66_202], 58_851, 66_202)).toBe("▁█");
    expect(sparkline([7, 7], 7, 7)).toBe("▄▄");
  });
});

describe("the command", () => {
  it("is `month-curve` (or `curve`), public allowed, and round-trips", () => {
    const opts = { now: Date.UTC(2026, 11, 3), timeZone: "UTC" };
    for (const text of ["month-curve", "curve", "Month-Curve public"]) {
      const r = parseCommand(text, opts);
      expect(r.ok && r.command.query.kind).toBe("curve");
    }
  });
});
