/**
 * The App Home end to end over loopback, in HTTP mode (signed Events API requests at
 * /slack/events) and in Socket Mode (events_api envelopes): the Home published with the
 * figures, the refused user's Home, 50 opens and one stat request, the buttons, a down server.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { monthKey } from "../../src/months.js";
import { formatCount } from "../../src/report/format.js";
import { ACTION_IDS, checkHomeLimits, type HomeTab } from "../../src/report/slack/index.js";
import {
  appHomeOpened,
  blockActionPayload,
  eventCallbackBody,
  sendSignedCommand,
} from "../../src/slack-double/index.js";
import type { RecordedPost } from "../../src/slack-double/types.js";
import { allText, CURRENT, DATA, type Harness, SIGNING_SECRET, startHarness } from "./harness.js";

const USER = "U0HOMEUSER1";
const ADMIN = "U0ADMIN001";
const STRANGER = "U0STRANGER";
const REPORT = "C0REPORT01";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bot(opts: { socket?: boolean; env?: Record<string, string> } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "gluu-stats-home-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const h = await startHarness({
    ...(opts.socket ? { socket: true } : {}),
    env: {
      ALLOWED_USER_IDS: `${USER},${ADMIN}`,
      ADMIN_USER_IDS: ADMIN,
      REPORT_CHANNEL: REPORT,
      REPORT_CRON: "0 9 1 * *",
      STATE_DIR: dir,
      ...opts.env,
    },
  });
  cleanups.push(() => h.close());
  return h;
}

async function open(h: Harness, user: string, socket = false): Promise<void> {
  if (socket) {
    await h.double.socket.sendEvent(appHomeOpened(user));
    return;
  }
  const res = await sendSignedCommand(h.endpoint, SIGNING_SECRET, eventCallbackBody(appHomeOpened(user)));
  expect(res.status).toBe(200);
}

const published = (h: Harness, user: string): RecordedPost[] =>
  h.double.calls.filter((c) => c.method === "views.publish" && c.body.user_id === user);

/** The last Home published for `user`, once `n` have been. */
async function home(h: Harness, user: string, n = 1): Promise<HomeTab> {
  for (let i = 0; i < 200 && published(h, user).length < n; i++) await new Promise((r) => setTimeout(r, 10));
  const calls = published(h, user);
  expect(calls.length).toBeGreaterThanOrEqual(n);
  const last = calls.at(-1);
  expect(last?.error).toBeUndefined();
  return last?.body.view as HomeTab;
}

const mauOf = (offset: number) => {
  const m = { year: CURRENT.year, month: CURRENT.month };
  const target = new Date(Date.UTC(m.year, m.month - 1 + offset, 1));
  const key = monthKey({ year: target.getUTCFullYear(), month: target.getUTCMonth() + 1 });
  return DATA.find((s) => monthKey(s.month) === key)?.mau ?? 0;
};

describe.each([false, true])("the App Home (socket mode: %s)", (socket) => {
  it("is published for an allowed user: fetching first, then the month, last month, the trend and the schedule", async () => {
    const h = await bot({ socket });
    await open(h, USER, socket);
    const first = await home(h, USER, 1);
    expect(allText({ blocks: first.blocks })).toMatch(/Fetching the figures|Monthly active users|MAU/);
    const tab = await home(h, USER, 2);
    const text = allText({ blocks: tab.blocks });
    expect(tab.type).toBe("home");
    expect(text).toContain("Gluu statistics");
    expect(text).toContain(`*${formatCount(mauOf(0))}* MAU so far`);
    expect(text).toContain(`*${formatCount(mauOf(-1))}* MAU`);
    expect(text).toContain("12-month trend: ");
    expect(text).toMatch(/Monthly summary\* · next: /);
    expect(text).toMatch(/Answering: last answer/);
    expect(checkHomeLimits(tab)).toEqual([]);
    // Not an admin: no manual post.
    expect(JSON.stringify(tab.blocks)).not.toContain(ACTION_IDS.homePost);
    expect(h.emulator.counters.statOk).toBe(1);
  });

  it("a user who may not use the bot sees one sentence, and the server is not asked", async () => {
    const h = await bot({ socket });
    await open(h, STRANGER, socket);
    const tab = await home(h, STRANGER);
    expect(tab.blocks).toHaveLength(1);
    expect(allText({ blocks: tab.blocks })).toMatch(/not on the list of people who may use Gluu Stats/);
    expect(h.emulator.counters.stat).toBe(0);
  });
});

