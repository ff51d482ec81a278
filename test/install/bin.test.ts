/**
 * `npx gluu-stats …` runs the program through a bin symlink (node_modules/.bin/gluu-stats). The
 * "am I the program?" check compared paths as written, so through the link nothing ran and the
 * command printed nothing and exited 0.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const MAIN = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "gluu-stats-bin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the gluu-stats bin", () => {
  it("runs through a symlink, as npx and npm's .bin run it", async () => {
    const link = join(dir, "gluu-stats");
    symlinkSync(MAIN, link);
    const { stdout } = await run(process.execPath, [link, "--help"], { timeout: 20_000 });
    expect(stdout).toMatch(/gluu-stats/);
    expect(stdout.length).toBeGreaterThan(100);
  });
});
