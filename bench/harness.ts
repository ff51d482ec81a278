/**
 * The bench's moving parts: forking the infra child (emulator + Slack double) and the bots under
 * test, and the load generator that times acks from this process. Scenarios live in main.ts.
 */
import { type ChildProcess, fork } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import type { EmulatorCounters } from "../src/emulator/index.js";
import { signRequest, slashCommandBody } from "../src/slack-double/index.js";
import { RpcClient } from "./ipc.js";
import { type Summary, summarize } from "./measure.js";
import {
  BotControl,
  type BotInfo,
  type BotMode,
  InfraControl,
  type InfraInfo,
  type ResponseRecord,
} from "./protocol.js";

const HERE = dirname(fileURLToPath(import.meta.url));
export const BOT_JS = join(HERE, "bot.js");
export const INFRA_JS = join(HERE, "infra.js");
/** The program `npm start` runs, compiled from the current src/ by the bench's own tsc step. */
export const CLI_JS = join(HERE, "..", "src", "cli", "main.js");
export const RESULTS_MD = join(HERE, "..", "..", "bench", "RESULTS.md");

/**
 * The node flags of package.json's "start" script (e.g. --optimize-for-size): every bot and every
 * `serve` child runs with them, so the bench measures what `npm start` runs, all bots alike.
 */
export const START_FLAGS: readonly string[] = (() => {
  try {
    const pkg = JSON.parse(readFileSync(join(HERE, "..", "..", "package.json"), "utf8")) as {
      scripts?: Record<string, string>;
    };
    const words = (pkg.scripts?.start ?? "").split(/\s+/);
    const flags: string[] = [];
    for (const w of words.slice(words.indexOf("node") + 1)) {
      if (!w.startsWith("--")) break;
      flags.push(w);
    }
    return words.includes("node") ? flags : [];
  } catch {
    return [];
  }
})();

export const SIGNING_SECRET = "bench-signing-secret-0123456789abcdef";
/** The emulator's default client (DEFAULT_CLIENT), spelled out so the bots need not load the emulator. */
export const GLUU_CLIENT = { id: "stat-client", secret: "stat-secret" } as const;
export const CONNECTIONS = 256;
export const SLACK_ACK_DEADLINE_MS = 3000;

export const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

/** Keeps the child's last stderr for error messages; kills it if this process exits. */
export function track(child: ChildProcess, name: string): { tail: () => string } {
  children.add(child);
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  });
  child.once("exit", (code, signal) => {
    children.delete(child);
    if (code !== 0 && code !== null) log(`${name} exited with ${code} ${signal ?? ""}\n${tail}`);
  });
  return { tail: () => tail };
}

export function baseEnv(infra: InfraInfo, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "",
    GLUU_URL: infra.emulatorUrl,
    GLUU_CLIENT_ID: GLUU_CLIENT.id,
    GLUU_CLIENT_SECRET: GLUU_CLIENT.secret,
    SLACK_BOT_TOKEN: infra.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: infra.apiUrl,
    PORT: "0",
    LOG_LEVEL: "info",
    ...extra,
  };
}

