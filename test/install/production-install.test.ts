/**
 * The README's "Deploying" steps, done for real in a temporary folder: the build (dist/, fresh
 * from the global setup's `npm run build`), package.json and package-lock.json copied there,
 * `npm ci --omit=dev` (no dev dependency, so no tsc and no install script may be needed), then
 * `npm start` against the local Slack double and Gluu emulator: ready on /healthz, and stopped
 * by SIGTERM. Uses the npm registry through npm's own cache (a few seconds once it is warm).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT, startEmulator } from "../../src/emulator/index.js";
import { startSlackDouble } from "../../src/slack-double/index.js";
import { freePort } from "../support/redis.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SIGNING_SECRET = "install-test-signing-secret-42";
const run = promisify(execFile);

/** The environment without what the surrounding `npm test` and vitest set for themselves. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_(lifecycle|package|command|node_execpath|execpath)|VITEST|NODE_ENV$|INIT_CWD$)/i.test(key))
      continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function processGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe("a production install (README: Deploying)", () => {
  it("npm ci --omit=dev installs without dev dependencies, and npm start serves /healthz until SIGTERM", {
    timeout: 180_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "gluu-stats-deploy-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    expect(existsSync(join(ROOT, "dist/cli/main.js")), "dist/ is built by test/global-setup.ts").toBe(true);
    cpSync(join(ROOT, "dist"), join(dir, "dist"), {
      recursive: true,
      filter: (source) => !source.endsWith(".tsbuildinfo"),
    });
    for (const file of ["package.json", "package-lock.json"]) cpSync(join(ROOT, file), join(dir, file));

    // The deploy folder's install, as the README prints it (plus: scripts on, whatever npmrc says).
    const started = Date.now();
    await run("npm", ["ci", "--omit=dev", "--ignore-scripts=false", "--no-audit", "--no-fund"], {
      cwd: dir,
      env: cleanEnv({}),
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(
        `npm ci --omit=dev failed: ${error.message}\n${error.stdout ?? ""}\n${error.stderr ?? ""}`,
      );
    });
    process.stderr.write(`install test: npm ci --omit=dev took ${Date.now() - started} ms\n`);
    expect(existsSync(join(dir, "node_modules/@slack/bolt/package.json"))).toBe(true);
    expect(existsSync(join(dir, "node_modules/typescript")), "a dev dependency was installed").toBe(false);
    expect(existsSync(join(dir, "node_modules/vitest")), "a dev dependency was installed").toBe(false);

    const emulator = await startEmulator({ family: "janssen" });
    cleanup.push(() => emulator.close());
    const double = await startSlackDouble();
    cleanup.push(() => double.close());
    const port = await freePort();

    const startBot = async () => {
      let output = "";
      const text = () => output;
      // Its own process group (npm → sh → node), so that SIGTERM reaches the bot as it does from a
      // terminal, systemd or a container runtime, and nothing can outlive the test.
      const child: ChildProcess = spawn("npm", ["start"], {
        cwd: dir,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: cleanEnv({
          GLUU_URL: emulator.url,
          GLUU_CLIENT_ID: DEFAULT_CLIENT.id,
          GLUU_CLIENT_SECRET: DEFAULT_CLIENT.secret,
          SLACK_BOT_TOKEN: double.botToken,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: double.apiUrl,
          PORT: String(port),
          LOG_LEVEL: "info",
        }),
      });
      const pid = child.pid;
      if (pid === undefined) throw new Error("npm start did not start");
      child.stdout?.on("data", (c) => {
        output += String(c);
      });
      child.stderr?.on("data", (c) => {
        output += String(c);
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once("exit", (code, signal) => resolve({ code, signal })),
      );
      cleanup.push(async () => {
        if (processGroupAlive(pid)) process.kill(-pid, "SIGKILL");
        await exited;
      });

      const deadline = Date.now() + 30_000;
      let health: { status: number; body: string } | undefined;
      while (!health) {
        try {
          const res = await request(`http://127.0.0.1:${port}/healthz`);
          const body = await res.body.text();
          if (res.statusCode === 200) health = { status: res.statusCode, body };
        } catch {
          // not listening yet
        }
        if (health) break;
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`npm start did not get ready on /healthz:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ ready: true });
      return { pid, exited, output: text };
    };

    // SIGTERM to the whole group, as a terminal (Ctrl-C), systemd or `kill -- -PID` sends it; and
    // to npm alone, as a container runtime does when npm is PID 1 (`start` execs node, so the
    // signal reaches the bot rather than a shell).
    for (const target of ["group", "npm"] as const) {
      const bot = await startBot();
      process.kill(target === "group" ? -bot.pid : bot.pid, "SIGTERM");
      const npmExit = await bot.exited;
      const stopDeadline = Date.now() + 10_000;
      while (processGroupAlive(bot.pid) && Date.now() < stopDeadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(
        processGroupAlive(bot.pid),
        `${target}: a process of npm start outlived SIGTERM:\n${bot.output()}`,
      ).toBe(false);
      // npm re-raises the signal its script died of, or passes on the bot's exit code 0.
      expect([0, "SIGTERM"]).toContain(npmExit.code ?? npmExit.signal);
      expect(bot.output()).toMatch(/"signal":"SIGTERM","msg":"shutting down: finishing replies in flight"/);
      expect(bot.output()).toMatch(/"msg":"stopped"/);
      expect(bot.output()).not.toContain(SIGNING_SECRET);
    }
  });
});
