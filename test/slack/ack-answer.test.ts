/**
 * Answers the cache holds go out as the body of the acknowledgement (one exchange, within
 * Slack's 3 s); only answers that need the Gluu server use the response_url. Before, every
 * answer was a bare ack followed by a post to the response_url, even when nothing was fetched.
 */
import { afterEach, describe, expect, it } from "vitest";
import { isoMonth, monthLabel } from "../../src/months.js";
import { ACTION_IDS } from "../../src/report/slack/index.js";
import { ackMessage, ago, type Harness, mauText, re, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const monthAnswer = (n: number) => new RegExp(`^${re(monthLabel(ago(n)))}: ${re(mauText(ago(n)))} monthly`);

describe("in HTTP mode, the ack that carries an answer", () => {
  it("is JSON with its length, sent whole (not chunked), the same bytes for the same answer", async () => {
    const bot = await startHarness();
    h = bot;
    const first = await bot.command(isoMonth(ago(2)));
    await bot.reply(first.path);
    const a = await bot.command(isoMonth(ago(2)));
    const b = await bot.command(isoMonth(ago(2)));
    expect(ackMessage(a.ack).text).toMatch(monthAnswer(2));
    for (const sent of [a, b]) {
      expect(sent.ack.headers?.["content-type"]).toBe("application/json");
      expect(sent.ack.headers?.["content-length"]).toBe(String(Buffer.byteLength(sent.ack.body)));
      expect(sent.ack.headers?.["transfer-encoding"]).toBeUndefined();
    }
    // Answers carry non-ASCII text (·, ▲, –): the length is in bytes, not characters.
    expect(Buffer.byteLength(a.ack.body)).toBeGreaterThan(a.ack.body.length);
    expect(b.ack.body).toBe(a.ack.body);
    // An ack without a message stays empty.
    const other = await bot.command(isoMonth(ago(40)));
    expect(other.ack.body).toBe("");
  });
});

describe.each([
  { mode: "HTTP", socket: false },
  { mode: "Socket Mode", socket: true },
])("in $mode", ({ socket }) => {
  it("the first question goes to the server and the response_url; the next ones ride in the ack", async () => {
    const bot = await startHarness({ socket });
    h = bot;
    const first = await bot.command(isoMonth(ago(2)));
    expect(first.ack.body).toBe("");
    expect((await bot.reply(first.path)).body.text).toMatch(monthAnswer(2));
    expect(bot.postsAt(first.path)).toHaveLength(1);
    const requests = bot.emulator.counters.stat;

    for (const [text, n] of [
      [isoMonth(ago(2)), 2],
      [isoMonth(ago(3)), 3],
      [isoMonth(ago(14)), 14],
    ] as const) {
      const sent = await bot.command(text);
      const ack = ackMessage(sent.ack);
      expect(ack.text).toMatch(monthAnswer(n));
      expect(ack.response_type).toBe("ephemeral");
      expect(sent.ack.ms).toBeLessThan(3_000);
      await new Promise((r) => setTimeout(r, 30));
      expect(bot.postsAt(sent.path)).toEqual([]);
    }
    const trend = await bot.command("trend public");
    expect(ackMessage(trend.ack)).toMatchObject({ response_type: "in_channel" });
    expect(bot.emulator.counters.stat).toBe(requests);
  });
});

it("a button never answers in its ack (Slack ignores a block_actions ack body): the response_url replaces the message", async () => {
  const bot = await startHarness();
  h = bot;
  const first = await bot.command(isoMonth(ago(2)));
  await bot.reply(first.path);
  const click = await bot.click({ action_id: ACTION_IDS.prev, value: isoMonth(ago(3)) });
  expect(click.ack.body).toBe("");
  const reply = await bot.reply(click.path);
  expect(reply.body).toMatchObject({ replace_original: true });
  expect(reply.body.text).toMatch(monthAnswer(3));
});
