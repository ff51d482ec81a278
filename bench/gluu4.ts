/**
 * The Gluu 4.x interval scenarios ("Instant answers on Gluu 4.x"), in real time against Gluu 4.x
 * emulators on loopback, the product's stat stack at its defaults (GLUU_MIN_INTERVAL_S=60, JSON)
 * side by side with the stat service before the change (baseline-stat-service.ts, same client):
 *
 * (a) navigation session on a 60 s server: this month → previous ×3 → trend → export → a month
 *     18 months back, each question asked as soon as the previous answer is there; time to each
 *     answer and stat requests.
 * (b) second answer: on 1 s, 5 s and 60 s servers, a question about this month, then 3 s later
 *     one about a month 40 months back (outside the first's neighbourhood); time from that
 *     second question to its answer (targets ≤ 2 s, ≤ 7 s, ≤ 62 s).
 *
 * These run in this process, not through a bot process and Slack: the waits are the Gluu
 * server's, seconds long, and the stat stack is the one `serve` builds (createGluuStack). All
 * runs go in parallel, each against its own emulator, so the whole takes as long as the slowest
 * (the baseline's navigation session, about five minutes).
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { monthsFor, type StatsQuery } from "../src/answer/fetch.js";
import { defaultGluuConfig } from "../src/config/index.js";
import { type Emulator, generateData, startEmulator } from "../src/emulator/index.js";
import { createGluuStack, StatClient, type StatResult } from "../src/gluu/index.js";
import { addMonths, isoMonth, type Month, monthAt } from "../src/months.js";
import { BaselineStatService } from "./baseline-stat-service.js";
import { type Prepared, startBot, startInfra, Target } from "./harness.js";
import { markdownTable, verdict } from "./measure.js";
import type { ResponseRecord } from "./protocol.js";

type Variant = "product" | "before";

interface Stack {
  get(months: readonly Month[]): Promise<StatResult>;
  close(): Promise<void>;
}

async function gluu4(intervalLimitS: number): Promise<Emulator> {
  const current = monthAt(Date.now());
  return startEmulator({
    family: "gluu4",
    intervalLimitS,
    // Six years of figures, so that a month 40 months back has some.
    data: generateData({ months: 72, endMonth: current, seed: 7 }),
  });
}

function stackFor(v: Variant, e: Emulator): Stack {
  const config = defaultGluuConfig({ url: e.url, clientId: "stat-client", clientSecret: "stat-secret" });
  if (v === "product") {
    const s = createGluuStack(config);
    return { get: (m) => s.service.get(m), close: () => s.close() };
  }
  const client = new StatClient(config);
  const service = new BaselineStatService(client, {
    minIntervalMs: config.minIntervalS * 1000,
    closeGraceMs: config.closeGraceMs,
  });
  return {
    get: (m) => service.get(m),
    close: async () => {
      service.close();
      await client.close();
    },
  };
}

const monthQ = (m: Month, current: Month): StatsQuery => ({
  kind: "month",
  month: m,
  current: m.year === current.year && m.month === current.month,
});

export interface Requests {
  readonly ok: number;
  readonly refused: number;
}

export interface Navigation {
  readonly labels: readonly string[];
  /** Seconds from each question to its answer. */
  readonly seconds: readonly number[];
  readonly requests: Requests;
}

async function navigation(v: Variant): Promise<Navigation> {
  const e = await gluu4(60);
  const s = stackFor(v, e);
  try {
    const current = monthAt(Date.now());
    const last = addMonths(current, -1);
    const twelve = { from: addMonths(current, -12), to: last };
    const steps: Array<[string, Month[]]> = [
      ["this month", monthsFor(monthQ(current, current))],
      ["previous", monthsFor(monthQ(addMonths(current, -1), current))],
      ["previous", monthsFor(monthQ(addMonths(current, -2), current))],
      ["previous", monthsFor(monthQ(addMonths(current, -3), current))],
      ["trend", monthsFor({ kind: "trend", ...twelve })],
      ["export", monthsFor({ kind: "export", ...twelve })],
      ["18 months back", monthsFor(monthQ(addMonths(current, -18), current))],
    ];
    const seconds: number[] = [];
    for (const [, months] of steps) {
      const t0 = performance.now();
      await s.get(months);
      seconds.push((performance.now() - t0) / 1000);
    }
    return {
      labels: steps.map(([l]) => l),
      seconds,
      requests: { ok: e.counters.statOk, refused: e.counters.stat403 },
    };
  } finally {
    await s.close();
    await e.close();
  }
}

