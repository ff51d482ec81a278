/**
 * The monthly summary's thread: the 12-month chart as PNG and the billing export as CSV, over
 * loopback (emulator, Slack double with the three-step file upload, a real file store). A file
 * that cannot be uploaded never loses the post; history shows what happened to each file; a
 * crash between an upload and its record does not upload it twice.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { webApi } from "@slack/bolt";
import { PNG } from "pngjs";
import { afterEach, describe, expect, it } from "vitest";
import { loadChartRenderer } from "../../src/chart/index.js";
import { LINE_COLOUR } from "../../src/chart/model.js";
import { defaultGluuConfig } from "../../src/config/index.js";
import { DEFAULT_CLIENT, generateData, startEmulator } from "../../src/emulator/index.js";
import { createGluuStack } from "../../src/gluu/index.js";
import { createLogger } from "../../src/log.js";
import { addMonths, isoMonth, type Month, monthAt, monthKey, monthRange } from "../../src/months.js";
import { renderMonthlySummary } from "../../src/report/slack/index.js";
import { renderHistoryText } from "../../src/report/text.js";
import { readHistory } from "../../src/schedule/history.js";
import { MonthlyPoster } from "../../src/schedule/monthly.js";
import { webApiFiles, webApiPoster } from "../../src/schedule/slack-poster.js";
import { startSlackDouble } from "../../src/slack-double/index.js";
import { FileStateStore } from "../../src/state/file-store.js";
import type { StateStore } from "../../src/state/store.js";

const CHANNEL = "C0REPORT01";
const current = monthAt(Date.now());
const reported = addMonths(current, -1);
const data = generateData({ months: 30, endMonth: current, seed: 7 });
const mauOf = (m: Month) => data.find((s) => monthKey(s.month) === monthKey(m))?.mau;
const twelve = monthRange(addMonths(reported, -11), reported);
const CHART = `gluu-mau-${isoMonth(twelve[0] ?? reported)}_${isoMonth(reported)}.png`;
const CSV = `gluu-billing-${isoMonth(twelve[0] ?? reported)}_${isoMonth(reported)}.csv`;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig() {
  const emulator = await startEmulator({ family: "janssen", data });
  const slack = await startSlackDouble();
  const dir = await mkdtemp(join(tmpdir(), "gluu-stats-files-"));
  const gluu = createGluuStack(
    defaultGluuConfig({
      url: emulator.url,
      clientId: DEFAULT_CLIENT.id,
      clientSecret: DEFAULT_CLIENT.secret,
    }),
  );
  cleanups.push(async () => {
    await gluu.close();
    await slack.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });
  const client = new webApi.WebClient(slack.botToken, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
  const logs: string[] = [];
  const open = async () => {
    const s = await FileStateStore.open(dir);
    cleanups.push(() => s.close());
    return s;
  };
  const poster = (
    store: StateStore,
    overrides: Partial<ConstructorParameters<typeof MonthlyPoster>[0]> = {},
  ) =>
    new MonthlyPoster({
      store,
      stats: gluu.service,
      slack: webApiPoster(client),
      render: renderMonthlySummary,
      channels: [CHANNEL],
      admins: ["U0ADMIN01"],
      host: gluu.client.host,
      timeZone: "UTC",
      log: createLogger({
        level: "debug",
        destination: new Writable({
          write(chunk, _enc, cb) {
            logs.push(String(chunk));
            cb();
          },
        }),
      }),
      owner: `test-${Math.random()}`,
      retryWindowMs: 1_000,
      retry: { minTimeoutMs: 20, maxTimeoutMs: 100 },
      files: { uploader: webApiFiles(client), png: async () => (await loadChartRenderer()).png },
      ...overrides,
    });
  const summaries = () =>
    slack.calls.filter((c) => c.method === "chat.postMessage" && c.error === undefined && c.body.metadata);
  return { emulator, slack, client, logs, open, poster, summaries };
}

function pixelsOf(png: PNG, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (png.data[i] === r && png.data[i + 1] === g && png.data[i + 2] === b) n++;
  }
  return n;
}

describe("the monthly summary's files", () => {
  it("puts the 12-month chart (PNG) and the billing export (CSV) in the summary's thread, without another stat request", async () => {
    const r = await rig();
    const store = await r.open();
    const [outcome] = await r.poster(store).run("scheduled");
    expect(outcome?.outcome).toBe("posted");
    const parentTs = outcome?.outcome === "posted" ? outcome.ts : "";
    const files = await r.slack.waitForFiles(2);
    expect(files.map((f) => f.filename).sort()).toEqual([CHART, CSV].sort());
    for (const f of files) expect(f).toMatchObject({ channel: CHANNEL, threadTs: parentTs });
    expect(r.emulator.counters.statOk).toBe(1);

    const png = PNG.sync.read(files.find((f) => f.filename === CHART)?.bytes ?? Buffer.alloc(0));
    expect([png.width, png.height]).toEqual([1200, 600]);
    expect(pixelsOf(png, LINE_COLOUR)).toBeGreaterThan(500);
    expect(files.find((f) => f.filename === CHART)?.altText).toMatch(/^Line chart of monthly active users/);

    const csv = (files.find((f) => f.filename === CSV)?.bytes ?? Buffer.alloc(0))
      .toString("utf8")
      .split("\r\n");
    expect(csv[0]).toBe("month,mau");
    twelve.forEach((m, i) => {
      expect(csv[i + 1]).toBe(`${isoMonth(m)},${mauOf(m) ?? ""}`);
    });
    expect(csv[13]).toMatch(/^average,\d+$/);
    expect(csv[14]).toBe(`maximum,${Math.max(...twelve.map((m) => mauOf(m) ?? 0))}`);
    expect(csv[15]).toMatch(/^mau-signature,[0-9a-f]{64}$/);

    const lines = await readHistory(store);
    expect(lines.map((l) => [l.file ?? "summary", l.outcome])).toEqual([
      ["csv", "posted"],
      ["chart", "posted"],
      ["summary", "posted"],
    ]);
    expect(renderHistoryText(lines, "UTC")).toContain("chart (PNG)");

    // Once: a second run and a restart upload nothing again.
    await r.poster(store).run("scheduled");
    await r.poster(await r.open()).catchUp(Date.now() - 1000, true);
    expect(r.slack.files).toHaveLength(2);
    expect(r.summaries()).toHaveLength(1);
  });

  it("files the file host will not take: the post is recorded, history says each failed, the admins hear of it, and asking again uploads them", async () => {
    const r = await rig();
    const store = await r.open();
    r.slack.faults = { method: "upload_url", status: 500, times: 1_000 };
    const [outcome] = await r.poster(store, { retryWindowMs: 300 }).run("scheduled");
    expect(outcome?.outcome).toBe("posted");
    expect(r.summaries()).toHaveLength(1);
    expect(await store.getDelivery({ channel: CHANNEL, month: monthKey(reported) })).toMatchObject({
      status: "posted",
    });
    expect(r.slack.files).toHaveLength(0);
    const lines = await readHistory(store);
    expect(lines.filter((l) => l.file).map((l) => l.outcome)).toEqual(["failed", "failed"]);
    expect(lines.find((l) => l.file === "chart")?.attempts).toBeGreaterThan(1);
    // The admins hear of it, like a failed post.
    expect(r.slack.calls.some((c) => String(c.body.text ?? "").includes("chart (PNG) in the thread"))).toBe(
      true,
    );

    // A timer's run leaves a failed file alone (no DM to the admins every five minutes)…
    r.slack.faults = {};
    await r.poster(store).catchUp(Date.now() - 1000, true);
    expect(r.slack.files).toHaveLength(0);
    // …an admin's `post` tries it again, into the same thread.
    const [again] = await r.poster(store).run("manual", reported);
    expect(again?.outcome).toBe("already-posted");
    const files = await r.slack.waitForFiles(2);
    expect(new Set(files.map((f) => f.threadTs)).size).toBe(1);
    expect(r.summaries()).toHaveLength(1);
    const after = await readHistory(store);
    expect(after.slice(0, 2).map((l) => [l.file, l.outcome, l.trigger])).toEqual([
      ["csv", "posted", "manual"],
      ["chart", "posted", "manual"],
    ]);
  });

  it("a failure that passes is retried within the window, and the file goes up once", async () => {
    const r = await rig();
    r.slack.faults = { method: "files.completeUploadExternal", error: "internal_error", times: 1 };
    await r.poster(await r.open()).run("scheduled");
    const files = await r.slack.waitForFiles(2);
    expect(files).toHaveLength(2);
    await new Promise((res) => setTimeout(res, 50));
    expect(r.slack.files).toHaveLength(2);
  });

  it("a crash between an upload and its record: the restart finds the file in the thread and does not upload it again", async () => {
    const r = await rig();
    const s = await r.open();
    // The process dies right after Slack took the chart: its record is never written.
    const dying: StateStore = Object.create(s, {
      setDelivery: {
        value: async (...args: Parameters<StateStore["setDelivery"]>) => {
          if (args[0].month.endsWith(":file-chart")) throw new Error("crash");
          return s.setDelivery(...args);
        },
      },
    });
    await r
      .poster(dying)
      .run("scheduled")
      .catch(() => undefined);
    expect(r.slack.files.map((f) => f.filename)).toContain(CHART);
    const before = r.slack.files.length;

    await r.poster(await r.open()).catchUp(Date.now() - 1000, true);
    expect(r.slack.files.filter((f) => f.filename === CHART)).toHaveLength(1);
    expect(r.slack.files.length).toBeGreaterThanOrEqual(before);
    expect(r.slack.files.map((f) => f.filename).sort()).toEqual([CHART, CSV].sort());
    const lines = await readHistory(await r.open());
    expect(lines.find((l) => l.file === "chart")).toMatchObject({ outcome: "posted" });
  });

  it("--force posts a new summary and puts its files in the new thread", async () => {
    const r = await rig();
    const store = await r.open();
    await r.poster(store).run("scheduled");
    await r.slack.waitForFiles(2);
    await r.poster(store).run("forced", reported);
    const files = await r.slack.waitForFiles(4);
    expect(new Set(files.map((f) => f.threadTs)).size).toBe(2);
    expect(r.summaries()).toHaveLength(2);
  });
});
