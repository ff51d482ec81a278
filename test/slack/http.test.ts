/**
 * The acceptance tests for `/gluu-stats` over HTTP: signed requests from the Slack double
 * to the real server (`startServer`) on loopback, figures from the Gluu emulator, replies read
 * back at the response_urls the double hands out.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorCounters } from "../../src/emulator/index.js";
import {
  addMonths,
  isoMonth,
  type Month,
  monthLabel,
  monthProgressAt,
  monthRange,
  sameMonth,
  shortMonthLabel,
} from "../../src/months.js";
import { formatCount } from "../../src/report/format.js";
import {
  ackMessage,
  ago,
  allText,
  blockText,
  buttonOf,
  CURRENT,
  getJson,
  type Harness,
  headerOf,
  mauText,
  re,
  type Sent,
  startHarness,
  statsOf,
  tableLines,
  tokensText,
} from "./harness.js";

const iso = isoMonth;
/** "December 2026, day 3 of 31": the month in progress as the bot labels it today. */
const progressTitle = (m: Month) => {
  const p = monthProgressAt(Date.now());
  return `${monthLabel(m)}, day ${p.day} of ${p.days}`;
};
const mm = (m: Month) => String(m.month).padStart(2, "0");

/** What a reply must show. */
type Expected =
  | { readonly kind: "month"; readonly month: Month }
  | { readonly kind: "series"; readonly from: Month; readonly to: Month; readonly title: string }
  | { readonly kind: "export"; readonly from: Month; readonly to: Month };

const trendFrom = ago(12);
const trendTo = ago(1);
const lastYear = CURRENT.year - 1;
const trendTitle = `12-month trend: ${shortMonthLabel(trendFrom)} – ${shortMonthLabel(trendTo)}`;

/** Every grammar form of the usage text, relative to the current month, with what it must answer. */
const FORMS: ReadonlyArray<readonly [string, string, Expected]> = [
  ["empty: the current month so far", "", { kind: "month", month: CURRENT }],
  ["last", "last", { kind: "month", month: ago(1) }],
  ["previous", "previous", { kind: "month", month: ago(1) }],
  ["YYYY-MM", iso(ago(5)), { kind: "month", month: ago(5) }],
  ["YYYYMM", `${ago(6).year}${mm(ago(6))}`, { kind: "month", month: ago(6) }],
  ["MM/YYYY", `${ago(7).month}/${ago(7).year}`, { kind: "month", month: ago(7) }],
  ["Mon YYYY", shortMonthLabel(ago(8)), { kind: "month", month: ago(8) }],
  ["Month YYYY", monthLabel(ago(9)), { kind: "month", month: ago(9) }],
  ["a bare month name", shortMonthLabel(ago(4)).slice(0, 3).toLowerCase(), { kind: "month", month: ago(4) }],
  [
    "a year",
    String(lastYear),
    {
      kind: "series",
      from: { year: lastYear, month: 1 },
      to: { year: lastYear, month: 12 },
      title: String(lastYear),
    },
  ],
  [
    "a range with ..",
    `${iso(ago(7))}..${iso(ago(2))}`,
    {
      kind: "series",
      from: ago(7),
      to: ago(2),
      title: `${shortMonthLabel(ago(7))} – ${shortMonthLabel(ago(2))}`,
    },
  ],
  [
    "a range with to",
    `${shortMonthLabel(ago(10)).toLowerCase()} to ${shortMonthLabel(ago(3)).toLowerCase()}`,
    {
      kind: "series",
      from: ago(10),
      to: ago(3),
      title: `${shortMonthLabel(ago(10))} – ${shortMonthLabel(ago(3))}`,
    },
  ],
  ["trend", "trend", { kind: "series", from: trendFrom, to: trendTo, title: trendTitle }],
  ["12m", "12m", { kind: "series", from: trendFrom, to: trendTo, title: trendTitle }],
  ["export", "export", { kind: "export", from: trendFrom, to: trendTo }],
];

