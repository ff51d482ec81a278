/**
 * A private redis-server per test file: on 127.0.0.1, on a free port, with persistence off, so
 * tests never touch (or depend on) a Redis the machine may already run. A missing redis-server
 * is a failure, not a skip: the global setup installs it or stops the run first
 * (support/system-tools.ts), and a silently skipped suite would hide that the exactly-once
 * guarantees went untested.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll } from "vitest";
import { neededLine } from "./system-tools.js";

export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Only reached when the global setup did not run (it checks for redis-server first). */
const INSTALL_HINT = neededLine("apt-get install -y redis-server");

/** Children still running, killed if the test process exits without calling stop(). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

/** One raw PING: avoids a client library's reconnect logic muddying the readiness check. */
function ping(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    if (!(await waitForExit(child, 5_000))) {
      child.kill("SIGKILL");
      await waitForExit(child, 5_000);
    }
  }
  running.delete(child);
}

/** A redis-server on this port (to bring one back where it was stopped); empty, like any start. */
export function startRedisOn(port: number): Promise<TestRedis> {
  return startOnce(port);
}

async function startOnce(port: number): Promise<TestRedis> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(child);
  installExitHook();
  let output = "";
  child.stdout?.on("data", (c: Buffer) => {
    output += c.toString("utf8");
  });
  child.stderr?.on("data", (c: Buffer) => {
    output += c.toString("utf8");
  });
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));

  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const failed = await Promise.race([
      spawnError,
      new Promise<undefined>((r) => setTimeout(r, 50, undefined)),
    ]);
    if (failed) {
      running.delete(child);
      const code = (failed as NodeJS.ErrnoException).code;
      throw new Error(code === "ENOENT" ? INSTALL_HINT : `could not start redis-server: ${failed.message}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(child);
      throw new Error(`redis-server exited early (port ${port}):\n${output.slice(-2_000)}`);
    }
    if (await ping(port, 500)) {
      return { url: `redis://127.0.0.1:${port}`, port, stop: () => stopChild(child) };
    }
  }
  await stopChild(child);
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${output.slice(-2_000)}`);
}

/**
 * Starts a redis-server on a free loopback port and resolves once it answers PING. The port is
 * probed then released before redis binds it, so another process can grab it in between;
 * retried on a fresh port when that happens.
 */
export async function startRedis(): Promise<TestRedis> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await startOnce(await freePort());
    } catch (error) {
      if (error instanceof Error && error.message === INSTALL_HINT) throw error;
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/**
 * A redis-server for the enclosing file or describe block: started in beforeAll, stopped in
 * afterAll. The returned getter gives it to tests, or throws why it could not start, so that
 * every test needing it fails (a failing beforeAll alone would report them as skipped, and CI
 * counts failed tests).
 */
export function useRedis(): () => TestRedis {
  let server: TestRedis | undefined;
  let failure: Error | undefined;
  beforeAll(async () => {
    try {
      server = await startRedis();
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (failure) throw failure;
    if (!server) throw new Error("redis-server is not running: call useRedis() at file or describe level");
    return server;
  };
}

/**
 * A plain client on the test Redis, to look at (or damage) what the code under test wrote.
 * Emptied after each test; its afterEach runs after the file's own (vitest runs after-hooks in
 * reverse), so the file closes its stores before the data goes.
 */
export function useRawRedis(server: () => TestRedis): () => Redis {
  let client: Redis | undefined;
  afterAll(async () => {
    await client?.quit();
  });
  afterEach(async () => {
    await client?.flushall();
  });
  return () => {
    client ??= new Redis(server().url, { maxRetriesPerRequest: 1 });
    return client;
  };
}
