/**
 * `npm run bench`: the real bot in HTTP mode against the Gluu emulator and the Slack double, on
 * loopback, measured side by side with two baselines in the same run. Prints one markdown table
 * and writes it, with the machine it ran on, to bench/RESULTS.md.
 *
 * Processes (harness.ts): this one is the load generator and the clock; the emulator and the
 * Slack double share a second child; every bot under test runs alone in a fresh child
 * (bot.ts product|bare|naive) started with the same environment; `serve` children (the compiled
 * src/cli/main.js) give start-up time and idle RSS.
 */
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";
import { seriesView } from "../src/answer/index.js";
import { DEFAULT_GRANT_TYPES, generateData, writeOpenMetrics } from "../src/emulator/index.js";
import { parseStatBody } from "../src/gluu/parse/index.js";
import { monthAt } from "../src/months.js";
import { renderSeriesMessage } from "../src/report/slack/index.js";
import { type ChartResults, chartRows, chartScenarios } from "./chart.js";
import { gluu4Scenarios, gluu4Table } from "./gluu4.js";
import {
  baseEnv,
  CLI_JS,
  CONNECTIONS,
  countersDelta,
  freePort,
  type LevelResult,
  levelResult,
  log,
  type Prepared,
  RESULTS_MD,
  type Sample,
  START_FLAGS,
  startBot,
  startInfra,
  Target,
  tally,
  track,
} from "./harness.js";
import { type HomeResults, homeRows, homeScenarios } from "./home.js";
import { markdownTable, mb, median, ms, ratio, summarize, timeMedian, verdict, vmRss } from "./measure.js";
import type { BotMode, InfraControl, InfraInfo, MemoryReading } from "./protocol.js";

const LEVELS = [1, 50, 200] as const;
const DELAYS = [0, 2000] as const;
/** Each bot is measured this many times, interleaved, and the samples pooled: noise hits all alike. */
const ROUNDS = 2;
const RATIO_LIMIT = 1.15;

/**
 * The bots of the latency runs. `product` runs with GLUU_MIN_INTERVAL_S=0, so the current month is
 * never served from cache: every burst goes to the emulator (one shared request) and the reply
 * work overlaps the acks being timed; `product-warm` is the default configuration (current month
 * reused for 60 s), measured without emulator delay only, since with a warm cache it never asks.
 */
type Variant = "bare" | "product" | "product-warm" | "naive";
const VARIANT_MODE: Readonly<Record<Variant, BotMode>> = {
  bare: "bare",
  product: "product",
  "product-warm": "product",
  naive: "naive",
};
const VARIANT_ENV: Readonly<Record<Variant, Readonly<Record<string, string>>>> = {
  bare: {},
  product: { GLUU_MIN_INTERVAL_S: "0" },
  "product-warm": {},
  naive: {},
};
/** The naive bot under the delay is measured in the first round only: 2 s per command, nothing to learn twice. */
const variantsFor = (delay: number, round: number): Variant[] =>
  delay === 0
    ? ["bare", "product", "product-warm", "naive"]
    : round === 1
      ? ["bare", "product", "naive"]
      : ["bare", "product"];

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const stamp = (t0: number) => `[${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s]`;

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

const key = (v: Variant, delay: number, c: number) => `${v}|${delay}|${c}`;

interface Plan {
  readonly samples: number;
  readonly minMs: number;
  readonly maxMs: number;
}

function levelPlan(v: Variant, delay: number, c: number): Plan {
  // The naive bot under a 2 s delay takes 2 s per command: a few samples only.
  if (v === "naive" && delay > 0)
    return { samples: c === 1 ? 2 : 1, minMs: 0, maxMs: c === 1 ? 4_500 : 2_500 };
  // With a delay, each level lasts past one 2 s round trip, so a delayed answer (and the replies
  // it releases) lands inside the timed window.
  const minMs = delay > 0 ? delay + 500 : 0;
  if (c === 1) return { samples: 300, minMs, maxMs: 6_000 };
  if (c === 50) return { samples: 500, minMs, maxMs: 6_000 };
  return { samples: 1_000, minMs, maxMs: 6_000 };
}

/** Back-to-back sequential commands per round (the sequential cost of one command). */
const backToBackCount = (v: Variant, delay: number) => (v === "naive" && delay > 0 ? 2 : 500);

/** Key of the back-to-back run in LatencyRun.levels. */
const SEQ = 0;

interface LatencyRun {
  readonly levels: Map<string, LevelResult>;
  readonly rssAfterStart: Map<Variant, MemoryReading>;
  /** Bot CPU (user + system) per command, µs, delay 0, by `${variant}|${c}` (c = SEQ: back to back). */
  readonly cpuPerCommand: Map<string, number>;
  /** Emulator requests during the 200-concurrent level without delay, per 200 commands. */
  readonly perBurst: Map<Variant, { token: number; stat: number }>;
}

