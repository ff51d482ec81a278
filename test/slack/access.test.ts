/**
 * ALLOWED_USER_IDS, ALLOWED_CHANNEL_IDS and ADMIN_USER_IDS, end to end: a refused person or
 * channel gets a polite refusal in the ack and the Gluu server hears nothing of it; buttons obey
 * the same rules; `post` is for admins only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isoMonth, monthLabel } from "../../src/months.js";
import { ACTION_IDS } from "../../src/report/slack/index.js";
import {
  ackMessage,
  ago,
  allText,
  blockText,
  buttonOf,
  type Harness,
  mauText,
  re,
  startHarness,
} from "./harness.js";

const ALICE = "U0ALICE";
const ADMIN = "U0ADMIN";
const MALLORY = "U0MALLORY";
const STATS = "C0STATS";
const OTHER = "C0OTHER";
const REFUSAL = "Sorry, you can't use Gluu statistics here. Ask whoever runs this bot for access.";

describe("with allowed users, channels and admins", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { ALLOWED_USER_IDS: `${ALICE}, ${ADMIN}`, ALLOWED_CHANNEL_IDS: STATS, ADMIN_USER_IDS: ADMIN },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function expectRefusedCommand(user: string, channel: string, text: string): Promise<void> {
    const sent = await h.command(text, { user_id: user, channel_id: channel });
    expect(sent.ack.status).toBe(200);
    const ack = ackMessage(sent.ack);
    expect(ack.text).toBe(REFUSAL);
    expect(blockText(ack)).toBe(`:no_entry: ${REFUSAL}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.postsAt(sent.path)).toEqual([]);
  }

  // These run first, on a fresh emulator: "saw nothing" is absolute, not relative.
  it.each([
    ["a user not on the list", MALLORY, STATS, isoMonth(ago(2))],
    ["an allowed user in another channel", ALICE, OTHER, isoMonth(ago(2))],
    ["an admin in another channel", ADMIN, OTHER, "trend"],
    ["a refused user asking for help", MALLORY, STATS, "help"],
    ["a refused user typing nonsense", MALLORY, STATS, "banana"],
    ["a refused user asking to post", MALLORY, STATS, "post"],
  ])("%s: a polite refusal in the ack, and the Gluu server sees nothing", async (_, user, channel, text) => {
    await expectRefusedCommand(user, channel, text);
    expect(h.emulator.requests).toEqual([]);
    expect(h.emulator.counters).toMatchObject({ discovery: 0, token: 0, stat: 0 });
    expect(h.logs.grep("refused /gluu-stats").some((l) => l.includes(user) && l.includes(channel))).toBe(
      true,
    );
  });

  it.each([
    ["a user not on the list", MALLORY, STATS],
    ["an allowed user in another channel", ALICE, OTHER],
  ])(
    "a button clicked by %s: the message is replaced by the refusal; nothing is fetched",
    async (_, user, channel) => {
      const sent = await h.click({ action_id: ACTION_IDS.prev, value: isoMonth(ago(3)), user, channel });
      expect(sent.ack).toMatchObject({ status: 200, body: "" });
      const reply = await h.reply(sent.path);
      expect(reply.body.replace_original).toBe(true);
      expect(reply.body.text).toBe(REFUSAL);
      const share = await h.click({
        action_id: ACTION_IDS.share,
        value: `${isoMonth(ago(3))} public`,
        user,
        channel,
      });
      const shared = await h.reply(share.path);
      expect(shared.body.response_type).not.toBe("in_channel");
      expect(shared.body.text).toBe(REFUSAL);
      expect(h.emulator.requests).toEqual([]);
      expect(h.emulator.counters).toMatchObject({ discovery: 0, token: 0, stat: 0 });
    },
  );

  it("`post` from an allowed user who is not an admin is refused in the ack; nothing is fetched", async () => {
    for (const text of ["post", `post ${isoMonth(ago(2))}`]) {
      const sent = await h.command(text, { user_id: ALICE, channel_id: STATS });
      expect(sent.ack.status).toBe(200);
      expect(ackMessage(sent.ack).text).toBe(
        "Only the admins of this bot (ADMIN_USER_IDS) may post the monthly summary by hand.",
      );
      await new Promise((r) => setTimeout(r, 100));
      expect(h.postsAt(sent.path)).toEqual([]);
    }
    expect(h.emulator.requests).toEqual([]);
  });

  it("`post` from an admin gets past the check (and is told no monthly post is configured)", async () => {
    const sent = await h.command("post", { user_id: ADMIN, channel_id: STATS });
    expect(sent.ack).toMatchObject({ status: 200, body: "" });
    const reply = await h.reply(sent.path);
    expect(allText(reply.body)).toContain("No monthly post is configured (REPORT_CHANNEL is not set)");
    expect(reply.body.response_type).toBe("ephemeral");
  });

  it("an allowed user in an allowed channel gets the answer, and the buttons work for them", async () => {
    const m = ago(2);
    const sent = await h.command(isoMonth(m), { user_id: ALICE, channel_id: STATS });
    expect(sent.ack).toMatchObject({ status: 200, body: "" });
    const reply = await h.reply(sent.path);
    expect(reply.body.text).toMatch(
      new RegExp(`^${re(monthLabel(m))}: ${re(mauText(m))} monthly active users`),
    );
    expect(h.emulator.counters.statOk).toBe(1);

    const prev = buttonOf(reply.body, "prev");
    expect(prev?.value).toBe(isoMonth(ago(3)));
    const clicked = await h.click({
      action_id: ACTION_IDS.prev,
      value: prev?.value ?? "",
      user: ALICE,
      channel: STATS,
    });
    const replaced = await h.reply(clicked.path);
    expect(replaced.body.replace_original).toBe(true);
    expect(replaced.body.text).toMatch(
      new RegExp(`^${re(monthLabel(ago(3)))}: ${re(mauText(ago(3)))} monthly`),
    );

    const admin = await h.command("last", { user_id: ADMIN, channel_id: STATS });
    expect((await h.reply(admin.path)).body.text).toMatch(
      new RegExp(`^${re(monthLabel(ago(1)))}: ${re(mauText(ago(1)))} monthly`),
    );
  });
});

describe("with only ALLOWED_CHANNEL_IDS", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ALLOWED_CHANNEL_IDS: `${STATS},C0SECOND` } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("anyone may ask in an allowed channel; nobody elsewhere, not even in a DM", async () => {
    const dm = await h.command("last", { user_id: MALLORY, channel_id: "D0DIRECT" });
    expect(ackMessage(dm.ack).text).toBe(REFUSAL);
    expect(h.emulator.requests).toEqual([]);

    for (const channel of [STATS, "C0SECOND"]) {
      const sent = await h.command("last", { user_id: MALLORY, channel_id: channel });
      expect(sent.ack.status).toBe(200);
      expect((await h.reply(sent.path)).body.text).toMatch(
        new RegExp(`^${re(monthLabel(ago(1)))}: ${re(mauText(ago(1)))} monthly`),
      );
    }
  });
});
