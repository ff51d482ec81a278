/** The several-servers Home (renderHomes): within a view's limits for 1 and 10 servers, in order. */
import { describe, expect, it } from "vitest";
import { monthView, seriesView } from "../../src/answer/index.js";
import { monthRange } from "../../src/months.js";
import { checkHomeLimits, HOME_BLOCKS_MAX, renderHomes } from "../../src/report/slack/index.js";
import type { HomeView, Source } from "../../src/report/view.js";
import { allText, FETCHED_AT, m, stats } from "./helpers.js";

const months = monthRange(m(2020, 12), m(2021, 12));
// Server i has 100·i more users every month than server 0, so each line of the chart is its own.
const resultOf = (server: number) => ({
  months: months.map((month, k) => stats(month, 50_000 + k * 1_000 + server * 100)),
  noData: [],
});

function serverHome(i: number): HomeView {
  const result = resultOf(i);
  const source: Source = {
    host: `idp${i}.example.com`,
    fetchedAt: FETCHED_AT + i,
    timeZone: "UTC",
    licensedMau: 60_000,
  };
  return {
    kind: "home",
    host: source.host,
    server: `s${i}`,
    timeZone: "UTC",
    admin: true,
    health: "Answering: last answer 2 Dec 2021, 09:04 UTC.",
    figures: {
      current: monthView({ month: m(2021, 12), current: true, result }, source),
      last: monthView({ month: m(2021, 11), current: false, result }, source),
      trend: seriesView(
        { series: "trend", title: "Last 12 months", months: months.slice(0, 12), result },
        source,
      ),
    },
    schedule: {
      nextRun: Date.UTC(2022, 0, 1, 9),
      deliveries: [1, 2, 3].map((k) => ({
        month: `2021${String(k + 8).padStart(2, "0")}`,
        channel: "C0REPORT01",
        at: Date.UTC(2021, k + 8, 1, 9),
        outcome: "posted" as const,
        trigger: "schedule",
      })),
    },
  };
}

describe("renderHomes", () => {
  it.each([1, 10])("%d servers: every server's part in order, within a view's limits", (n) => {
    const views = Array.from({ length: n }, (_, i) => serverHome(i));
    const tab = renderHomes(views);
    expect(checkHomeLimits(tab)).toEqual([]);
    expect(tab.blocks.length).toBeLessThanOrEqual(HOME_BLOCKS_MAX);
    const text = allText({ text: "", blocks: tab.blocks });
    const at = views.map((_, i) => text.indexOf(`idp${i}.example.com`));
    expect(at.every((p) => p >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The last month's figure of each server, and its licence use.
    expect(text).toContain("61,000");
    expect(text).toContain("over the licensed 60,000");
    // Each server's last three deliveries.
    for (const mm of ["2021-09", "2021-10", "2021-11"]) expect(text.split(mm).length - 1).toBe(n);
    // Each server's buttons carry its name, in the command they stand for and in their id.
    const values = JSON.stringify(tab.blocks);
    for (let i = 0; i < n; i++) {
      expect(values).toContain(`"value":"s${i} trend"`);
      expect(values).toContain(`"value":"s${i} post"`);
    }
  });

  it("charts every server's 12 months, a line each, 6 to a chart, the values those of the text", () => {
    const views = Array.from({ length: 10 }, (_, i) => serverHome(i));
    const charts = renderHomes(views).blocks.filter((b) => b.type === "data_visualization");
    expect(charts).toHaveLength(2);
    const series = charts.flatMap((c) => c.chart.series);
    expect(series.map((x) => x.name)).toEqual(views.map((_, i) => `idp${i}.example.com`));
    series.forEach((line, i) => {
      // Dec 2020 … Nov 2021: 50,000 + 1,000 a month, + 100 per server.
      expect(line.data.map((p) => p.value)).toEqual(
        Array.from({ length: 12 }, (_, k) => 50_000 + k * 1_000 + i * 100),
      );
    });
    expect(charts[0]?.chart.axis_config.categories).toHaveLength(12);
  });

  it("past 12 servers, charts the first 12 and says so", () => {
    const tab = renderHomes(Array.from({ length: 13 }, (_, i) => serverHome(i)));
    expect(checkHomeLimits(tab)).toEqual([]);
    const charts = tab.blocks.filter((b) => b.type === "data_visualization");
    expect(charts.flatMap((c) => c.chart.series)).toHaveLength(12);
    expect(allText({ text: "", blocks: tab.blocks })).toContain("The chart shows the first 12 servers");
  });

  it("names a line by the server's short name when its display name is too long for a chart", () => {
    const long = { ...serverHome(1), host: "identity-provider.eu-west.example.com" } as HomeView;
    const charts = renderHomes([serverHome(0), long]).blocks.filter((b) => b.type === "data_visualization");
    expect(charts[0]?.chart.series.map((x) => x.name)).toEqual(["idp0.example.com", "s1"]);
  });

  it("a server that could not answer says why, next to the others' figures", () => {
    const down: HomeView = {
      kind: "home",
      host: "down.example.com",
      timeZone: "UTC",
      admin: false,
      unavailable: "down.example.com is not answering.",
    };
    const blocks = renderHomes([serverHome(0), down]).blocks;
    const text = allText({ text: "", blocks });
    expect(text).toContain("61,000");
    expect(text).toContain("down.example.com is not answering.");
    // Only the server with figures has a line.
    const charts = blocks.filter((b) => b.type === "data_visualization");
    expect(charts.flatMap((c) => c.chart.series.map((x) => x.name))).toEqual(["idp0.example.com"]);
  });
});