async function latencyMatrix(
  infra: InfraControl,
  info: InfraInfo,
  t0: number,
  only: {
    readonly delays: readonly number[];
    readonly variants: (delay: number, round: number) => Variant[];
  } = {
    delays: DELAYS,
    variants: variantsFor,
  },
): Promise<LatencyRun> {
  const samples = new Map<string, Sample[]>();
  const rssAfterStart = new Map<Variant, MemoryReading>();
  const cpu = new Map<string, { us: number; n: number }>();
  const perBurst = new Map<Variant, { token: number; stat: number }>();
  const addCpu = (k: string, us: number, n: number) => {
    const prev = cpu.get(k) ?? { us: 0, n: 0 };
    cpu.set(k, { us: prev.us + us, n: prev.n + n });
  };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const delay of only.delays) {
      for (const v of only.variants(delay, round)) {
        await infra.setDelay(0);
        await infra.reset();
        const bot = await startBot(VARIANT_MODE[v], info, VARIANT_ENV[v]);
        if (round === 1 && delay === 0) rssAfterStart.set(v, await bot.memory());
        const target = new Target(bot.info.port, infra);
        const replies = VARIANT_MODE[v] === "product";
        // Between bursts the product is idle once its replies are delivered (without a delay they
        // follow within milliseconds; with one they wait for the emulator, costing no CPU).
        const settle =
          replies && delay === 0
            ? async (posted: number) => {
                await infra.waitResponses(posted);
              }
            : undefined;
        try {
          // Warm-up without delay: open the connections, let V8 optimise the hot paths.
          await target.burst(await target.prepare(200, ""));
          await target.sequential(await target.prepare(200, ""));
          if (replies) await infra.waitResponses(target.posted);
          await sleep(200);
          await infra.setDelay(delay);
          const line: string[] = [];
          for (const c of LEVELS) {
            gc();
            await sleep(100);
            const before = await infra.counters();
            const cpu0 = await bot.cpu();
            const infra0 = await infra.cpu();
            const got = await target.level(c, {
              ...levelPlan(v, delay, c),
              pauseMs: c === 1 ? 5 : 20,
              settle,
            });
            if (delay === 0) {
              addCpu(`${v}|${c}`, (await bot.cpu()) - cpu0, got.length);
              addCpu(`${v}|${c}|infra`, (await infra.cpu()) - infra0, got.length);
            }
            if (c === 200 && delay === 0 && round === 1) {
              const d = countersDelta(before, await infra.counters());
              perBurst.set(v, { token: (d.token * 200) / got.length, stat: (d.stat * 200) / got.length });
            }
            const k = key(v, delay, c);
            samples.set(k, [...(samples.get(k) ?? []), ...got]);
            const r = levelResult(got).summary;
            line.push(`c=${c} p50 ${ms(r.p50)} p99 ${ms(r.p99)}`);
          }
          gc();
          await sleep(100);
          const cpu0 = await bot.cpu();
          const infra0 = await infra.cpu();
          const seq = await target.backToBack(backToBackCount(v, delay));
          if (delay === 0) {
            if (settle) await settle(target.posted);
            await sleep(100);
            addCpu(`${v}|${SEQ}`, (await bot.cpu()) - cpu0, seq.length);
            addCpu(`${v}|${SEQ}|infra`, (await infra.cpu()) - infra0, seq.length);
          }
          const k = key(v, delay, SEQ);
          samples.set(k, [...(samples.get(k) ?? []), ...seq]);
          line.push(`back-to-back mean ${ms(levelResult(seq).summary.mean)}`);
          log(`${stamp(t0)}   round ${round} delay ${delay} ms ${v.padEnd(12)} ${line.join(" | ")}`);
        } finally {
          await infra.setDelay(0);
          await target.close();
          await bot.stop();
        }
      }
    }
  }
  const levels = new Map([...samples].map(([k, s]) => [k, levelResult(s)] as const));
  const cpuPerCommand = new Map([...cpu].map(([k, x]) => [k, x.us / Math.max(1, x.n)] as const));
  return { levels, rssAfterStart, cpuPerCommand, perBurst };
}

async function coldBurst(infra: InfraControl, info: InfraInfo) {
  const bot = await startBot("product", info);
  const target = new Target(bot.info.port, infra);
  try {
    await infra.reset();
    const samples = await target.burst(await target.prepare(200, ""));
    await infra.waitResponses(target.posted);
    await sleep(200); // anything beyond would be a duplicate reply
    const counters = await infra.counters();
    const responses = await infra.responses();
    const inAck = samples.filter((s) => s.inAck).length;
    return {
      counters,
      ...tally(target.ackedPaths, responses),
      responses: responses.length,
      inAck,
      ack: levelResult(samples),
      own: await bot.gluu(),
    };
  } finally {
    await target.close();
    await bot.stop();
  }
}