/** Asserts that a reply shows exactly the emulator's figures for what was asked. */
function expectFigures(body: { text?: unknown; blocks?: unknown }, expected: Expected): void {
  const text = blockText(body);
  switch (expected.kind) {
    case "month": {
      const m = expected.month;
      const current = sameMonth(m, CURRENT);
      const label = monthLabel(m);
      const title = current ? progressTitle(m) : label;
      expect(headerOf(body)).toBe(title);
      expect(body.text).toMatch(new RegExp(`^${re(title)}: ${re(mauText(m))} monthly active users`));
      expect(text).toContain(`*Monthly active users*\n*${mauText(m)}*`);
      expect(text).toContain(`*Tokens issued:* ${tokensText(m)}`);
      const before = addMonths(m, -1);
      if (current) {
        // Part of a month is not compared with a whole one: the whole month is shown for scale.
        expect(text).not.toContain("*Change vs");
        expect(text).toContain(`*${monthLabel(before)}, whole month*\n${mauText(before)}`);
        return;
      }
      const diff = statsOf(m).mau - statsOf(before).mau;
      expect(text).toContain(`*Change vs ${monthLabel(before)}*`);
      expect(text).toContain(`${diff > 0 ? "+" : ""}${formatCount(diff)}`);
      return;
    }
    case "series": {
      const months = monthRange(expected.from, expected.to);
      expect(headerOf(body)).toBe(expected.title);
      const lines = tableLines(body);
      for (const m of months) {
        const row = lines.filter((l) => l.startsWith(shortMonthLabel(m)));
        expect(row, shortMonthLabel(m)).toHaveLength(1);
        expect(row[0]).toMatch(new RegExp(`^${re(shortMonthLabel(m))}\\s+${re(mauText(m))}(\\s|$)`));
      }
      const maus = months.map((m) => statsOf(m).mau);
      const max = Math.max(...maus);
      const maxMonth = months[maus.indexOf(max)] as Month;
      const average = maus.reduce((a, b) => a + b, 0) / maus.length;
      expect(text).toContain(
        `*Average*\n${formatCount(average)}\n_over the ${months.length} months with data_`,
      );
      expect(text).toContain(`*Maximum*\n${formatCount(max)} in ${monthLabel(maxMonth)}`);
      return;
    }
    case "export": {
      const months = monthRange(expected.from, expected.to);
      expect(headerOf(body)).toBe(
        `MAU billing export: ${shortMonthLabel(expected.from)} – ${shortMonthLabel(expected.to)}`,
      );
      const lines = tableLines(body);
      for (const m of months) {
        expect(lines.filter((l) => new RegExp(`^${re(iso(m))}\\s+${re(mauText(m))}$`).test(l))).toHaveLength(
          1,
        );
      }
      const sum = months.reduce((s, m) => s + statsOf(m).mau, 0);
      // Gluu's stat-exporter: SHA-256 of the decimal string of 42 + the sum of the MAU values.
      const signature = createHash("sha256")
        .update(String(42 + sum))
        .digest("hex");
      expect(text).toContain(`*mau-signature*\n\`${signature}\``);
      expect(body.text).toContain(signature);
      return;
    }
  }
}

async function noReplyAt(h: Harness, sent: Sent, waitMs = 150): Promise<void> {
  await new Promise((r) => setTimeout(r, waitMs));
  expect(h.postsAt(sent.path)).toEqual([]);
}

const snapshot = (c: EmulatorCounters): EmulatorCounters => ({ ...c });

