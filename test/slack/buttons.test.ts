/**
 * The buttons under a reply, clicked the way Slack sends them: a signed block_actions request
 * whose value is the one the app rendered. Each button's answer replaces the message (or, for
 * share, is posted in the channel); a stale or altered value gets an explanation, never a crash.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMonths,
  isoMonth,
  type Month,
  monthLabel,
  monthProgressAt,
  monthRange,
  shortMonthLabel,
} from "../../src/months.js";
import { ACTION_IDS } from "../../src/report/slack/index.js";
import type { ResponseUrlBody } from "../../src/slack-double/index.js";
import {
  ago,
  allText,
  blockText,
  buttonOf,
  buttonsOf,
  CURRENT,
  type Harness,
  headerOf,
  mauText,
  re,
  startHarness,
  tableLines,
  tokensText,
} from "./harness.js";

function expectMonth(body: ResponseUrlBody, m: Month, current = false): void {
  const p = monthProgressAt(Date.now());
  const title = current ? `${monthLabel(m)}, day ${p.day} of ${p.days}` : monthLabel(m);
  expect(headerOf(body)).toBe(title);
  expect(body.text).toMatch(new RegExp(`^${re(title)}: ${re(mauText(m))} monthly active users`));
  expect(blockText(body)).toContain(`*Monthly active users*\n*${mauText(m)}*`);
  expect(blockText(body)).toContain(`*Tokens issued:* ${tokensText(m)}`);
}

function expectSeries(body: ResponseUrlBody, from: Month, to: Month): void {
  const lines = tableLines(body);
  const months = monthRange(from, to);
  expect(lines).toHaveLength(months.length + 1);
  for (const m of months) {
    expect(
      lines.some((l) => new RegExp(`^${re(shortMonthLabel(m))}\\s+${re(mauText(m))}(\\s|$)`).test(l)),
    ).toBe(true);
  }
}

describe.each([
  { family: "janssen" as const, env: {}, emulator: {} },
  { family: "gluu4" as const, env: { GLUU_MIN_INTERVAL_S: "0" }, emulator: { intervalLimitS: 0 } },
])("navigation buttons against $family", ({ family, env, emulator }) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ family, env, emulator });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The reply to a typed command, whose buttons the tests then click. */
  async function replyTo(text: string): Promise<ResponseUrlBody> {
    const sent = await h.command(text);
    return (await h.reply(sent.path)).body;
  }

  async function click(id: keyof typeof ACTION_IDS, value: string) {
    const sent = await h.click({ action_id: ACTION_IDS[id], value });
    expect(sent.ack).toMatchObject({ status: 200, body: "" });
    return (await h.reply(sent.path)).body;
  }

  it("prev replaces the message with the previous month's figures", async () => {
    const m = ago(5);
    const shown = await replyTo(isoMonth(m));
    expectMonth(shown, m);
    const prev = buttonOf(shown, "prev");
    expect(prev).toEqual({
      action_id: ACTION_IDS.prev,
      value: isoMonth(ago(6)),
      text: `◀ ${monthLabel(ago(6))}`,
    });
    const body = await click("prev", prev?.value ?? "");
    expect(body.replace_original).toBe(true);
    expect(body.response_type).not.toBe("in_channel");
    expectMonth(body, ago(6));
    // The new message has its own buttons, one month further back.
    expect(buttonOf(body, "prev")?.value).toBe(isoMonth(ago(7)));
  });

  it("next replaces the message with the next month's figures", async () => {
    const shown = await replyTo(isoMonth(ago(5)));
    const next = buttonOf(shown, "next");
    expect(next).toEqual({
      action_id: ACTION_IDS.next,
      value: isoMonth(ago(4)),
      text: `${monthLabel(ago(4))} ▶`,
    });
    const body = await click("next", next?.value ?? "");
    expect(body.replace_original).toBe(true);
    expectMonth(body, ago(4));
  });

  it("next from last month leads to the current month, which has no next button", async () => {
    const shown = await replyTo("last");
    expectMonth(shown, ago(1));
    const next = buttonOf(shown, "next");
    expect(next?.value).toBe(isoMonth(CURRENT));
    const body = await click("next", next?.value ?? "");
    expectMonth(body, CURRENT, true);
    expect(buttonOf(body, "next")).toBeUndefined();
    expect(buttonsOf(body).map((b) => b.action_id)).toEqual([
      ACTION_IDS.prev,
      ACTION_IDS.trend,
      ACTION_IDS.share,
    ]);

    const typed = await replyTo("");
    expectMonth(typed, CURRENT, true);
    expect(buttonOf(typed, "next")).toBeUndefined();
    expect(buttonOf(typed, "prev")?.value).toBe(isoMonth(ago(1)));
  });

  it("trend replaces the message with the 12 complete months before this one", async () => {
    const shown = await replyTo(isoMonth(ago(2)));
    const trend = buttonOf(shown, "trend");
    expect(trend?.value).toBe("trend");
    const body = await click("trend", trend?.value ?? "");
    expect(body.replace_original).toBe(true);
    expect(headerOf(body)).toBe(`12-month trend: ${shortMonthLabel(ago(12))} – ${shortMonthLabel(ago(1))}`);
    expectSeries(body, ago(12), ago(1));
    expect(buttonOf(body, "share")?.value).toBe("trend public");
  });

  it("share posts the same month in the channel, not replacing the original, without navigation", async () => {
    const m = ago(3);
    const shown = await replyTo(isoMonth(m));
    const share = buttonOf(shown, "share");
    expect(share?.value).toBe(`${isoMonth(m)} public`);
    const body = await click("share", share?.value ?? "");
    expect(body.response_type).toBe("in_channel");
    expect(body.replace_original).toBe(false);
    expectMonth(body, m);
    expect(buttonsOf(body)).toEqual([]);
    expect(JSON.stringify(body.blocks)).not.toContain('"actions"');
  });

  it("share under a trend posts the trend in the channel", async () => {
    const shown = await replyTo("trend");
    const body = await click("share", buttonOf(shown, "share")?.value ?? "");
    expect(body).toMatchObject({ response_type: "in_channel", replace_original: false });
    expectSeries(body, ago(12), ago(1));
    expect(buttonsOf(body)).toEqual([]);
  });

  it("share under a range posts the range in the channel", async () => {
    const shown = await replyTo(`${isoMonth(ago(9))}..${isoMonth(ago(6))}`);
    const share = buttonOf(shown, "share");
    expect(share?.value).toBe(`${isoMonth(ago(9))}..${isoMonth(ago(6))} public`);
    const body = await click("share", share?.value ?? "");
    expect(body).toMatchObject({ response_type: "in_channel", replace_original: false });
    expectSeries(body, ago(9), ago(6));
  });
});

