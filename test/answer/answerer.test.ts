/** Answerer: one stat call and one render per burst of identical commands, reuse while the figures hold. */
import { describe, expect, it } from "vitest";
import { Answerer, answerView, isStatsCommand, type StatsCommand } from "../../src/answer/index.js";
import type { StatResult } from "../../src/gluu/model.js";
import type { Month } from "../../src/months.js";
import { parseCommand } from "../../src/query/parse.js";
import type { View } from "../../src/report/view.js";

const NOW = Date.UTC(2026, 10, 26, 12);

function command(text: string): StatsCommand {
  const parsed = parseCommand(text, { now: NOW, timeZone: "UTC" });
  if (!parsed.ok || !isStatsCommand(parsed.command)) throw new Error(`not a stats command: ${text}`);
  return parsed.command;
}

function counting(get: (months: readonly Month[]) => Promise<StatResult>) {
  const counts = { stats: 0, renders: 0 };
  const deps = {
    stats: {
      get: (months: readonly Month[]) => {
        counts.stats++;
        return get(months);
      },
    },
    host: "idp.example.com",
    timeZone: "UTC",
    now: () => NOW,
  };
  const answerer = new Answerer(deps, (view: View) => {
    counts.renders++;
    return view;
  });
  return { counts, answerer, deps };
}

describe("Answerer", () => {
  it("answers a burst of identical commands with one stat call and one render", async () => {
    const { counts, answerer } = counting(async (months) => {
      await new Promise((r) => setTimeout(r, 20));
      return { months: [], noData: [...months], fetchedAt: NOW };
    });
    await Promise.all(Array.from({ length: 50 }, () => answerer.reply(command("2026-10"))));
    expect(counts).toEqual({ stats: 1, renders: 1 });
    // Figures without a fetch time of their newest month are never reused.
    await answerer.reply(command("2026-10"));
    expect(counts).toEqual({ stats: 2, renders: 2 });
    // A public answer is another reply (no buttons).
    await Promise.all([answerer.reply(command("2026-10")), answerer.reply(command("2026-10 public"))]);
    expect(counts).toEqual({ stats: 4, renders: 4 });
  });

  it("renders again only when a month of the answer was fetched again", async () => {
    let latest = NOW;
    const { counts, answerer } = counting(async (months) => ({
      months: [],
      noData: [...months],
      fetchedAt: NOW - 5000,
      latestFetchedAt: latest,
    }));
    await answerer.reply(command("2026-10"));
    await answerer.reply(command("2026-10"));
    expect(counts).toEqual({ stats: 2, renders: 1 });
    latest = NOW + 60_000;
    await answerer.reply(command("2026-10"));
    expect(counts).toEqual({ stats: 3, renders: 2 });
  });

  it("builds the same view as answerView, buttons included", async () => {
    const { answerer, deps } = counting(async (months) => ({
      months: [],
      noData: [...months],
      fetchedAt: NOW,
    }));
    const shown = await answerer.reply(command("2026-10"));
    expect(shown).toEqual(await answerView(command("2026-10"), deps));
    expect(shown.kind === "month" && shown.buttons?.next?.value).toBe("2026-11");
  });

  it("lets every caller of a failed burst see the failure, and tries again afterwards", async () => {
    let fail = true;
    const { counts, answerer } = counting(async (months) => {
      if (fail) throw new Error("boom");
      return { months: [], noData: [...months], fetchedAt: NOW };
    });
    const results = await Promise.allSettled([
      answerer.reply(command("2026-10")),
      answerer.reply(command("2026-10")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    await answerer.reply(command("2026-10"));
    expect(counts).toEqual({ stats: 2, renders: 1 });
  });
});

describe("Answerer.ready", () => {
  it("renders at once from figures the stat service can give without a request, else nothing", () => {
    let cached: StatResult | undefined;
    const asked: Month[][] = [];
    const renders: View[] = [];
    const answerer = new Answerer(
      {
        stats: {
          get: async () => {
            throw new Error("no request expected");
          },
          peek: (months) => {
            asked.push([...months]);
            return cached;
          },
        },
        host: "idp.example.com",
        timeZone: "UTC",
        now: () => NOW,
      },
      (view: View) => {
        renders.push(view);
        return view;
      },
    );
    expect(answerer.ready(command("2026-10"))).toBeUndefined();
    expect(asked).toEqual([
      [
        { year: 2026, month: 9 },
        { year: 2026, month: 10 },
      ],
    ]);
    cached = {
      months: [],
      noData: [
        { year: 2026, month: 9 },
        { year: 2026, month: 10 },
      ],
      fetchedAt: NOW,
    };
    expect(answerer.ready(command("2026-10"))).toMatchObject({
      kind: "month",
      month: { year: 2026, month: 10 },
    });
    expect(renders).toHaveLength(1);
  });
});
