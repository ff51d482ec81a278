/** The several-servers Home (renderHomes): within a view's limits for 1 and 10 servers, in order. */
import { describe, expect, it } from "vitest";
import { monthView, seriesView } from "../../src/answer/index.js";
import { monthRange } from "../../src/months.js";
import { checkHomeLimits, HOME_BLOCKS_MAX, renderHomes } from "../../src/report/slack/index.js";
import type { HomeView, Source } from "../../src/report/view.js";
import { allText, FETCHED_AT, m, stats } from "./helpers.js";

const months = monthRange(m(2020, 12), m(2021, 12));
const result = { months: months.map((month, i) => stats(month, 50_000 + i * 1_000)), noData: [] };

function serverHome(i: number): HomeView {
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
    // Each server's buttons carry its name, in the command they stand for and in their id.
    const values = JSON.stringify(tab.blocks);
    for (let i = 0; i < n; i++) {
      expect(values).toContain(`"value":"s${i} trend"`);
      expect(values).toContain(`"value":"s${i} post"`);
    }
  });

  it("a server that could not answer says why, next to the others' figures", () => {
    const down: HomeView = {
      kind: "home",
      host: "down.example.com",
      timeZone: "UTC",
      admin: false,
      unavailable: "down.example.com is not answering.",
    };
    const text = allText({ text: "", blocks: renderHomes([serverHome(0), down]).blocks });
    expect(text).toContain("61,000");
    expect(text).toContain("down.example.com is not answering.");
  });
});