describe("the App Home under load and faults", () => {
  it("50 users opening it at once cost one stat request, and each gets the figures", async () => {
    const users = Array.from({ length: 50 }, (_, i) => `U0LOAD${String(i).padStart(4, "0")}`);
    const h = await bot({ env: { ALLOWED_USER_IDS: "" } });
    await Promise.all(users.map((u) => open(h, u)));
    const figures = `*${formatCount(mauOf(0))}* MAU so far`;
    const hasFigures = (u: string) =>
      published(h, u).some((c) => allText({ blocks: (c.body.view as HomeTab).blocks }).includes(figures));
    for (let i = 0; i < 300 && !users.every(hasFigures); i++) await new Promise((r) => setTimeout(r, 10));
    // Each one: "fetching" then the figures, or the figures at once when the cache had them.
    for (const u of users) expect(hasFigures(u), u).toBe(true);
    expect(h.emulator.counters.statOk).toBe(1);
    // Warm: from the cache at once, one publish each. Timed for the closing note: the event sent
    // → views.publish received by Slack, one open after the other.
    const before = h.double.calls.filter((c) => c.method === "views.publish").length;
    const ms: number[] = [];
    for (const u of users) {
      const n = published(h, u).length;
      const sent = Date.now();
      await open(h, u);
      const until = Date.now() + 5_000;
      while (published(h, u).length === n && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
      ms.push((published(h, u).at(-1)?.at ?? Number.NaN) - sent);
    }
    expect(h.double.calls.filter((c) => c.method === "views.publish").length).toBe(before + 50);
    expect(h.emulator.counters.statOk).toBe(1);
    ms.sort((a, b) => a - b);
    console.log(`app_home_opened → views.publish, warm, 50 opens: p50 ${ms[24]} ms, p99 ${ms[49]} ms`);
  });

  it("a down server is shown as unavailable, in the replies' words", async () => {
    const h = await bot();
    h.emulator.faults = { status: 503 };
    await open(h, USER);
    const tab = await home(h, USER, 2);
    expect(allText({ blocks: tab.blocks })).toMatch(
      /:warning: The Gluu server .* (reported an internal error|cannot be reached)/,
    );
  });
});

describe("the App Home's buttons", () => {
  const press = async (h: Harness, user: string, actionId: string) => {
    const payload = blockActionPayload({
      action_id: actionId,
      value: "x",
      user,
      channel: `D${user.slice(1)}`,
      response_url: h.double.responseUrl(),
    });
    // From a view: Slack sends the view, not a message or a response_url that matters here.
    const res = await sendSignedCommand(
      h.endpoint,
      SIGNING_SECRET,
      new URLSearchParams({
        payload: JSON.stringify({ ...payload, container: { type: "view", view_id: "V1" } }),
      }).toString(),
    );
    expect(res.status).toBe(200);
  };
  const dms = (h: Harness, user: string) =>
    h.double.calls.filter((c) => c.method === "chat.postMessage" && c.body.channel === user);

  it("Refresh publishes again; Open as message sends the trend as a direct message", async () => {
    const h = await bot();
    await open(h, USER);
    await home(h, USER, 2);
    await press(h, USER, ACTION_IDS.homeRefresh);
    await home(h, USER, 3);
    await press(h, USER, ACTION_IDS.homeMessage);
    for (let i = 0; i < 200 && dms(h, USER).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(allText(dms(h, USER)[0]?.body ?? {})).toContain("12-month trend");
    expect(h.emulator.counters.statOk).toBe(1);
  });

  it("admins get the manual post, behind a confirmation; it posts once; others are refused", async () => {
    const h = await bot();
    await open(h, ADMIN);
    const tab = await home(h, ADMIN, 2);
    const post = JSON.stringify(tab.blocks);
    expect(post).toContain(ACTION_IDS.homePost);
    expect(post).toContain('"confirm":{"title"');

    await press(h, USER, ACTION_IDS.homePost);
    for (let i = 0; i < 100 && dms(h, USER).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(String(dms(h, USER)[0]?.body.text)).toMatch(/Only the admins/);

    await press(h, ADMIN, ACTION_IDS.homePost);
    for (let i = 0; i < 300 && dms(h, ADMIN).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(String(dms(h, ADMIN)[0]?.body.text)).toMatch(
      /Posted the .* summary|was posted before|already in the channel/,
    );
    const summaries = h.double.calls.filter(
      (c) => c.method === "chat.postMessage" && c.body.channel === REPORT && c.error === undefined,
    );
    expect(summaries).toHaveLength(1);
  });
});

describe("views.publish in the Slack double", () => {
  it("refuses what Slack refuses: a view that is not a home, too many blocks", async () => {
    const h = await bot();
    const call = async (view: unknown) => {
      const res = await fetch(`${h.double.apiUrl}views.publish`, {
        method: "POST",
        headers: { authorization: `Bearer ${h.double.botToken}`, "content-type": "application/json" },
        body: JSON.stringify({ user_id: USER, view }),
      });
      return (await res.json()) as { ok: boolean; error?: string };
    };
    expect(await call({ type: "modal", blocks: [] })).toMatchObject({
      ok: false,
      error: "invalid_arguments",
    });
    const many = Array.from({ length: 101 }, () => ({ type: "divider" }));
    expect(await call({ type: "home", blocks: many })).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect(await call({ type: "home", blocks: [{ type: "divider" }] })).toMatchObject({ ok: true });
  });
});

describe("healthSentence", () => {
  it("tells answering, slow, busy and unreachable apart", async () => {
    const { healthSentence } = await import("../../src/slack/home.js");
    const { GluuError } = await import("../../src/gluu/errors.js");
    const at = Date.UTC(2026, 11, 3, 9, 4);
    expect(healthSentence({ ok: true, at, tookMs: 120 }, "idp", "UTC")).toMatch(
      /^Answering: last answer Dec 3, 2026, 09:04/,
    );
    expect(healthSentence({ ok: true, at, tookMs: 7_200 }, "idp", "UTC")).toMatch(
      /^Answering slowly: .* took 7\.2 s\.$/,
    );
    expect(
      healthSentence({ ok: false, at, error: new GluuError("rate_limited", "403") }, "idp", "UTC"),
    ).toMatch(/busy/);
    expect(
      healthSentence({ ok: false, at, error: new GluuError("network", "ECONNREFUSED") }, "idp", "UTC"),
    ).toMatch(/cannot be reached/);
    expect(healthSentence(undefined, "idp", "UTC")).toBeUndefined();
  });
});

describe("the App Home and the month's curve", () => {
  it("shows last month at this point and both months' sparklines when samples are kept", async () => {
    const { FileStateStore } = await import("../../src/state/file-store.js");
    const { localTime, daysInMonth } = await import("../../src/months.js");
    const dir = await mkdtemp(join(tmpdir(), "gluu-stats-home-curve-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const now = localTime(Date.now(), "UTC");
    const prev = {
      year: CURRENT.month === 1 ? CURRENT.year - 1 : CURRENT.year,
      month: CURRENT.month === 1 ? 12 : CURRENT.month - 1,
    };
    const store = await FileStateStore.open(dir);
    const fits = now.day <= daysInMonth(prev);
    for (let d = 1; d <= Math.min(now.day, daysInMonth(prev)); d++) {
      await store.samples.add(monthKey(prev), {
        at: Date.UTC(prev.year, prev.month - 1, d, now.hour, now.minute),
        mau: 1_000 * d,
      });
    }
    await store.close();
    const h = await bot({ env: { STATE_DIR: dir } });
    await open(h, USER);
    const text = allText({ blocks: (await home(h, USER, 2)).blocks });
    expect(text).toContain("This month against last month");
    if (fits) expect(text).toContain(`At this point last month: ${formatCount(1_000 * now.day)}`);
  });
});