async function trend(infra: InfraControl, info: InfraInfo) {
  const bot = await startBot("product", info);
  const target = new Target(bot.info.port, infra);
  try {
    await infra.reset();
    const first = await target.send((await target.prepare(1, "trend"))[0] as Prepared);
    await infra.waitResponses(target.posted);
    const cold = await infra.counters();
    const second = await target.send((await target.prepare(1, "trend"))[0] as Prepared);
    await infra.waitResponses(target.posted);
    const warm = countersDelta(cold, await infra.counters());
    const delivered = tally(target.ackedPaths, await infra.responses()).answered;
    return {
      cold: { token: cold.token, stat: cold.stat, discovery: cold.discovery },
      warm,
      delivered,
      where: [first, second].map((s) => (s.inAck ? "ack" : "response_url")),
    };
  } finally {
    await target.close();
    await bot.stop();
  }
}

async function ackToReply(infra: InfraControl, info: InfraInfo) {
  const bot = await startBot("product", info);
  const target = new Target(bot.info.port, infra);
  try {
    // Warm: connections open, this month and the last one cached (reused for 60 s).
    await infra.reset();
    await target.burst(await target.prepare(200, ""));
    await target.sequential(await target.prepare(100, ""));
    await infra.waitResponses(target.posted);
    await infra.reset();
    const n = 300;
    const samples: Sample[] = [];
    let posted = 0;
    for (const p of await target.prepare(n, "")) {
      const s = await target.send(p);
      samples.push(s);
      if (!s.inAck) await infra.waitResponses(++posted);
    }
    const counters = await infra.counters();
    const byPath = new Map((await infra.responses()).map((r) => [r.path, r]));
    // Visible: the ack itself when it carried the answer, else the post at the response_url.
    const latencies: number[] = [];
    for (const s of samples) {
      const r = byPath.get(s.path);
      if (s.inAck) latencies.push(s.ms);
      else if (r && r.status === 200) latencies.push(r.at - s.sentAt);
    }
    return {
      reply: summarize(latencies),
      ack: levelResult(samples),
      delivered: latencies.length,
      inAck: samples.filter((s) => s.inAck).length,
      n,
      counters,
    };
  } finally {
    await target.close();
    await bot.stop();
  }
}

interface MemoryPoint {
  readonly commands: number;
  readonly mem: MemoryReading;
}

