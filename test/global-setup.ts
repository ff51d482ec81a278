/**
 * Runs once before any test file:
 * 1. makes sure redis-server, promtool and kubectl are there (installing them when it can, see
 *    support/system-tools.ts), or stops the whole run at once with one line saying what to
 *    install: no test is skipped;
 * 2. builds dist/ for the tests that run the real program as a child process (SIGTERM, the
 *    health check, the production install), so they never test a stale build (or a missing one:
 *    nothing else builds dist/ on `npm ci`). Incremental: a no-op build takes ~1 s.
 */
import { execFileSync } from "node:child_process";
import { writeSync } from "node:fs";
import { ensureTool, SYSTEM_TOOLS } from "./support/system-tools.js";

export default function setup(): void {
  for (const tool of SYSTEM_TOOLS) {
    const found = ensureTool(tool, { log: (line) => writeSync(2, `${line}\n`) });
    if (!found.ok) {
      // process.exit rather than a throw: vitest would wrap a thrown error in an "Unhandled Error"
      // banner after a misleading "No test files found".
      writeSync(2, `\n${found.message}\n`);
      process.exit(1);
    }
  }
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
}
