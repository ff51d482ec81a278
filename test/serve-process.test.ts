/**
 * The real program (`node dist/cli/main.js serve`, what `npm start` runs) as a child process:
 * ready on /healthz, answers a command, and on SIGTERM finishes the reply in flight and exits 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT, type Emulator, startEmulator } from "../src/emulator/index.js";
import {
  type SlackDouble,
  sendSignedCommand,
  slashCommandBody,
  startSlackDouble,
} from "../src/slack-double/index.js";

const SIGNING_SECRET = "process-test-signing-secret-42";
const MAIN = new URL("../dist/cli/main.js", import.meta.url).pathname;
const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

async function startBot(emulator: Emulator, double: SlackDouble, extra: Record<string, string> = {}) {
  const port = await freePort();
  let output = "";
  const child: ChildProcess = spawn(process.execPath, [MAIN, "serve"], {
    env: {
      PATH: process.env.PATH ?? "",
      GLUU_URL: emulator.url,
      GLUU_CLIENT_ID: DEFAULT_CLIENT.id,
      GLUU_CLIENT_SECRET: DEFAULT_CLIENT.secret,
      SLACK_BOT_TOKEN: double.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: double.apiUrl,
      PORT: String(port),
      LOG_LEVEL: "info",
      ...extra,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (c) => {
    output += String(c);
  });
  child.stderr?.on("data", (c) => {
    output += String(c);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  open.push(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const res = await request(`${base}/healthz`);
      const body = await res.body.text();
      if (res.statusCode === 200) return { child, base, exited, output: () => output, health: body };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`bot did not get ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("npm start as a process", () => {
  it("is ready on /healthz, answers, and on SIGTERM finishes the reply in flight and exits 0", async () => {
    const emulator = await startEmulator({ family: "janssen" });
    const double = await startSlackDouble();
    open.push(() => emulator.close());
    open.push(() => double.close());
    const bot = await startBot(emulator, double);
    expect(JSON.parse(bot.health)).toMatchObject({ ready: true, gluu: { ok: null } });

    emulator.faults = { delayMs: 1000 };
    const responseUrl = double.responseUrl();
    const ack = await sendSignedCommand(
      `${bot.base}/slack/events`,
      SIGNING_SECRET,
      slashCommandBody({ text: "last", response_url: responseUrl }),
    );
    expect(ack.status).toBe(200);
    bot.child.kill("SIGTERM");
    const code = await bot.exited;
    expect(code).toBe(0);
    // The reply that was in flight when SIGTERM came was delivered before the exit.
    expect(double.responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(bot.output()).toMatch(/shutting down: finishing replies in flight/);
    expect(bot.output()).not.toContain(SIGNING_SECRET);
    expect(bot.output()).not.toContain(double.botToken);
  });

  it("stays up after signed bodies that are not a Slack payload (payload=null, JSON null)", async () => {
    const emulator = await startEmulator({ family: "janssen" });
    const double = await startSlackDouble();
    open.push(() => emulator.close());
    open.push(() => double.close());
    const bot = await startBot(emulator, double);
    const endpoint = `${bot.base}/slack/events`;
    const form = await sendSignedCommand(endpoint, SIGNING_SECRET, "payload=null");
    const json = await sendSignedCommand(endpoint, SIGNING_SECRET, "null", {
      headers: { "content-type": "application/json" },
    });
    expect([form.status, json.status]).toEqual([400, 400]);
    // An exit would come from an unhandled rejection right after the request: give it time.
    await new Promise((r) => setTimeout(r, 300));
    expect(bot.child.exitCode).toBeNull();
    const help = await sendSignedCommand(
      endpoint,
      SIGNING_SECRET,
      slashCommandBody({ text: "help", response_url: double.responseUrl() }),
    );
    expect(help.status).toBe(200);
    expect(bot.output()).not.toMatch(/TypeError/);
  });

  it("refuses to start with a clear message when configuration is missing", async () => {
    const child = spawn(process.execPath, [MAIN, "serve"], {
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
      cwd: "/",
    });
    let err = "";
    child.stderr?.on("data", (c) => {
      err += String(c);
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/SLACK_BOT_TOKEN: missing/);
  });
});