async function memoryGrowth(infra: InfraControl, info: InfraInfo, mode: BotMode) {
  const bot = await startBot(mode, info);
  const target = new Target(bot.info.port, infra);
  try {
    await infra.reset();
    const points: MemoryPoint[] = [{ commands: 0, mem: await bot.memory() }];
    const total = 10_000;
    const checkpoints = new Set([1_000, 5_000, total]);
    let sent = 0;
    let failed = 0;
    const started = performance.now();
    while (sent < total) {
      const samples = await target.burst(await target.prepare(100, ""));
      failed += samples.filter((s) => s.status !== 200).length;
      sent += samples.length;
      if (checkpoints.has(sent)) {
        if (mode === "product") await infra.waitResponses(target.posted, 60_000);
        points.push({ commands: sent, mem: await bot.memory() });
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const delivered = tally(target.ackedPaths, await infra.responses()).answered;
    return { points, failed, delivered, seconds };
  } finally {
    await target.close();
    await bot.stop();
  }
}

async function startup(info: InfraInfo, runs: number) {
  const readyMs: number[] = [];
  const rssAtReady: number[] = [];
  const rssIdle: number[] = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const t0 = performance.now();
    const child = spawn(process.execPath, [...START_FLAGS, CLI_JS, "serve"], {
      env: baseEnv(info, { PORT: String(port) }),
      stdio: ["ignore", "ignore", "pipe"],
    });
    const t = track(child, "serve");
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const url = `http://127.0.0.1:${port}/healthz`;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve exited before it was ready:\n${t.tail()}`);
      if (performance.now() - t0 > 15_000) throw new Error(`serve not ready after 15 s:\n${t.tail()}`);
      try {
        const res = await request(url, { method: "GET", reset: true });
        await res.body.text();
        if (res.statusCode === 200) break;
      } catch {
        // not listening yet
      }
      await sleep(2);
    }
    readyMs.push(performance.now() - t0);
    rssAtReady.push(vmRss(child.pid ?? 0));
    await sleep(1000);
    rssIdle.push(vmRss(child.pid ?? 0));
    child.kill("SIGTERM");
    await exited;
  }
  return { readyMs, rssAtReady, rssIdle };
}

function micro() {
  const end = monthAt(Date.now());
  const months24 = generateData({ months: 24, endMonth: end, seed: 3 });
  const input = {
    series: "range",
    title: "Two years",
    months: months24.map((m) => m.month),
    result: { months: months24, noData: [] },
    share: { value: "2024-12..2026-11 public" },
  } as const;
  const source = { host: "idp.example.com", fetchedAt: Date.now(), timeZone: "UTC" };
  // View and Block Kit together: what one reply costs after its figures arrive.
  const render = timeMedian(() => renderSeriesMessage(seriesView(input, source)), {
    runs: 301,
    batch: 10,
    warmup: 200,
  });

  const grantTypes = [
    ...DEFAULT_GRANT_TYPES,
    ...Array.from(
      { length: 30 - DEFAULT_GRANT_TYPES.length },
      (_, i) => `urn:example:grant-type:custom-${i + 1}`,
    ),
  ];
  const payload = writeOpenMetrics(generateData({ months: 24, endMonth: end, seed: 5, grantTypes }));
  const parsed = parseStatBody(payload, "openmetrics");
  if (parsed.length !== 24) throw new Error(`parsed ${parsed.length} months, expected 24`);
  const parse = timeMedian(() => parseStatBody(payload, "openmetrics"), { runs: 101, batch: 3, warmup: 30 });
  return { render, parse, payloadBytes: Buffer.byteLength(payload), grantTypes: grantTypes.length };
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

/** A run of the emulator and the Slack double around `run`, closed after it. */
async function withInfra<T>(run: (infra: InfraControl, info: InfraInfo) => Promise<T>): Promise<T> {
  const { control: infra, info } = await startInfra();
  try {
    return await run(infra, info);
  } finally {
    await infra.close().catch(() => {});
  }
}

/** `npm run bench -- <part>`: that part's rows only, printed; RESULTS.md is left alone. */
const PARTS: Readonly<
  Record<string, { readonly what: string; readonly table: (t0: number) => Promise<string> }>
> = {
  gluu4: {
    what: "Gluu 4.x interval scenarios (about 5 minutes: the baseline waits out 60 s intervals)",
    table: async () => gluu4Table(await gluu4Scenarios()),
  },
  home: {
    what: "App Home: 50 opens at once from cold, then 50 warm opens one at a time",
    table: () =>
      withInfra(async (infra, info) => markdownTable(TABLE_HEAD, homeRows(await homeScenarios(infra, info)))),
  },
  // Bare Bolt against the product with a warm cache, no emulator delay: the acks that carry the answer.
  warm: {
    what: `ack latency, warm cache against bare Bolt, ${ROUNDS} interleaved rounds`,
    table: (t0) =>
      withInfra(async (infra, info) => {
        const lat = await latencyMatrix(infra, info, t0, {
          delays: [0],
          variants: () => ["bare", "product-warm"],
        });
        return markdownTable(TABLE_HEAD, latencyRows(lat, [0]));
      }),
  },
  chart: {
    what: "chart renderer: RSS in 5 fresh processes, then render time",
    table: async () => markdownTable(TABLE_HEAD, chartRows(await chartScenarios())),
  },
};

async function main(): Promise<void> {
  const t0 = performance.now();
  const loadBefore = loadavg();
  // Read now: other people may change src/ while the bench runs; what runs was compiled just before.
  const source = sourceInfo();
  const only = process.argv[2];
  if (only !== undefined) {
    const part = PARTS[only];
    if (!part) throw new Error(`unknown part ${only}; one of ${Object.keys(PARTS).join(", ")}`);
    log(`${stamp(t0)} ${part.what}`);
    const table = await part.table(t0);
    const machine = `${machineInfo(loadBefore, loadavg())}; ${source}`;
    process.stdout.write(
      `\n${table}\n\n${machine}; took ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
    );
    return;
  }
  log(`${stamp(t0)} micro-benchmarks (render, parse)`);
  const m = micro();
  log(`${stamp(t0)} chart renderer: RSS in 5 fresh processes, then render time`);
  const chart = await chartScenarios();

  const { control: infra, info } = await startInfra();
  try {
    log(`${stamp(t0)} start-up time and idle RSS of \`serve\` (5 runs)`);
    const start = await startup(info, 5);
    log(`${stamp(t0)} ack latency, ${ROUNDS} interleaved rounds`);
    const lat = await latencyMatrix(infra, info, t0);
    log(`${stamp(t0)} 200 identical concurrent commands from cold`);
    const cold = await coldBurst(infra, info);
    log(`${stamp(t0)} 12-month trend cold and warm`);
    const tr = await trend(infra, info);
    log(`${stamp(t0)} command-to-reply latency, warm cache`);
    const a2r = await ackToReply(infra, info);
    log(`${stamp(t0)} App Home: 50 opens at once from cold, then 50 warm opens one at a time`);
    const home = await homeScenarios(infra, info);
    log(`${stamp(t0)} 10,000 commands: RSS growth of the product and of bare Bolt`);
    const mem = await memoryGrowth(infra, info, "product");
    const memBare = await memoryGrowth(infra, info, "bare");
    log(`${stamp(t0)} Gluu 4.x interval scenarios (about 5 minutes: the baseline waits out 60 s intervals)`);
    const g4 = await gluu4Scenarios();

    const elapsed = (performance.now() - t0) / 1000;
    const table = buildTable({ m, chart, start, lat, cold, tr, a2r, home, mem, memBare });
    const g4Table = gluu4Table(g4);
    const flags = START_FLAGS.length > 0 ? START_FLAGS.join(" ") : "none";
    const machine = `${machineInfo(loadBefore, loadavg())}; ${source}; node flags from the start script, used for every bot: ${flags}`;
    process.stdout.write(`\n${table}\n\n${g4Table}\n\n${machine}; bench took ${elapsed.toFixed(0)} s\n`);
    writeResults(table, machine, elapsed, cold, g4Table);
  } finally {
    await infra.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

type Results = {
  m: ReturnType<typeof micro>;
  chart: ChartResults;
  start: Awaited<ReturnType<typeof startup>>;
  lat: LatencyRun;
  cold: Awaited<ReturnType<typeof coldBurst>>;
  tr: Awaited<ReturnType<typeof trend>>;
  a2r: Awaited<ReturnType<typeof ackToReply>>;
  home: HomeResults;
  mem: Awaited<ReturnType<typeof memoryGrowth>>;
  memBare: Awaited<ReturnType<typeof memoryGrowth>>;
};

function lat3(r: LevelResult | undefined): string {
  if (!r) return "–";
  const s = r.summary;
  const extra = [
    r.failed > 0 ? `${r.failed} non-200` : "",
    r.late > 0 ? `${r.late} > 3 s` : "",
    s.n < 50 ? `n=${s.n}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}${extra ? ` (${extra})` : ""}`;
}

const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} %`;
const p50 = (r: LevelResult | undefined) => r?.summary.p50 ?? Number.NaN;
const p99 = (r: LevelResult | undefined) => r?.summary.p99 ?? Number.NaN;
const mean = (r: LevelResult | undefined) => r?.summary.mean ?? Number.NaN;
const ratios = (a: LevelResult | undefined, b: LevelResult | undefined) =>
  `${ratio(p50(a), p50(b))} / ${ratio(p99(a), p99(b))}`;

/** The ack-latency and CPU rows of a latency run, for the delays it measured. */
function latencyRows(lat: LatencyRun, delays: readonly number[]): string[][] {
  const rows: string[][] = [];
  const L = lat.levels;
  for (const delay of delays) {
    for (const c of LEVELS) {
      const p = L.get(key("product", delay, c));
      const w = L.get(key("product-warm", delay, c));
      const b = L.get(key("bare", delay, c));
      const n = L.get(key("naive", delay, c));
      const pass = p50(p) / p50(b) <= RATIO_LIMIT && p99(p) / p99(b) <= RATIO_LIMIT && (p?.failed ?? 1) === 0;
      rows.push([
        `Ack ms p50 / p99 / max: ${c === 1 ? "1 command" : `${c} concurrent commands`} at an idle bot, emulator delay ${delay} ms`,
        lat3(p),
        w ? lat3(w) : "(= no delay: never asks)",
        lat3(b),
        lat3(n),
        `${ratios(p, b)}${w ? `; warm ${ratios(w, b)}` : ""}`,
        ratios(p, n),
        `p50 & p99 ≤ ${RATIO_LIMIT}× bare`,
        verdict(pass),
      ]);
    }
    const p1 = L.get(key("product", delay, SEQ));
    const w1 = L.get(key("product-warm", delay, SEQ));
    const b1 = L.get(key("bare", delay, SEQ));
    const n1 = L.get(key("naive", delay, SEQ));
    const seqCell = (r: LevelResult | undefined) =>
      `${ms(mean(r))} ms (p99 ${ms(p99(r))}, n=${r?.summary.n ?? 0})`;
    rows.push([
      `Sequential cost of one command: mean ack, commands back to back, emulator delay ${delay} ms`,
      seqCell(p1),
      w1 ? seqCell(w1) : "",
      seqCell(b1),
      seqCell(n1),
      `${ratio(mean(p1), mean(b1))}${w1 ? `; warm ${ratio(mean(w1), mean(b1))}` : ""}`,
      ratio(mean(p1), mean(n1)),
      "",
      "",
    ]);
    if (delay === 0) {
      const cpuOf = (v: Variant, c: number) => lat.cpuPerCommand.get(`${v}|${c}`) ?? Number.NaN;
      const infraOf = (v: Variant, c: number) =>
        (lat.cpuPerCommand.get(`${v}|${c}|infra`) ?? Number.NaN) -
        (lat.cpuPerCommand.get(`bare|${c}|infra`) ?? Number.NaN);
      const cpu = (v: Variant) =>
        `${ms(cpuOf(v, SEQ) / 1000, 3)} / ${ms(cpuOf(v, 200) / 1000, 3)} ms` +
        (v === "bare"
          ? ""
          : ` (emulator + double: +${ms(infraOf(v, SEQ) / 1000, 3)} / +${ms(infraOf(v, 200) / 1000, 3)})`);
      const cr = (v: Variant) =>
        `${ratio(cpuOf(v, SEQ), cpuOf("bare", SEQ))} / ${ratio(cpuOf(v, 200), cpuOf("bare", 200))}`;
      rows.push([
        "Bot CPU per command (user+sys, replies included): back to back / 200 concurrent; in brackets the extra CPU the emulator + Slack double spend on it (same 2 cores)",
        cpu("product"),
        cpu("product-warm"),
        cpu("bare"),
        cpu("naive"),
        `${cr("product")}; warm ${cr("product-warm")}`,
        "",
        "",
        "",
      ]);
    }
  }

  if (delays.includes(0)) {
    for (const c of LEVELS) {
      const w = L.get(key("product-warm", 0, c));
      const b = L.get(key("bare", 0, c));
      const all = (w?.summary.n ?? 0) > 0 && w?.inAck === w?.summary.n;
      const pass = p50(w) / p50(b) <= RATIO_LIMIT && p99(w) / p99(b) <= RATIO_LIMIT && all && w?.failed === 0;
      rows.push([
        `Warm command → visible answer (the ack that carries it), ms p50 / p99 / max: ${c === 1 ? "1 command" : `${c} concurrent commands`}`,
        "",
        w ? `${lat3(w)}; ${w.inAck}/${w.summary.n} answers in the ack` : "–",
        `${lat3(b)} (its empty ack)`,
        "",
        w ? ratios(w, b) : "",
        "",
        `p50 & p99 ≤ ${RATIO_LIMIT}× bare Bolt's ack`,
        verdict(pass),
      ]);
    }
  }
  return rows;
}