describe.each([
  { family: "janssen" as const, env: {}, emulator: {} },
  // The interval is not the point here: off on both sides, so each form gets its answer at once.
  { family: "gluu4" as const, env: { GLUU_MIN_INTERVAL_S: "0" }, emulator: { intervalLimitS: 0 } },
])("every grammar form against $family", ({ family, env, emulator }) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ family, env, emulator });
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(FORMS)(
    "%s (%j): answered once with the server's figures, in the ack when the cache holds them",
    async (_, text, expected) => {
      const statBefore = h.emulator.counters.stat;
      const sent = await h.command(text);
      expect(sent.ack.status).toBe(200);
      const reply = await h.reply(sent.path);
      expect(reply.body.response_type).toBe("ephemeral");
      expectFigures(reply.body, expected);
      await new Promise((r) => setTimeout(r, 50));
      if (sent.ack.body === "") {
        // It needed the server: a bare ack, then one post at the response_url.
        expect(h.emulator.counters.stat).toBeGreaterThan(statBefore);
        expect(h.postsAt(sent.path)).toHaveLength(1);
      } else {
        // From the cache: the ack is the answer, and the response_url is not used at all.
        expect(h.emulator.counters.stat).toBe(statBefore);
        expect(h.postsAt(sent.path)).toEqual([]);
      }
    },
  );

  it("the first question goes to the server and the response_url; the neighbourhood then rides in the ack", () => {
    // The first form asked the server; the neighbourhood fetch brought what the rest needed.
    expect(h.emulator.counters.statOk).toBe(1);
  });

  it("the emulator was asked over real HTTP, with one token for all of it", () => {
    expect(h.emulator.counters.statOk).toBeGreaterThan(0);
    expect(h.emulator.counters.token).toBe(1);
    expect(h.emulator.requests.every((r) => r.status === 200 || r.status === 404)).toBe(true);
  });
});

