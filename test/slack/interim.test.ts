/**
 * Never silent: an answer that needs more than 1.5 s gets a short interim reply first, which
 * the answer then replaces; an answer that is quick goes out alone. Before, the ack was empty
 * and nothing was shown until the figures arrived (60 s on a Gluu 4.x server).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isoMonth } from "../../src/months.js";
import { ACTION_IDS } from "../../src/report/slack/index.js";
import { ago, allText, type Harness, isInterim, startHarness } from "./harness.js";

// A fresh bot for each case: one answer brings its whole neighbourhood into the cache, and a
// cached answer goes out in the ack, without any wait to bridge.
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

async function slowly<T>(ms: number, run: () => Promise<T>): Promise<T> {
  h.emulator.faults = { delayMs: ms };
  try {
    return await run();
  } finally {
    h.emulator.faults = {};
  }
}

describe("an answer that waits for the Gluu server", () => {
  it("a command: an ephemeral interim reply, then the answer replacing it; two posts in all", async () => {
    const sent = await slowly(2500, async () => {
      const s = await h.command(isoMonth(ago(20)));
      await h.reply(s.path, 8000);
      return s;
    });
    const posts = h.postsAt(sent.path);
    expect(posts).toHaveLength(2);
    const [interim, answer] = posts;
    expect(interim && isInterim(interim)).toBe(true);
    expect(allText(interim?.body as object)).toMatch(
      /Asking the Gluu server 127\.0\.0\.1:\d+ for your figures for/,
    );
    expect(interim?.body).toMatchObject({ response_type: "ephemeral" });
    expect(answer?.body).toMatchObject({ response_type: "ephemeral", replace_original: true });
    // The interim reply went out about 1.5 s after the command, not when the answer came.
    expect((answer?.at ?? 0) - (interim?.at ?? 0)).toBeGreaterThan(500);
  });

  it("a public command: the wait is shown only to the asker, the answer goes to the channel", async () => {
    const sent = await slowly(2500, async () => {
      const s = await h.command(`${isoMonth(ago(19))} public`);
      await h.reply(s.path, 8000);
      return s;
    });
    const [interim, answer] = h.postsAt(sent.path);
    expect(interim?.body).toMatchObject({ response_type: "ephemeral" });
    expect(allText(interim?.body as object)).toMatch(/posted in the channel/);
    expect(answer?.body).toMatchObject({ response_type: "in_channel" });
  });

  it("a navigation button: the interim reply and then the answer replace the message", async () => {
    const sent = await slowly(2500, async () => {
      const s = await h.click({ action_id: ACTION_IDS.prev, value: isoMonth(ago(17)) });
      await h.reply(s.path, 8000);
      return s;
    });
    const [interim, answer] = h.postsAt(sent.path);
    expect(interim && isInterim(interim)).toBe(true);
    expect(interim?.body).toMatchObject({ replace_original: true });
    expect(answer?.body).toMatchObject({ replace_original: true });
  });

  it("a quick answer goes out alone, without an interim reply", async () => {
    const sent = await h.command(isoMonth(ago(3)));
    await h.reply(sent.path);
    await new Promise((r) => setTimeout(r, 1700));
    expect(h.postsAt(sent.path)).toHaveLength(1);
    expect(h.interim(sent.path)).toBeUndefined();
  });
});
