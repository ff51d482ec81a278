/** `all [month]`: the comparison of several servers, pure, and its deadline over fake services. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ComparedServer, comparisonView, fetchComparison } from "../../src/answer/compare.js";
import { GluuError } from "../../src/gluu/errors.js";
import type { StatResult } from "../../src/gluu/model.js";
import { renderComparisonJson } from "../../src/report/json.js";
import { checkBlockLimits, renderComparison, withoutNewerBlocks } from "../../src/report/slack/index.js";
import { renderComparisonText } from "../../src/report/text.js";
import { allText, m, stats } from "../report/helpers.js";

const nov = m(2021, 11);
const oct = m(2021, 10);
const result = (...months: ReturnType<typeof stats>[]): StatResult => ({
  months,
  noData: [],
  fetchedAt: Date.UTC(2021, 11, 2, 9),
});
const server = (name: string, figures: ComparedServer["figures"], licensedMau?: number): ComparedServer => ({
  name,
  displayName: name[0]?.toUpperCase() + name.slice(1),
  figures,
  ...(licensedMau !== undefined ? { licensedMau } : {}),
});
const view = (servers: ComparedServer[], current = false) =>
  comparisonView({ month: nov, current, timeZone: "UTC", servers });

describe("comparisonView", () => {
  it("one row per server in order, with change and tokens, and the sum of separate servers", () => {
    const v = view([
      server("prod", {
        ok: true,
        result: result(stats(oct, 9_000), stats(nov, 10_000, { authorization_code: { access_token: 5 } })),
      }),
      server("staging", { ok: true, result: result(stats(oct, 100), stats(nov, 80)) }, 1_000),
    ]);
    expect(v.rows.map((r) => [r.name, r.stats?.mau, r.change?.absolute, r.tokens])).toEqual([
      ["prod", 10_000, 1_000, 5],
      ["staging", 80, -20, 0],
    ]);
    expect(v.rows[1]?.usage).toEqual({ limit: 1_000, percent: 8, over: false });
    expect(v.sum).toMatchObject({ servers: 2, mau: 10_080, tokens: 5, change: { absolute: 980 } });
  });

  it("shows an unavailable server and a server without data in their rows, and sums only figures", () => {
    const v = view([
      server("prod", { ok: true, result: result(stats(oct, 9_000), stats(nov, 10_000)) }),
      server("staging", { ok: false, reason: "unavailable: cannot be reached" }),
      server("eu", { ok: true, result: { months: [], noData: [oct, nov], fetchedAt: 1 } }),
      server("us", { ok: true, result: result(stats(nov, 5)) }),
    ]);
    expect(v.rows[1]?.unavailable).toBe("unavailable: cannot be reached");
    expect(v.rows[2]).toMatchObject({ noData: true });
    expect(v.rows[2]?.stats).toBeUndefined();
    // us has no October: the sum's change would compare unlike with like.
    expect(v.sum).toEqual({ servers: 2, mau: 10_005, tokens: 0 });
    const text = renderComparisonText(v);
    expect(text).toMatch(/Staging\s+unavailable: cannot be reached/);
    expect(text).toMatch(/Eu\s+no data/);
    expect(text).toMatch(/Sum of 2 separate servers\s+10,005/);
  });

  it("has no sum for one server with figures, and no change for the month in progress", () => {
    const one = view([
      server("prod", { ok: true, result: result(stats(oct, 9_000), stats(nov, 10_000)) }),
      server("staging", { ok: false, reason: "unavailable: busy" }),
    ]);
    expect(one.sum).toBeUndefined();
    const current = view(
      [
        server("prod", { ok: true, result: result(stats(oct, 9_000), stats(nov, 10_000)) }),
        server("qa", { ok: true, result: result(stats(oct, 1), stats(nov, 2)) }),
      ],
      true,
    );
    expect(current.rows[0]?.change).toBeUndefined();
    expect(current.sum?.change).toBeUndefined();
    expect(renderComparisonText(current)).toContain("so far");
  });

  it("sums exactly the rows with figures, and renders within Slack's limits, for up to 10 servers", () => {
    const figures = fc.oneof(
      fc.record({ ok: fc.constant(false as const), reason: fc.constant("unavailable: busy") }),
      fc
        .tuple(fc.option(fc.nat({ max: 10_000_000 })), fc.option(fc.nat({ max: 10_000_000 })))
        .map(([before, now]) => ({
          ok: true as const,
          result: result(
            ...(before === null ? [] : [stats(oct, before)]),
            ...(now === null ? [] : [stats(nov, now)]),
          ),
        })),
    );
    fc.assert(
      fc.property(fc.array(figures, { minLength: 1, maxLength: 10 }), fc.boolean(), (all, licensed) => {
        const v = view(
          all.map((f, i) => server(`server-${i}`, f, licensed ? 1_000_000 : undefined)),
          false,
        );
        const withFigures = v.rows.filter((r) => r.stats);
        const total = withFigures.reduce((n, r) => n + (r.stats?.mau ?? 0), 0);
        if (withFigures.length >= 2) expect(v.sum?.mau).toBe(total);
        else expect(v.sum).toBeUndefined();
        const message = renderComparison(v);
        expect(checkBlockLimits(message)).toEqual([]);
        expect(checkBlockLimits(withoutNewerBlocks(message))).toEqual([]);
        // Every figure is in the text too, not only in the table.
        const text = allText({
          text: message.text,
          blocks: message.blocks.filter((b) => b.type !== "table"),
        });
        for (const r of withFigures) expect(text).toContain((r.stats?.mau ?? 0).toLocaleString("en-US"));
        const json = JSON.parse(renderComparisonJson(v)) as { servers: unknown[] };
        expect(json.servers).toHaveLength(all.length);
      }),
    );
  });
});

describe("fetchComparison", () => {
  const ok = { months: [stats(oct, 1), stats(nov, 2)], noData: [], fetchedAt: 1 };

  it("uses what is cached, and cuts off a slow or busy server at the deadline, saying how long it expects", async () => {
    const now = 1_000;
    const asked: string[] = [];
    const sources = [
      { name: "cached", displayName: "Cached", stats: { get: async () => ok, peek: () => ok } },
      {
        name: "busy",
        displayName: "Busy",
        stats: {
          get: () => {
            asked.push("busy");
            return new Promise<StatResult>(() => {});
          },
          estimateReadyAt: () => now + 40_000,
        },
      },
      { name: "slow", displayName: "Slow", stats: { get: () => new Promise<StatResult>(() => {}) } },
      {
        name: "down",
        displayName: "Down",
        stats: { get: async () => Promise.reject(new GluuError("network", "ECONNREFUSED")) },
      },
    ];
    const started = Date.now();
    const out = await fetchComparison(sources, nov, { now: () => now, deadlineMs: 200 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(out.map((s) => (s.figures.ok ? "ok" : s.figures.reason))).toEqual([
      "ok",
      "unavailable: busy, figures in about 40 s",
      "unavailable: still answering; ask again in a minute",
      "unavailable: cannot be reached",
    ]);
    // The busy server is asked all the same: its answer fills the cache for the next time.
    expect(asked).toEqual(["busy"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });
});