function buildTable(r: Results): string {
  const rows = latencyRows(r.lat, DELAYS);
  const per200 = (v: Variant) => {
    const x = r.lat.perBurst.get(v);
    return x ? `${x.stat.toFixed(1)} stat, ${x.token.toFixed(1)} token` : "–";
  };
  rows.push([
    "Emulator requests per 200 identical concurrent commands (product: from cold, fresh bot; others: per 200 in the timed runs)",
    `${r.cold.counters.stat} stat, ${r.cold.counters.token} token, ${r.cold.counters.discovery} discovery (${r.cold.answered}/200 answered: ${r.cold.inAck} in the ack, ${r.cold.responses} posts to response_urls of which ${r.cold.replacing} replace what was shown; ${r.cold.duplicates} duplicates)`,
    per200("product-warm"),
    "0 (never asks)",
    per200("naive"),
    "",
    "",
    "1 stat request",
    verdict(r.cold.counters.stat === 1 && r.cold.answered === 200 && r.cold.duplicates === 0),
  ]);
  rows.push([
    "12-month trend: stat requests cold → warm (a second `trend`)",
    `${r.tr.cold.stat} → ${r.tr.warm.stat} (token ${r.tr.cold.token} → ${r.tr.warm.token}; ${r.tr.delivered}/2 answered, at the ${r.tr.where.join(", then in the ")})`,
    "",
    "–",
    "– (this month only)",
    "",
    "",
    "1 cold, 0 warm",
    verdict(r.tr.cold.stat === 1 && r.tr.warm.stat === 0 && r.tr.delivered === 2),
  ]);
  const nSeq = r.lat.levels.get(key("naive", 0, 1));
  rows.push([
    "Command sent → visible answer (the ack when it carries it, else the response_url post), ms p50 / p99 / max, warm cache, 1 command at a time",
    "",
    `${ms(r.a2r.reply.p50)} / ${ms(r.a2r.reply.p99)} / ${ms(r.a2r.reply.max)} (${r.a2r.delivered}/${r.a2r.n} answers, ${r.a2r.inAck} in the ack; ${r.a2r.counters.stat} stat requests)`,
    "– (no reply)",
    nSeq ? `${lat3(nSeq)} (the answer is the ack)` : "–",
    "",
    `warm ${ratio(r.a2r.reply.p50, p50(nSeq))} / ${ratio(r.a2r.reply.p99, p99(nSeq))}`,
    "",
    "",
  ]);

  const rs = r.lat.rssAfterStart;
  const rss = (v: Variant) => {
    const x = rs.get(v);
    return x ? mb(x.rss) : "–";
  };
  rows.push([
    "RSS after start (in the bot process, after gc)",
    rss("product"),
    rss("product-warm"),
    rss("bare"),
    rss("naive"),
    ratio(rs.get("product")?.rss ?? Number.NaN, rs.get("bare")?.rss ?? Number.NaN),
    "",
    "",
    "",
  ]);
  const growthOf = (g: Results["mem"]) => {
    const pts = g.points;
    const first = pts[0]?.mem;
    const last = pts[pts.length - 1]?.mem;
    const at1k = pts.find((p) => p.commands === 1_000)?.mem;
    const fromStart = first && last ? last.rss / first.rss - 1 : Number.NaN;
    const from1k = at1k && last ? last.rss / at1k.rss - 1 : Number.NaN;
    const series = pts
      .map((p) => `${p.commands / 1000}k ${mb(p.mem.rss)} (heap ${mb(p.mem.heapUsed)})`)
      .join(", ");
    return {
      fromStart,
      from1k,
      cell: `${last ? mb(last.rss) : "–"}: ${pct(fromStart)} from start, ${pct(from1k)} from 1k. ${series}`,
    };
  };
  const gp = growthOf(r.mem);
  const gb = growthOf(r.memBare);
  rows.push([
    "RSS after 10,000 commands (batches of 100 concurrent; after gc), growth from start",
    "",
    `${gp.cell}. ${r.mem.delivered} replies, ${r.mem.failed} failed acks, ${r.mem.seconds.toFixed(1)} s`,
    gb.cell,
    "",
    "",
    "",
    "growth ≤ 10 %",
    `${verdict(gp.fromStart <= 0.1)} (from 1k: ${verdict(gp.from1k <= 0.1)})`,
  ]);
  const idle = median(r.start.rssIdle);
  rows.push([
    "Idle RSS of `serve` (VmRSS 1 s after ready; median of 5)",
    "",
    `${mb(idle)} (at ready ${mb(median(r.start.rssAtReady))})`,
    "",
    "",
    "",
    "",
    "≤ 80 MB",
    verdict(idle <= 80 * 1024 * 1024),
  ]);
  const readyMax = Math.max(...r.start.readyMs);
  rows.push([
    "Process spawn → GET /healthz 200 (`serve`; median / max of 5)",
    "",
    `${ms(median(r.start.readyMs), 0)} / ${ms(readyMax, 0)} ms`,
    "",
    "",
    "",
    "",
    "≤ 1,000 ms",
    verdict(readyMax <= 1000),
  ]);
  rows.push([
    "Render a 24-month series message (renderSeriesMessage; median)",
    `${ms(r.m.render, 3)} ms`,
    "",
    "",
    "",
    "",
    "",
    "",
    "",
  ]);
  rows.push([
    `Parse 24 months × ${r.m.grantTypes} grant types of OpenMetrics (${(r.m.payloadBytes / 1024).toFixed(0)} KiB; parseStatBody; median)`,
    `${ms(r.m.parse, 3)} ms`,
    "",
    "",
    "",
    "",
    "",
    "",
    "",
  ]);
  rows.push(...chartRows(r.chart));
  rows.push(...homeRows(r.home));
  return markdownTable(TABLE_HEAD, rows);
}

