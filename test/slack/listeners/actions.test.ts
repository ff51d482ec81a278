/** The button handlers, called directly with a fake ack and a fake postResponse. */
import { describe, expect, it } from "vitest";
import { ACTION_IDS } from "../../../src/report/slack/index.js";
import { navigateAction } from "../../../src/slack/listeners/actions/navigate.js";
import { shareAction } from "../../../src/slack/listeners/actions/share.js";
import { actionArgs, fake, textOf } from "./fakes.js";

describe("navigateAction", () => {
  it("acks, then replaces the message with the month the button names", async () => {
    const f = fake();
    await navigateAction(f.deps)(actionArgs(f, ACTION_IDS.prev, "2026-09"));
    expect(f.acks).toEqual([undefined]);
    expect(f.posts).toHaveLength(1);
    expect(f.posts[0]?.payload).toMatchObject({ replace_original: true });
    expect(textOf(f.posts[0]?.payload)).toMatch(/^September 2026/);
  });

  it("explains an altered value and a public value, without asking the server", async () => {
    const f = fake();
    await navigateAction(f.deps)(actionArgs(f, ACTION_IDS.next, "2026-13"));
    await navigateAction(f.deps)(actionArgs(f, ACTION_IDS.next, "2026-09 public"));
    expect(f.posts.map((p) => textOf(p.payload))).toEqual([
      expect.stringMatching(/^This button is out of date or was altered\./),
      expect.stringMatching(/^This button does not lead to a report\./),
    ]);
    expect(f.asked).toEqual([]);
  });

  it("refuses someone not on the list", async () => {
    const f = fake({ users: ["U0SOMEONE1"] });
    await navigateAction(f.deps)(actionArgs(f, ACTION_IDS.trend, "trend"));
    expect(textOf(f.posts[0]?.payload)).toMatch(/can't use Gluu statistics/);
    expect(f.asked).toEqual([]);
  });
});

describe("shareAction", () => {
  it("posts the same answer in the channel and keeps the private one", async () => {
    const f = fake();
    await shareAction(f.deps)(actionArgs(f, ACTION_IDS.share, "2026-09 public"));
    expect(f.posts[0]?.payload).toMatchObject({ response_type: "in_channel", replace_original: false });
    expect(textOf(f.posts[0]?.payload)).toMatch(/^September 2026/);
  });

  it("refuses a share value that is not public", async () => {
    const f = fake();
    await shareAction(f.deps)(actionArgs(f, ACTION_IDS.share, "2026-09"));
    expect(textOf(f.posts[0]?.payload)).toMatch(/^This button does not lead to a report\./);
    expect(f.asked).toEqual([]);
  });

  it("does not throw when the reply cannot be delivered", async () => {
    const f = fake({ failPost: true });
    await expect(
      shareAction(f.deps)(actionArgs(f, ACTION_IDS.share, "trend public")),
    ).resolves.toBeUndefined();
  });
});
