/**
 * Runs once before any test file:
 * 1. makes sure redis-server is there (installing it when it can, see support/redis-server.ts),
 *    or stops the whole run at once with one line saying what to install: no test is skipped;
 * 2. builds dist/ for the tests that run the real program as a child process (SIGTERM, the
 *    health check, the production install), so they never test a stale build (or a missing one:
 *    nothing else builds dist/ on `npm ci`). Incremental: a no-op build takes ~1 s.
 */
import { execFileSync } from "node:child_process";
import { writeSync } from "node:fs";
import { ensureRedisServer } from "./support/redis-server.js";

export default function setup(): void {
  const redis = ensureRedisServer({ log: (line) => writeSync(2, `${line}\n`) });
  if (!redis.ok) {
    // process.exit rather than a throw: vitest would wrap a thrown error in an "Unhandled Error"
    // banner after a misleading "No test files found".
    writeSync(2, `\n${redis.message}\n`);
    process.exit(1);
  }
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
}