export async function startInfra(): Promise<{ control: InfraControl; info: InfraInfo }> {
  const child = fork(INFRA_JS, [], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
  track(child, "infra");
  const rpc = new RpcClient(child, "infra");
  const info = (await rpc.ready()) as InfraInfo;
  return { control: new InfraControl(rpc), info };
}

let botSeq = 0;

/**
 * Forks bot.ts in `mode` with the common environment plus `extra`. The bot's log (stdout) goes
 * to /dev/null, or to BENCH_LOG_DIR/<n>-<mode>.log when that variable is set.
 */
export async function startBot(
  mode: BotMode,
  infra: InfraInfo,
  extra: Readonly<Record<string, string>> = {},
  execArgv: readonly string[] = [],
): Promise<BotControl> {
  const logDir = process.env.BENCH_LOG_DIR;
  const child = fork(BOT_JS, [mode], {
    execArgv: ["--expose-gc", ...START_FLAGS, ...execArgv],
    env: baseEnv(infra, extra),
    stdio: ["ignore", logDir ? "pipe" : "ignore", "pipe", "ipc"],
  });
  if (logDir && child.stdout) {
    child.stdout.pipe(createWriteStream(join(logDir, `${String(++botSeq).padStart(2, "0")}-${mode}.log`)));
  }
  const t = track(child, `bot ${mode}`);
  const rpc = new RpcClient(child, `bot ${mode}`);
  let info: BotInfo;
  try {
    info = (await rpc.ready()) as BotInfo;
  } catch (err) {
    throw new Error(`bot ${mode} did not start: ${String(err)}\n${t.tail()}`);
  }
  return new BotControl(rpc, mode, info);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Load generation
// ---------------------------------------------------------------------------------------------

export interface Prepared {
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly path: string;
}

export interface Sample {
  readonly ms: number;
  readonly status: number;
  /** Epoch ms (sub-ms precision) when the request was handed to undici. */
  readonly sentAt: number;
  /** Path of the response_url the command carried. */
  readonly path: string;
  /** The ack's body was the answer itself (a cached answer), so nothing follows at the response_url. */
  readonly inAck: boolean;
}

/** A message in the ack body (Bolt sends "" for a bare ack). */
function answersInAck(body: string): boolean {
  if (body === "") return false;
  try {
    return typeof (JSON.parse(body) as { text?: unknown }).text === "string";
  } catch {
    return false;
  }
}

export class Target {
  readonly pool: Pool;
  /** Commands sent so far. */
  sent = 0;
  /** Of those, the ones answered in the ack. */
  inAck = 0;
  /** The response_url paths of the commands answered in the ack. */
  readonly ackedPaths = new Set<string>();
  /** Answers due at a response_url so far: commands not answered in their ack. */
  get posted(): number {
    return this.sent - this.inAck;
  }
  constructor(
    readonly port: number,
    private readonly infra: InfraControl,
  ) {
    this.pool = new Pool(`http://127.0.0.1:${port}`, {
      connections: CONNECTIONS,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
  }

  /** Signed command bodies, each with its own fresh response_url; built before any timing. */
  async prepare(n: number, text: string): Promise<Prepared[]> {
    const urls = await this.infra.urls(n);
    return urls.map((url) => {
      const body = slashCommandBody({ text, response_url: url });
      return { body, headers: signRequest(SIGNING_SECRET, body), path: new URL(url).pathname };
    });
  }

  async send(p: Prepared): Promise<Sample> {
    this.sent++;
    const t0 = performance.now();
    const sentAt = performance.timeOrigin + t0;
    try {
      const res = await this.pool.request({
        path: "/slack/events",
        method: "POST",
        headers: p.headers,
        body: p.body,
      });
      const body = await res.body.text();
      const took = performance.now() - t0;
      const inAck = res.statusCode === 200 && answersInAck(body);
      if (inAck) {
        this.inAck++;
        this.ackedPaths.add(p.path);
      }
      return { ms: took, status: res.statusCode, sentAt, path: p.path, inAck };
    } catch {
      return { ms: performance.now() - t0, status: 0, sentAt, path: p.path, inAck: false };
    }
  }

  burst(prepared: readonly Prepared[]): Promise<Sample[]> {
    return Promise.all(prepared.map((p) => this.send(p)));
  }

  async sequential(prepared: readonly Prepared[]): Promise<Sample[]> {
    const out: Sample[] = [];
    for (const p of prepared) out.push(await this.send(p));
    return out;
  }

  /**
   * `concurrency` commands at a time, all sent at once (1: a single command), each burst sent to
   * an idle bot: after the acks, `settle()` (e.g. until the product's replies are delivered;
   * it gets the number of answers due at response_urls so far) and
   * `pauseMs`. Runs until `samples` acks are timed and `minMs` has passed, or `maxMs` has passed
   * (at least one burst).
   */
  async level(
    concurrency: number,
    opts: {
      samples: number;
      minMs?: number;
      maxMs: number;
      pauseMs: number;
      settle?: (sent: number) => Promise<void>;
      text?: string;
    },
  ): Promise<Sample[]> {
    const out: Sample[] = [];
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    const more = () =>
      out.length === 0 ||
      (elapsed() < opts.maxMs && (out.length < opts.samples || elapsed() < (opts.minMs ?? 0)));
    while (more()) {
      const batch = concurrency === 1 ? 50 : concurrency;
      const prepared = await this.prepare(batch, opts.text ?? "");
      for (let i = 0; i < prepared.length && more(); i += concurrency) {
        out.push(...(await this.burst(prepared.slice(i, i + concurrency))));
        await opts.settle?.(this.posted);
        await sleep(opts.pauseMs);
      }
    }
    return out;
  }

  /** Commands back to back: the next one as soon as the previous one is acked. */
  async backToBack(n: number, text = ""): Promise<Sample[]> {
    const out: Sample[] = [];
    while (out.length < n) {
      const prepared = await this.prepare(Math.min(100, n - out.length), text);
      out.push(...(await this.sequential(prepared)));
    }
    return out;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

export interface Tally {
  /** Commands whose answer was shown: in the ack or at their response_url. */
  readonly answered: number;
  /** Posts that replaced what was shown (the chart form of an ack's text, the answer after an interim reply). */
  readonly replacing: number;
  /** Posts to a response_url that already showed something, without replacing it: a double answer. */
  readonly duplicates: number;
}

/** Answers per command, from the acks that carried one and the response_url posts in order. */
export function tally(ackedPaths: ReadonlySet<string>, responses: readonly ResponseRecord[]): Tally {
  const shown = new Set(ackedPaths);
  let replacing = 0;
  let duplicates = 0;
  for (const r of responses) {
    if (r.status !== 200) continue;
    if (r.replaces) replacing++;
    else if (shown.has(r.path)) duplicates++;
    shown.add(r.path);
  }
  return { answered: shown.size, replacing, duplicates };
}

export interface LevelResult {
  readonly summary: Summary;
  /** Answers other than 200 (Bolt's 404 after 3 s without an ack, connection errors as 0). */
  readonly failed: number;
  /** Acks slower than Slack's 3 s deadline. */
  readonly late: number;
  /** Acks that carried the answer itself. */
  readonly inAck: number;
}

export function levelResult(samples: readonly Sample[]): LevelResult {
  return {
    summary: summarize(samples.map((s) => s.ms)),
    failed: samples.filter((s) => s.status !== 200).length,
    late: samples.filter((s) => s.ms > SLACK_ACK_DEADLINE_MS).length,
    inAck: samples.filter((s) => s.inAck).length,
  };
}

export function countersDelta(
  a: EmulatorCounters,
  b: EmulatorCounters,
): { token: number; stat: number; discovery: number } {
  return { token: b.token - a.token, stat: b.stat - a.stat, discovery: b.discovery - a.discovery };
}
