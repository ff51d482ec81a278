/** The monthly post inside the running bot and the CLI: catch-up at start, history, manual posts. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { isoMonth, monthKey } from "../../src/months.js";
import { STATE_FILE_NAME } from "../../src/state/file-store.js";
import { ago, allText, type Harness, startHarness } from "../slack/harness.js";

const REPORT = "C0REPORT01";
const ADMIN = "U0ADMIN001";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gluu-stats-serve-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function bot(dir: string, env: Record<string, string> = {}): Promise<Harness> {
  const h = await startHarness({
    env: { REPORT_CHANNEL: REPORT, STATE_DIR: dir, REPORT_CRON: "0 0 1 * *", ADMIN_USER_IDS: ADMIN, ...env },
  });
  cleanups.push(() => h.close());
  return h;
}

const summaries = (h: Harness) =>
  h.double.calls.filter(
    (c) => c.method === "chat.postMessage" && c.body.channel === REPORT && c.error === undefined,
  );

describe("the monthly post in the bot", () => {
  it("catches up the missed summary at start, once, and not again after a restart", async () => {
    const dir = await stateDir();
    const first = await bot(dir);
    await first.server.monthly?.scheduler?.settled();
    expect(summaries(first)).toHaveLength(1);
    expect(first.server.monthly?.scheduler?.nextRun()?.getUTCDate()).toBe(1);
    await first.close();

    const second = await bot(dir);
    await second.server.monthly?.scheduler?.settled();
    expect(summaries(second)).toHaveLength(0);
  });

  it("does not post the month again after the state file is deleted (the channel is asked first)", async () => {
    const dir = await stateDir();
    const first = await bot(dir);
    await first.server.monthly?.scheduler?.settled();
    expect(summaries(first)).toHaveLength(1);
    const double = first.double;
    await first.stop();
    await rm(join(dir, STATE_FILE_NAME));

    // Same Slack (the channel still holds the summary), fresh state.
    const second = await startHarness({
      env: { REPORT_CHANNEL: REPORT, STATE_DIR: dir, REPORT_CRON: "0 0 1 * *", ADMIN_USER_IDS: ADMIN },
      double,
    });
    cleanups.push(() => second.close());
    await second.server.monthly?.scheduler?.settled();
    expect(summaries(second)).toHaveLength(1); // the one from the first run, not a second
    const sent = await second.command("history", { user_id: "U0SOMEONE1" });
    expect(allText((await second.reply(sent.path)).body)).toMatch(/found in the channel/);
  });

  it("/gluu-stats history shows what was sent, with its link", async () => {
    const h = await bot(await stateDir());
    await h.server.monthly?.scheduler?.settled();
    const sent = await h.command("history", { user_id: "U0SOMEONE1" });
    const text = allText((await h.reply(sent.path)).body);
    expect(text).toContain(`<#${REPORT}>`);
    expect(text).toMatch(/catch-up/);
    expect(text).toMatch(/\/archives\/C0REPORT01\/p\d+\|view/);
  });

  it("/gluu-stats post by an admin posts an earlier month once and reports the second try", async () => {
    const h = await bot(await stateDir());
    await h.server.monthly?.scheduler?.settled();
    const month = ago(3);
    const first = await h.command(`post ${isoMonth(month)}`, { user_id: ADMIN });
    expect(allText((await h.reply(first.path)).body)).toMatch(/Posted the .* summary/);
    const again = await h.command(`post ${isoMonth(month)}`, { user_id: ADMIN });
    expect(allText((await h.reply(again.path)).body)).toMatch(/was posted before.*--force/);
    const posted = summaries(h).filter((c) => JSON.stringify(c.body.metadata).includes(monthKey(month)));
    expect(posted).toHaveLength(1);
  });

  it("refuses to start on a corrupted state file, naming it, and leaves it as it was", async () => {
    const dir = await stateDir();
    await writeFile(join(dir, STATE_FILE_NAME), "{ half a file");
    await expect(bot(dir)).rejects.toThrow(new RegExp(`${STATE_FILE_NAME}.*not valid JSON`, "s"));
    const { readFile } = await import("node:fs/promises");
    expect(await readFile(join(dir, STATE_FILE_NAME), "utf8")).toBe("{ half a file");
  });

  it("refuses to start on an invalid REPORT_CRON", async () => {
    await expect(bot(await stateDir(), { REPORT_CRON: "0 25 * * *" })).rejects.toThrow(/REPORT_CRON/);
  });
});

describe("CLI post and history", () => {
  it("posts by hand, refuses a second post without --force, forces it, and lists the history", async () => {
    const dir = await stateDir();
    const h = await startHarness({});
    cleanups.push(() => h.close());
    const saved = { ...process.env };
    cleanups.push(async () => {
      process.env = saved;
    });
    Object.assign(process.env, {
      GLUU_URL: h.env.GLUU_URL,
      GLUU_CLIENT_ID: h.env.GLUU_CLIENT_ID,
      GLUU_CLIENT_SECRET: h.env.GLUU_CLIENT_SECRET,
      SLACK_BOT_TOKEN: h.env.SLACK_BOT_TOKEN,
      SLACK_API_URL: h.env.SLACK_API_URL,
      STATE_DIR: dir,
      LOG_LEVEL: "silent",
    });
    const run = async (args: string[]) => {
      let out = "";
      const spy = vi.spyOn(process.stdout, "write").mockImplementation((c) => {
        out += String(c);
        return true;
      });
      try {
        return { code: await main(args), out };
      } finally {
        spy.mockRestore();
      }
    };
    const first = await run(["post", "--channel", REPORT]);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/Posted the .* summary for #C0REPORT01: https:\/\//);
    const second = await run(["post", "--channel", REPORT]);
    expect(second.out).toMatch(/was posted before/);
    const forced = await run(["post", "--channel", REPORT, "--force"]);
    expect(forced.out).toMatch(/--force: posting even where/);
    expect(summaries(h)).toHaveLength(2);
    const history = await run(["history"]);
    expect(history.out.split("\n")[0]).toMatch(/^month +channel +time +trigger +outcome/);
    expect(history.out).toMatch(/forced +posted/);
    expect(history.out).toMatch(/manual +posted/);
  });
});
