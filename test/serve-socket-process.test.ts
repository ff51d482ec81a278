/**
 * The real program in Socket Mode (`node dist/cli/main.js serve` with SLACK_APP_TOKEN) as a child
 * process, through a 12 s outage of Slack: before the fix the process exited with code 1 about
 * 8.5 s in (an unhandled WebAPIRequestError from @slack/socket-mode's reconnection). It must stay
 * up, report not-ready on /readyz meanwhile, answer again once Slack is back, and exit 0 on SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT, startEmulator } from "../src/emulator/index.js";
import { startSlackDouble } from "../src/slack-double/index.js";

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

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(url);
  const text = await res.body.text();
  return { status: res.statusCode, body: JSON.parse(text) as Record<string, unknown> };
}

/** Polls until `url` answers `status`, or fails when `deadlineMs` passes or the child exits. */
async function waitFor(
  url: string,
  status: number,
  deadlineMs: number,
  child: ChildProcess,
  output: () => string,
) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const r = await get(url);
      if (r.status === status) return r;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`no ${status} from ${url} (exit code ${child.exitCode}):\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("npm start in Socket Mode, as a process", () => {
  it("survives a 12 s outage of Slack, answers again after it, and exits 0 on SIGTERM", async () => {
    const emulator = await startEmulator({ family: "janssen" });
    const double = await startSlackDouble();
    open.push(() => emulator.close());
    open.push(() => double.close());
    const port = await freePort();
    let output = "";
    const child = spawn(process.execPath, [MAIN, "serve"], {
      env: {
        PATH: process.env.PATH ?? "",
        GLUU_URL: emulator.url,
        GLUU_CLIENT_ID: DEFAULT_CLIENT.id,
        GLUU_CLIENT_SECRET: DEFAULT_CLIENT.secret,
        SLACK_BOT_TOKEN: double.botToken,
        SLACK_APP_TOKEN: double.appToken,
        SLACK_API_URL: double.apiUrl,
        PORT: String(port),
        LOG_LEVEL: "info",
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
    const out = () => output;

    const ready = await waitFor(`${base}/readyz`, 200, 10_000, child, out);
    expect(ready.body).toMatchObject({ ready: true, slack: { mode: "socket", state: "connected" } });

    const down = Date.now();
    double.setReachable(false);
    const notReady = await waitFor(`${base}/readyz`, 503, 5_000, child, out);
    expect(notReady.body).toMatchObject({ ready: false, reason: expect.stringContaining("reconnecting") });
    while (Date.now() - down < 12_000) {
      await new Promise((r) => setTimeout(r, 500));
      expect(child.exitCode, output).toBeNull();
    }
    expect((await get(`${base}/healthz`)).status).toBe(200);

    const back = Date.now();
    double.setReachable(true);
    await waitFor(`${base}/readyz`, 200, 10_000, child, out);
    const ack = await double.socket.sendSlashCommand({ text: "help" });
    expect(ack).toMatchObject({ text: "How to use the Gluu statistics command." });
    expect(Date.now() - back).toBeLessThan(10_000);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const lines = output.split("\n").filter((l) => l.trim() !== "");
    expect(lines.filter((l) => l.includes("Slack is unreachable"))).toHaveLength(1);
    expect(lines.filter((l) => l.includes("Slack is reachable again"))).toHaveLength(1);
    expect(lines.filter((l) => /"level":(40|50|60)/.test(l))).toHaveLength(1);
    expect(output).not.toContain(double.appToken);
    expect(output).not.toContain(double.botToken);
  }, 40_000);
});
