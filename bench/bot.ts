/**
 * One bot under test, in its own process: `node --expose-gc bot.js <product|bare|naive>`, forked
 * by harness.ts with the same environment for every mode. Listens on an ephemeral loopback port
 * and reports it over IPC; answers memory and counter queries; stops on request. Each mode loads
 * only its own code (dynamic imports), so the baselines' memory is theirs alone.
 *
 * - product: the real composition root, startServer(env), exactly as `npm start` builds it.
 * - bare, naive: the baselines (baseline-bare.ts, baseline-naive.ts).
 */
import { announceReady, serveRpc } from "./ipc.js";
import type { BotGluuCounters, BotInfo, MemoryReading } from "./protocol.js";

interface Running {
  readonly port: number;
  gluu(): BotGluuCounters | null;
  stop(): Promise<void>;
}

async function start(mode: string | undefined): Promise<Running> {
  if (mode === "product") {
    const { parseEnv } = await import("../src/config/index.js");
    const { startServer } = await import("../src/serve.js");
    // parseEnv, not loadEnv: a developer's .env must not change what is measured.
    const server = await startServer(parseEnv(process.env), { host: "127.0.0.1" });
    return {
      port: server.slack.port ?? 0,
      gluu: () => ({ stat: server.gluu.client.statRequests, token: server.gluu.client.tokens.requests }),
      stop: () => server.stop(),
    };
  }
  const cfg = {
    signingSecret: process.env.SLACK_SIGNING_SECRET ?? "",
    botToken: process.env.SLACK_BOT_TOKEN ?? "",
    apiUrl: process.env.SLACK_API_URL ?? "",
    gluuUrl: process.env.GLUU_URL ?? "",
    clientId: process.env.GLUU_CLIENT_ID ?? "",
    clientSecret: process.env.GLUU_CLIENT_SECRET ?? "",
  };
  if (mode === "bare") {
    const { startBareBolt } = await import("./baseline-bare.js");
    const b = await startBareBolt(cfg);
    return { port: b.port, gluu: () => null, stop: () => b.stop() };
  }
  if (mode === "naive") {
    const { startNaive } = await import("./baseline-naive.js");
    const b = await startNaive(cfg);
    return { port: b.port, gluu: () => null, stop: () => b.stop() };
  }
  process.stderr.write("usage: bot.js product|bare|naive\n");
  process.exit(2);
}

const running = await start(process.argv[2]);

/**
 * process.memoryUsage() after two full collections and a pause: V8 gives freed pages back to
 * the OS in background tasks, so a reading taken the instant gc() returns can be tens of MB high.
 */
async function memory(): Promise<MemoryReading> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    gc: gc !== undefined,
  };
}

serveRpc({
  memory: () => memory(),
  /** V8 heap spaces: committed and used bytes, for finding where RSS goes. */
  heapSpaces: async () => {
    const v8 = await import("node:v8");
    return v8.getHeapSpaceStatistics().map((s) => ({
      space: s.space_name,
      size: s.space_size,
      used: s.space_used_size,
    }));
  },
  /** CPU time used so far (user + system), in µs. */
  cpu: () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
  gluu: () => running.gluu(),
  stop: async () => {
    await running.stop();
    setTimeout(() => process.exit(0), 20);
  },
});

announceReady({ port: running.port, pid: process.pid } satisfies BotInfo);