export interface SecondAnswer {
  readonly intervalS: number;
  /** Seconds from the second question to its answer, and from the first question. */
  readonly fromAsk: number;
  readonly fromFirst: number;
  readonly first: number;
  readonly requests: Requests;
}

async function secondAnswer(v: Variant, intervalS: number): Promise<SecondAnswer> {
  const e = await gluu4(intervalS);
  const s = stackFor(v, e);
  try {
    const current = monthAt(Date.now());
    const t0 = performance.now();
    await s.get(monthsFor(monthQ(current, current)));
    const first = (performance.now() - t0) / 1000;
    await sleep(Math.max(0, 3_000 - (performance.now() - t0)));
    const t1 = performance.now();
    await s.get(monthsFor(monthQ(addMonths(current, -40), current)));
    const t2 = performance.now();
    return {
      intervalS,
      fromAsk: (t2 - t1) / 1000,
      fromFirst: (t2 - t0) / 1000,
      first,
      requests: { ok: e.counters.statOk, refused: e.counters.stat403 },
    };
  } finally {
    await s.close();
    await e.close();
  }
}

export const SECOND_ANSWER_INTERVALS = [1, 5, 60] as const;
/** Targets (issue "Instant answers on Gluu 4.x") for the time from the second question to its answer. */
const SECOND_TARGET_S: Readonly<Record<(typeof SECOND_ANSWER_INTERVALS)[number], number>> = {
  1: 2,
  5: 7,
  60: 62,
};
const secondTarget = (intervalS: (typeof SECOND_ANSWER_INTERVALS)[number]) => SECOND_TARGET_S[intervalS];

/** The bot itself in Slack (the double), a second command 3 s after the first: what its user sees. */
interface SeenInSlack {
  readonly intervalS: number;
  /** From the second command to the first post at its response_url. */
  readonly firstShownS: number;
  /** Whether that post was an interim reply (the answer replacing it later) or the answer. */
  readonly firstWasInterim: boolean;
  /** From the second command to its answer. */
  readonly answerS: number;
}

const INTERIM_AFTER_MS = 1_500;

/** The product bot against a Gluu 4.x emulator with `intervalS`, over the Slack double. */
async function seenInSlack(intervalS: number): Promise<SeenInSlack> {
  const e = await gluu4(intervalS);
  const { control: infra, info } = await startInfra();
  const bot = await startBot("product", { ...info, emulatorUrl: e.url });
  const target = new Target(bot.info.port, infra);
  try {
    const current = monthAt(Date.now());
    const t0 = performance.now();
    await target.send((await target.prepare(1, ""))[0] as Prepared);
    await infra.waitResponses(1, 10_000);
    await sleep(Math.max(0, 3_000 - (performance.now() - t0)));
    const second = (await target.prepare(1, isoMonth(addMonths(current, -40))))[0] as Prepared;
    const sent = await target.send(second);
    const posts = async () =>
      (await infra.responses())
        .filter((r) => r.path === second.path && r.status === 200)
        .sort((a, b) => a.at - b.at);
    // Answered once a post replaces the interim reply, or when the first post came before an
    // interim reply is due (the bot's default 1.5 s): then it is the answer itself.
    const answered = (seen: readonly ResponseRecord[]) =>
      seen.some((r) => r.replaces) || (seen[0] !== undefined && seen[0].at - sent.sentAt < INTERIM_AFTER_MS);
    const deadline = Date.now() + (intervalS + 10) * 1000;
    let seen = await posts();
    while (Date.now() < deadline && !answered(seen)) {
      await sleep(100);
      seen = await posts();
    }
    const [first, last] = [seen[0], seen[seen.length - 1]];
    if (!first || !last) throw new Error(`no reply at ${second.path} within ${intervalS + 10} s`);
    return {
      intervalS,
      firstShownS: (first.at - sent.sentAt) / 1000,
      firstWasInterim: seen.length > 1,
      answerS: (last.at - sent.sentAt) / 1000,
    };
  } finally {
    await target.close();
    await bot.stop();
    await infra.close().catch(() => {});
    await e.close();
  }
}

