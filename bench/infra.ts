/**
 * Child process holding the Gluu emulator (Janssen family: no server-wide interval, so the naive
 * baseline is never refused) and the Slack double. Kept out of the load generator's process so
 * that the replies the product posts to response_urls, and the emulator's work for the naive
 * baseline, do not compete with the generator's event loop while it times acks.
 */
import { generateData, startEmulator } from "../src/emulator/index.js";
import { monthAt } from "../src/months.js";
import { startSlackDouble } from "../src/slack-double/index.js";
import { announceReady, serveRpc } from "./ipc.js";
import type { InfraInfo, PublishRecord, ResponseRecord } from "./protocol.js";

const emulator = await startEmulator({
  family: "janssen",
  intervalLimitS: 0,
  data: generateData({ months: 24, endMonth: monthAt(Date.now()), seed: 42 }),
});
const double = await startSlackDouble();

serveRpc({
  counters: () => ({ ...emulator.counters }),
  /** CPU time this process has used so far (user + system), in µs. */
  cpu: () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
  reset: () => {
    emulator.resetCounters();
    double.reset();
  },
  delay: (ms) => {
    emulator.faults = typeof ms === "number" && ms > 0 ? { delayMs: ms, target: "stat" } : {};
  },
  urls: (n) => Array.from({ length: Number(n) }, () => double.responseUrl()),
  responses: (from): ResponseRecord[] =>
    double.responses.slice(Number(from)).map((r) => ({
      path: r.path,
      at: r.at,
      status: r.status,
      replaces: r.body.replace_original === true,
    })),
  publishes: (): PublishRecord[] =>
    double.calls
      .filter((c) => c.method === "views.publish")
      .map((c) => ({ user: String(c.body.user_id ?? ""), at: c.at, status: c.status })),
  waitPublishes: async (args) => {
    const { n, timeoutMs } = args as { n: number; timeoutMs: number };
    return (await double.waitForCalls("views.publish", n, timeoutMs)).length;
  },
  waitResponses: async (args) => {
    const { n, timeoutMs } = args as { n: number; timeoutMs: number };
    return (await double.waitForResponses(n, timeoutMs)).length;
  },
  close: async () => {
    await double.close();
    await emulator.close();
    setTimeout(() => process.exit(0), 20);
  },
});

announceReady({
  emulatorUrl: emulator.url,
  apiUrl: double.apiUrl,
  botToken: double.botToken,
  pid: process.pid,
} satisfies InfraInfo);