describe("HTTP mode against janssen", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ["a month", `${iso(ago(2))} public`, { kind: "month", month: ago(2) }],
    ["public first", `public ${iso(ago(3))}`, { kind: "month", month: ago(3) }],
    ["the trend", "trend public", { kind: "series", from: trendFrom, to: trendTo, title: trendTitle }],
    ["the export", "export public", { kind: "export", from: trendFrom, to: trendTo }],
  ] as const)("`public` with %s answers in_channel, without the share button", async (_, text, expected) => {
    const sent = await h.command(text);
    expect(sent.ack.status).toBe(200);
    const reply = await h.reply(sent.path);
    expect(reply.body.response_type).toBe("in_channel");
    expectFigures(reply.body, expected);
    expect(buttonOf(reply.body, "share")).toBeUndefined();
  });

  it("help comes back in the ack itself; nothing is fetched or posted", async () => {
    const before = snapshot(h.emulator.counters);
    const sent = await h.command("help");
    expect(sent.ack.status).toBe(200);
    const ack = ackMessage(sent.ack);
    expect(ack.text).toBe("How to use the Gluu statistics command.");
    const text = blockText(ack);
    expect(text).toContain("*Usage:* `/gluu-stats [what] [public]`");
    for (const form of ["`last`", "`202111`", "`11/2021`", "`Nov 2021`", "`trend`", "`export`", "`public`"]) {
      expect(text).toContain(form);
    }
    await noReplyAt(h, sent);
    expect(h.emulator.counters).toEqual(before);
  });

  it.each(["history", "post"])(
    "%s without a monthly post configured: explained, nothing fetched",
    async (text) => {
      const before = snapshot(h.emulator.counters);
      const sent = await h.command(text);
      expect(sent.ack.status).toBe(200);
      if (text === "post") {
        // `post` is for admins; with ADMIN_USER_IDS empty nobody is one: refused in the ack.
        expect(ackMessage(sent.ack).text).toBe(
          "Only the admins of this bot (ADMIN_USER_IDS) may post the monthly summary by hand.",
        );
        await noReplyAt(h, sent);
      } else {
        expect(sent.ack.body).toBe("");
        const reply = await h.reply(sent.path);
        expect(allText(reply.body)).toContain("No monthly post is configured (REPORT_CHANNEL is not set)");
        expect(reply.body.response_type).toBe("ephemeral");
      }
      expect(h.emulator.counters).toEqual(before);
    },
  );

  it.each([
    [
      "a future month",
      () => iso(addMonths(CURRENT, 1)),
      `${monthLabel(addMonths(CURRENT, 1))} is in the future`,
    ],
    ["a reversed range", () => `${iso(ago(2))}..${iso(ago(5))}`, "That range runs backwards"],
    ["a 25-month range", () => `${iso(ago(24))}..${iso(CURRENT)}`, "That range covers 25 months"],
    ["nonsense", () => "banana bread", "I didn't understand “banana bread”"],
    ["public with help", () => "help public", "“public” does not go with help"],
  ])("%s: one sentence and the usage in the ack; the emulator is not asked", async (_, text, sentence) => {
    const before = snapshot(h.emulator.counters);
    const requests = h.emulator.requests.length;
    const sent = await h.command(text());
    expect(sent.ack.status).toBe(200);
    const ack = ackMessage(sent.ack);
    const blocks = Array.isArray(ack.blocks) ? ack.blocks : [];
    const first = blockText({ blocks: blocks.slice(0, 1) });
    expect(first.startsWith(`:warning: ${sentence}`)).toBe(true);
    // One sentence: a single line ending in a full stop, with nothing after it.
    expect(first).not.toContain("\n");
    expect(first.trimEnd().endsWith(".")).toBe(true);
    expect(ack.text?.startsWith(sentence)).toBe(true);
    expect(blockText({ blocks: blocks.slice(1) })).toContain("*Usage:* `/gluu-stats [what] [public]`");
    await noReplyAt(h, sent);
    expect(h.emulator.counters.stat).toBe(before.stat);
    expect(h.emulator.counters).toEqual(before);
    expect(h.emulator.requests).toHaveLength(requests);
  });

  it.each([
    [
      "a forged signature",
      { headers: { "x-slack-signature": `v0=${"0".repeat(64)}` } },
      "signature mismatch",
    ],
    ["a timestamp 6 minutes old", { timestampS: Math.floor(Date.now() / 1000) - 6 * 60 }, "stale"],
  ])("%s: 401, and no handler ran", async (_, opts, logged) => {
    const before = snapshot(h.emulator.counters);
    const requests = h.emulator.requests.length;
    const acks = h.logs.grep("ack() call begins").length;
    const warned = h.logs.grep(logged).length;
    // A month nobody asked for yet: a handler that ran would have to ask the emulator.
    const sent = await h.command(iso(ago(20)), {}, opts);
    expect(sent.ack.status).toBe(401);
    await noReplyAt(h, sent);
    expect(h.emulator.counters).toEqual(before);
    expect(h.emulator.requests).toHaveLength(requests);
    expect(h.logs.grep("ack() call begins")).toHaveLength(acks);
    expect(h.logs.grep(logged)).toHaveLength(warned + 1);
  });

  it("a slow Gluu server (5 s) does not delay the ack; the answer follows at the response_url", async () => {
    // A fresh bot: after any answer the shared one has the whole emulator data cached.
    const fresh = await startHarness();
    fresh.emulator.faults = { delayMs: 5_000, times: 1 };
    try {
      const m = ago(14);
      const sent = await fresh.command(iso(m));
      const ackedAt = Date.now();
      expect(sent.ack).toMatchObject({ status: 200, body: "" });
      expect(sent.ack.ms).toBeLessThan(1_500);
      expect(fresh.postsAt(sent.path)).toEqual([]);
      const reply = await fresh.reply(sent.path, 10_000);
      expect(reply.at - ackedAt).toBeGreaterThanOrEqual(4_000);
      expectFigures(reply.body, { kind: "month", month: m });
    } finally {
      await fresh.close();
    }
  });

  it("GET /healthz: gluu.ok after a successful call, false after a failing one, ok again after a success", async () => {
    const ok = await h.command(iso(ago(16)));
    await h.reply(ok.path);
    const healthy = await getJson(`${h.base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(healthy.body).toMatchObject({ ready: true, gluu: { ok: true } });

    // A fresh bot, whose cache does not hold the month yet (every answer brings two years).
    const fresh = await startHarness();
    try {
      fresh.emulator.faults = { status: 500, times: 1 };
      const failing = await fresh.command(iso(ago(18)));
      const failed = await fresh.reply(failing.path);
      expect(allText(failed.body)).toContain("reported an internal error");
      const unhealthy = await getJson(`${fresh.base}/healthz`);
      expect(unhealthy.status).toBe(200);
      expect(unhealthy.body).toMatchObject({ ready: true, gluu: { ok: false, error: "server" } });

      const again = await fresh.command(iso(ago(18)));
      expectFigures((await fresh.reply(again.path)).body, { kind: "month", month: ago(18) });
      expect((await getJson(`${fresh.base}/healthz`)).body).toMatchObject({ gluu: { ok: true } });
    } finally {
      await fresh.close();
    }
  });
});

describe.each([
  { family: "janssen" as const, intervalLimitS: 0 },
  // The real server's 60 s interval: the one request the bot makes must be enough.
  { family: "gluu4" as const, intervalLimitS: 60 },
])("200 simultaneous commands for one month against $family", ({ family, intervalLimitS }) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ family, emulator: { intervalLimitS } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("are all acked and answered, with one stat request and one token", async () => {
    const m = ago(3);
    const sent = await Promise.all(Array.from({ length: 200 }, () => h.command(iso(m))));
    expect(sent.map((s) => s.ack.status)).toEqual(Array(200).fill(200));
    const replies = await Promise.all(sent.map((s) => h.reply(s.path, 15_000)));
    for (const [i, s] of sent.entries()) {
      // Once, either way: commands that arrived after the figures did carry them in the ack.
      // Until Slack is seen drawing a table, an ack carries the text form and the table replaces it.
      const posts = h.postsAt(s.path);
      expect(posts.filter((p) => p.body.replace_original !== true)).toHaveLength(s.ack.body === "" ? 1 : 0);
      expect(posts.length).toBeLessThanOrEqual(1);
      expect(replies[i]?.status).toBe(200);
      expect(replies[i]?.body.text).toMatch(new RegExp(`^${re(monthLabel(m))}: ${re(mauText(m))} monthly`));
    }
    expect(h.emulator.counters.statOk).toBe(1);
    expect(h.emulator.counters.token).toBe(1);
    expect(h.emulator.counters.stat403).toBe(0);

    const ms = sent.map((s) => s.ack.ms).sort((a, b) => a - b);
    const pct = (p: number) =>
      ms[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)] ?? Number.NaN;
    console.log(
      `[ack latency, 200 concurrent, ${family}] p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${(ms.at(-1) ?? 0).toFixed(1)} ms`,
    );
    expect(pct(99)).toBeLessThan(3_000);
  });

  it("a range over the months just fetched is answered from the cache, without another request", async () => {
    // On gluu4 the next request would have to wait out the 60 s interval: a prompt answer shows
    // none was needed.
    const sent = await h.command(`${iso(ago(4))}..${iso(ago(3))}`);
    const reply = await h.reply(sent.path, 3_000);
    expectFigures(reply.body, {
      kind: "series",
      from: ago(4),
      to: ago(3),
      title: `${shortMonthLabel(ago(4))} – ${shortMonthLabel(ago(3))}`,
    });
    expect(h.emulator.counters.statOk).toBe(1);
    expect(h.emulator.counters.token).toBe(1);
  });
});

describe("stop", () => {
  it("a command in flight when stop() is called still gets its reply, and stop resolves", async () => {
    const h = await startHarness({ emulator: { intervalLimitS: 0 } });
    try {
      h.emulator.faults = { delayMs: 1_000, times: 1 };
      const m = ago(2);
      const sent = await h.command(iso(m));
      expect(sent.ack).toMatchObject({ status: 200, body: "" });
      expect(h.postsAt(sent.path)).toEqual([]);
      const started = Date.now();
      await h.stop();
      const stoppedAfter = Date.now() - started;
      // stop() waited for the reply: it is there by the time stop resolves.
      const posts = h.postsAt(sent.path);
      expect(posts.map((p) => p.status)).toEqual([200]);
      expectFigures(posts[0]?.body ?? {}, { kind: "month", month: m });
      expect(stoppedAfter).toBeGreaterThanOrEqual(500);
      expect(stoppedAfter).toBeLessThan(5_000);
      // No longer taking requests.
      await expect(h.command(iso(m))).rejects.toThrow();
      expect(h.logs.grep("abandoned")).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