export interface Gluu4Results {
  readonly navigation: Readonly<Record<Variant, Navigation>>;
  readonly second: Readonly<Record<Variant, readonly SecondAnswer[]>>;
  readonly inSlack: readonly SeenInSlack[];
}

export async function gluu4Scenarios(): Promise<Gluu4Results> {
  const variants: Variant[] = ["product", "before"];
  const [nav, second, inSlack] = await Promise.all([
    Promise.all(variants.map((v) => navigation(v))),
    Promise.all(variants.map((v) => Promise.all(SECOND_ANSWER_INTERVALS.map((i) => secondAnswer(v, i))))),
    Promise.all(SECOND_ANSWER_INTERVALS.map((i) => seenInSlack(i))),
  ]);
  return {
    navigation: { product: nav[0] as Navigation, before: nav[1] as Navigation },
    second: { product: second[0] ?? [], before: second[1] ?? [] },
    inSlack,
  };
}

const sec = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const reqs = (r: Requests) => `${r.ok} stat${r.refused > 0 ? ` + ${r.refused} refused (403)` : ""}`;

export function gluu4Table(r: Gluu4Results): string {
  const rows: string[][] = [];
  const np = r.navigation.product;
  const nb = r.navigation.before;
  const total = (n: Navigation) => n.seconds.reduce((a, b) => a + b, 0);
  rows.push([
    `Navigation session on a Gluu 4.x server with a 60 s interval, s from each question to its answer: ${np.labels.join(" → ")}`,
    `${np.seconds.map(sec).join(" / ")} (total ${sec(total(np))} s)`,
    `${nb.seconds.map(sec).join(" / ")} (total ${sec(total(nb))} s)`,
    "",
    "",
  ]);
  rows.push([
    "Navigation session: stat requests",
    reqs(np.requests),
    reqs(nb.requests),
    "1 stat request",
    verdict(np.requests.ok === 1 && np.requests.refused === 0),
  ]);
  SECOND_ANSWER_INTERVALS.forEach((intervalS, i) => {
    const p = r.second.product[i];
    const b = r.second.before[i];
    if (!p || !b) return;
    const cell = (x: SecondAnswer) =>
      `${sec(x.fromAsk)} s (${sec(x.fromFirst)} s after the first question; first answer ${sec(x.first)} s; ${reqs(x.requests)})`;
    rows.push([
      `Gluu 4.x, ${intervalS} s interval: second question (a month 40 months back) 3 s after the first → its answer`,
      cell(p),
      cell(b),
      `≤ ${secondTarget(intervalS)} s`,
      verdict(p.fromAsk <= secondTarget(intervalS)),
    ]);
  });
  for (const x of r.inSlack) {
    rows.push([
      `Gluu 4.x, ${x.intervalS} s interval, the bot in Slack: second command (a month 40 months back) 3 s after the first → the first thing shown at its response_url`,
      `${sec(x.firstShownS)} s, ${x.firstWasInterim ? `an interim reply; the answer replaced it at ${sec(x.answerS)} s` : "the answer itself"}`,
      "",
      "≤ 2 s",
      verdict(x.firstShownS <= 2),
    ]);
  }
  return markdownTable(
    [
      "Measure (Gluu 4.x interval)",
      "Product, default settings",
      "Before (stat service at 27b040c, default settings)",
      "Target",
      "Result",
    ],
    rows,
  );
}
