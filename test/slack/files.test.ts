/**
 * Files from the slash command and in the monthly summary's thread, end to end over loopback:
 * the bot as `npm start` builds it, the emulator and the Slack double with the three-step upload.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterEach, describe, expect, it } from "vitest";
import { isoMonth, monthRange } from "../../src/months.js";
import { type RecordedFile, startSlackDouble } from "../../src/slack-double/index.js";
import { ago, allText, type Harness, startHarness, statsOf, until } from "./harness.js";

const USER = "U0FILES001";
const ADMIN = "U0ADMIN001";
const REPORT = "C0REPORT01";
const TWELVE = monthRange(ago(12), ago(1));
const SPAN = `${isoMonth(ago(12))}_${isoMonth(ago(1))}`;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bot(opts: { double?: Awaited<ReturnType<typeof startSlackDouble>> } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "gluu-stats-files-e2e-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const h = await startHarness({
    ...(opts.double ? { double: opts.double } : {}),
    env: {
      ADMIN_USER_IDS: ADMIN,
      REPORT_CHANNEL: REPORT,
      REPORT_CRON: "0 9 1 * *",
      STATE_DIR: dir,
    },
  });
  cleanups.push(() => h.close());
  return h;
}

/** The direct-message channel the double opens for a user. */
async function dmOf(h: Harness, user: string): Promise<string> {
  const res = await fetch(`${h.double.apiUrl}conversations.open`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${h.double.botToken}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ users: user }),
  });
  const body = (await res.json()) as { channel?: { id?: string } };
  return body.channel?.id ?? "";
}

const fileNamed = (h: Harness, name: string): Promise<RecordedFile> =>
  until(() => h.double.files.find((f) => f.filename === name), 10_000, name);

describe("/gluu-stats export csv and trend chart", () => {
  it("export csv: the billing CSV lands in the person's direct messages, and the reply says where", async () => {
    const h = await bot();
    const sent = await h.command("export csv", { user_id: USER });
    expect(sent.ack.status).toBe(200);
    const file = await fileNamed(h, `gluu-billing-${SPAN}.csv`);
    expect(file.channel).toBe(await dmOf(h, USER));
    const lines = file.bytes.toString("utf8").trimEnd().split("\r\n");
    expect(lines[0]).toBe("month,mau");
    TWELVE.forEach((m, i) => {
      expect(lines[i + 1]).toBe(`${isoMonth(m)},${statsOf(m).mau}`);
    });
    expect(lines.at(-1)).toMatch(/^mau-signature,[0-9a-f]{64}$/);
    const reply = await h.reply(sent.path);
    expect(reply.body.response_type).toBe("ephemeral");
    expect(allText(reply.body)).toContain(`Sent *gluu-billing-${SPAN}.csv* to your direct messages`);
    expect(h.emulator.counters.statOk).toBe(1);
  });

  it("trend chart public: the PNG is shared in the channel; the note that it was sent stays private", async () => {
    const h = await bot();
    const sent = await h.command("trend chart public", { user_id: USER, channel_id: "C0TEAM0001" });
    const file = await fileNamed(h, `gluu-mau-${SPAN}.png`);
    expect(file.channel).toBe("C0TEAM0001");
    const png = PNG.sync.read(file.bytes);
    expect([png.width, png.height]).toEqual([1200, 600]);
    expect(file.altText).toMatch(/^Line chart of monthly active users/);
    const reply = await h.reply(sent.path);
    expect(reply.body.response_type).toBe("ephemeral");
    expect(allText(reply.body)).toContain("in this channel");
  });

  it("a year and a range chart too; `csv` with a month is a usage error in the ack, and nothing is uploaded", async () => {
    const h = await bot();
    const year = ago(12).year;
    const sent = await h.command(`${year} chart`, { user_id: USER });
    await h.reply(sent.path);
    await fileNamed(h, `gluu-mau-${year}-01_${year}-12.png`);
    const wrong = await h.command(`${isoMonth(ago(2))} csv`, { user_id: USER });
    expect(wrong.ack.body).toContain("goes with the billing export");
    expect(h.double.files).toHaveLength(1);
  });

  it("without files:write the person is told what to fix, with a reference, and the bot keeps answering", async () => {
    const double = await startSlackDouble({ scopes: ["commands", "chat:write", "im:write"] });
    cleanups.push(() => double.close());
    const h = await bot({ double });
    const sent = await h.command("export csv", { user_id: USER });
    const reply = await h.reply(sent.path);
    const text = allText(reply.body);
    expect(text).toContain(`gluu-billing-${SPAN}.csv could not be sent`);
    expect(text).toContain("missing_scope");
    expect(text).toContain("Reference");
    expect(h.double.files).toHaveLength(0);
    const next = await h.command("trend", { user_id: USER });
    expect(allText((await h.reply(next.path)).body)).toContain("12-month trend");
  });
});

describe("the monthly summary through the running bot", () => {
  it("an admin's post puts the summary in the channel and the chart and CSV in its thread", async () => {
    const h = await bot();
    const sent = await h.command("post", { user_id: ADMIN });
    const reply = await h.reply(sent.path, 20_000);
    expect(allText(reply.body)).toContain("Posted the");
    const summary = h.double.calls.find(
      (c) => c.method === "chat.postMessage" && c.body.channel === REPORT && c.body.metadata,
    );
    const files = await h.double.waitForFiles(2);
    expect(files.map((f) => f.filename).sort()).toEqual([`gluu-billing-${SPAN}.csv`, `gluu-mau-${SPAN}.png`]);
    for (const f of files) expect(f.channel).toBe(REPORT);
    expect(new Set(files.map((f) => f.threadTs)).size).toBe(1);
    expect(files[0]?.threadTs).toBeTruthy();
    expect(summary).toBeDefined();
    const history = await h.command("history", { user_id: ADMIN });
    const text = allText((await h.reply(history.path)).body);
    expect(text).toContain("chart (PNG) in the summary's thread");
    expect(text).toContain("billing export (CSV) in the summary's thread");
  });
});