const TABLE_HEAD = [
  "Measure",
  "Product (GLUU_MIN_INTERVAL_S=0: every burst asks the emulator)",
  "Product, default settings (warm cache)",
  "Bare Bolt (floor)",
  "Naive (new token + stat request per command)",
  "Product ÷ bare (p50 / p99)",
  "Product ÷ naive",
  "Target",
  "Result",
] as const;

/** Which code was measured: the commit, and how many files under src/ differ from it (read-only git). */
function sourceInfo(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const head = git("rev-parse", "--short", "HEAD");
    const dirty = git("status", "--porcelain", "--", "src").split("\n").filter(Boolean).length;
    return dirty > 0 ? `src at ${head} + ${dirty} uncommitted file(s)` : `src at ${head}`;
  } catch {
    return "src version unknown (no git)";
  }
}

function machineInfo(before: number[], after: number[]): string {
  const c = cpus();
  const model = c[0]?.model.trim() ?? "unknown CPU";
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  return `${model} × ${c.length}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version} (${process.platform} ${process.arch}), ${new Date().toISOString()}; load average ${load(before)} before, ${load(after)} after`;
}

function writeResults(
  table: string,
  machine: string,
  elapsed: number,
  cold: Awaited<ReturnType<typeof coldBurst>>,
  g4Table: string,
): void {
  const text = `# gluu-stats benchmark results

Written by \`npm run bench\` (bench/main.ts) on every run; the analysis of the targets is in
bench/ANALYSIS.md.

**Machine:** ${machine}. Bench wall time ${elapsed.toFixed(0)} s.

${table}

Ack cells: p50 / p99 / max in ms as the load generator sees them (request handed to undici →
whole answer read). The first 200-command burst of a fresh product process (cold burst row)
acked at ${lat3(cold.ack)} ms.

## Gluu 4.x interval (bench/gluu4.ts)

${g4Table}

In real time against Gluu 4.x emulators (1 s, 5 s and 60 s \`statWebServiceIntervalLimitInSeconds\`),
the stat stack \`serve\` builds at its defaults (GLUU_MIN_INTERVAL_S=60), in this process, beside
the stat service before the change (bench/baseline-stat-service.ts) with the same client. Each run
has its own emulator; all run at once. \`npm run bench -- gluu4\` runs only these.

## How it is measured

- **Processes.** The load generator (undici \`Pool\`, ${CONNECTIONS} connections per bot, commands signed
  and built before timing) runs alone in the main process; the Gluu emulator (Janssen family) and
  the Slack double share a second child; each bot under test runs alone in a fresh child
  (\`bench/bot.ts product|bare|naive\`, \`--expose-gc\`), started one after another with the same
  environment and warmed up (a 200-command burst and 200 sequential commands) before timing.
- **Rounds.** Every bot is measured ${ROUNDS} times, interleaved (bare, product, warm product, naive,
  then again), and the samples pooled, so that background noise on a shared machine hits all bots;
  the naive bot under the 2 s delay only once (2 s per command).
- **Concurrency c.** c commands sent at once to an idle bot: after their acks the generator
  waits until the bot is idle (the product's replies delivered, when there is no emulator delay)
  plus 5 ms (c = 1) or 20 ms, then sends the next burst. Per round: 300 / 500 / 1,000 acks per
  level, capped in time; with the 2 s delay each level lasts at least 2.5 s so that a delayed
  answer, and the replies it releases, land inside the timed window. The naive bot under the delay
  gets only a few samples. **Sequential cost:** 500 commands back to back (the next as soon as
  the previous is acked, so each ack also pays for whatever the bot does after the previous one);
  the mean ack.
- **Product settings.** \`product\` runs with \`GLUU_MIN_INTERVAL_S=0\`: the current month is never
  served from cache, so every burst really asks the emulator (one shared request) and the reply
  work runs while acks are timed. \`product, default settings\` keeps the month for 60 s, so after
  the warm-up it never asks the emulator; its delay rows would equal the no-delay ones.
- **Baselines.** bare: a Bolt 5 \`App\` with the same receiver settings (HTTP receiver, signing
  secret, deferred init against the double, \`processBeforeResponse: false\`) whose /gluu-stats
  listener only calls \`ack()\`. naive: the seed's curl flow before the ack: POST the token endpoint
  for a new client_credentials token, GET the stat endpoint (undici), parse, ack with the figure.
  Bolt answers 404 to a command not acked within 3 s (“> 3 s” in a cell).
- **CPU per command:** \`process.cpuUsage()\` of the bot across the back-to-back run and the
  200-concurrent level (replies delivered before the second reading), divided by the commands;
  in brackets the infra child's CPU for the same commands beyond what it spends for bare Bolt
  (receiving the product's replies, answering the naive bot's token and stat requests). On a
  2-core machine that work competes with the bot and the generator; Slack would do it elsewhere.
- **Command → reply:** fresh product bot, default settings, warm cache; each command is sent once
  the previous reply has arrived; the double's arrival time (\`Date.now()\`, 1 ms resolution) minus
  the send time.
- **Memory:** a fresh product bot (default settings), then a fresh bare Bolt bot, the same way:
  \`process.memoryUsage()\` after two \`global.gc()\` calls and a 250 ms pause (V8 returns freed
  pages in the background; a reading taken as gc() returns can be tens of MB high), at start and
  after 1k, 5k and 10k commands (batches of 100 concurrent, every reply delivered before reading).
- **Node flags:** those of package.json's \`start\` script (listed under Machine) are passed to
  every bot process and every \`serve\` child alike.
- **Start-up:** \`node <start flags> dist-bench/src/cli/main.js serve\` (the current src/ compiled
  by the bench's own tsc step: what \`npm start\` runs) on a free port picked with a port-0
  listener; spawn → first 200 from GET /healthz, polled every 2 ms; VmRSS from /proc at ready and
  1 s later.
- **Micro-benchmarks** run in the generator process before anything else is started.
- **Chart renderer** (bench/chart.ts; \`npm run bench -- chart\` runs only these rows): render time is
  \`renderChartPng\` on a fixed 24-month model (src/chart/sample.ts) in the generator process,
  one warm-up then 30 timed renders, the median. RSS: 5 fresh children (\`bench/chart-child.ts\`,
  the start script's flags and \`--expose-gc\`), each importing what \`serve\` loads, reading RSS,
  then loading the renderer and rendering one PNG, reading RSS again; each reading after four
  \`gc()\` calls 200 ms apart (resvg's pixmaps are native memory, freed by finalizers that run
  only after a collection); the median of the differences.
`;
  writeFileSync(RESULTS_MD, text);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
