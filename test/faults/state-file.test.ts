/**
 * The state file damaged while the bot runs: truncated, filled with garbage, deleted. Figures
 * keep answering; history and post either work or say the store is not answering; nothing
 * escapes to the top level, and the bot goes on answering once the file is good again.
 */
import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isoMonth } from "../../src/months.js";
import { STATE_FILE_NAME } from "../../src/state/file-store.js";
import { ago, allText, type Harness, startHarness } from "../slack/harness.js";
import { failOnUnhandled } from "../support/unhandled.js";

failOnUnhandled();

const ADMIN = "U0ADMIN001";
let h: Harness;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gluu-stats-statefile-"));
  h = await startHarness({
    env: { REPORT_CHANNEL: "C0REPORT01", STATE_DIR: dir, REPORT_CRON: "0 0 1 1 *", ADMIN_USER_IDS: ADMIN },
  });
  await h.server.monthly?.scheduler?.settled();
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const file = () => join(dir, STATE_FILE_NAME);
const OK_OR_UNAVAILABLE =
  /delivery history|No monthly summary|not answering right now|Posted|posted before|summary for/;

describe.each<[string, () => Promise<void>]>([
  ["truncated", () => truncate(file(), 7)],
  ["garbage", () => writeFile(file(), "\u0000{not json at all")],
  ["deleted", () => rm(file(), { force: true })],
])("the state file %s while running", (_, damage) => {
  it("figures answer, history and post answer or say the store is not answering, the bot stays up", async () => {
    await damage();
    const month = await h.command(isoMonth(ago(4)));
    expect(allText((await h.reply(month.path, 10_000)).body)).toMatch(/monthly active users/);
    const history = await h.command("history");
    expect(allText((await h.reply(history.path, 10_000)).body)).toMatch(OK_OR_UNAVAILABLE);
    const post = await h.command(`post ${isoMonth(ago(6))}`, { user_id: ADMIN });
    const text = allText((await h.reply(post.path, 20_000)).body);
    expect(text).toMatch(OK_OR_UNAVAILABLE);
    expect(text).not.toMatch(/Something went wrong/);
  }, 40_000);
});