describe("stale or altered button values (janssen)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ["prev", "2099-01", "is out of date or was altered"],
    ["next", isoMonth(addMonths(CURRENT, 1)), "is out of date or was altered"],
    ["prev", "garbage", "is out of date or was altered"],
    ["next", "post 2021-01", "does not lead to a report"],
    ["trend", "help", "does not lead to a report"],
    ["trend", "history", "does not lead to a report"],
    ["share", isoMonth(ago(2)), "does not lead to a report"],
    ["prev", `${isoMonth(ago(2))} public`, "does not lead to a report"],
    ["share", "x".repeat(300), "is out of date or was altered"],
  ] as const)(
    "%s with %j: a replacing explanation, no exception, no stat request",
    async (id, value, why) => {
      const counters = { ...h.emulator.counters };
      const requests = h.emulator.requests.length;
      const sent = await h.click({ action_id: ACTION_IDS[id], value });
      expect(sent.ack).toMatchObject({ status: 200, body: "" });
      const reply = await h.reply(sent.path);
      expect(reply.body.replace_original).toBe(true);
      expect(reply.body.response_type).not.toBe("in_channel");
      expect(allText(reply.body)).toContain(
        `This button ${why}. Type \`/gluu-stats\` with the month you want instead.`,
      );
      expect(buttonsOf(reply.body)).toEqual([]);
      // Give a stray handler time to reach the emulator before checking it did not.
      await new Promise((r) => setTimeout(r, 100));
      expect(h.postsAt(sent.path)).toHaveLength(1);
      expect(h.emulator.counters).toEqual(counters);
      expect(h.emulator.requests).toHaveLength(requests);
      expect(h.logs.grep("unhandled error")).toEqual([]);
      expect(h.logs.records.filter((r) => r.level >= 50)).toEqual([]);
    },
  );

  it("a button whose action the bot no longer has is acknowledged at once, with nothing sent", async () => {
    const requests = h.emulator.requests.length;
    const sent = await h.click({ action_id: "gluu_stats_retired", value: isoMonth(ago(2)) });
    // Without a listener for it, Bolt would leave the press unacknowledged (Slack shows it failed).
    expect(sent.ack).toMatchObject({ status: 200, body: "" });
    expect(sent.ack.ms).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.postsAt(sent.path)).toEqual([]);
    expect(h.emulator.requests).toHaveLength(requests);
  });

  it("a stale but valid value still answers what the button showed", async () => {
    // A prev button rendered long ago still names its month explicitly.
    const sent = await h.click({ action_id: ACTION_IDS.prev, value: isoMonth(ago(20)) });
    const reply = await h.reply(sent.path);
    expect(reply.body.replace_original).toBe(true);
    expectMonth(reply.body, ago(20));
  });
});
