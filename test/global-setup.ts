/**
 * Builds dist/ before the tests that run the real program as a child process (SIGTERM, the
 * health check), so they never test a stale build. Incremental: a no-op build takes ~1 s.
 */
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
}
