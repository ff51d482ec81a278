/**
 * A re-sent command or button press is answered once: Slack's retries (X-Slack-Retry-Num, or
 * retry_attempt in Socket Mode) and proxies' re-sends carry the same trigger_id. Before, each
 * copy got its own reply, and a public answer appeared twice in the channel.
 */

import type { AllMiddlewareArgs, AnyMiddlewareArgs } from "@slack/bolt";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import {
  answerOnce,
  MemorySeenRequests,
  RedisSeenRequests,
  requestIdentity,
  SEEN_CHECK_MS,
  type SeenRequests,
} from "../../src/slack/redelivery.js";
import { blockActionBody, sendSignedCommand, slashCommandBody } from "../../src/slack-double/index.js";
import { useRedis } from "../support/redis.js";
import { type Harness, SIGNING_SECRET, startHarness } from "./harness.js";

describe("requestIdentity", () => {
  it("is the trigger_id of a command or an action, else the action's timestamp and message", () => {
    expect(requestIdentity({ command: "/gluu-stats", trigger_id: "123.456.abc" })).toBe(
      "trigger:123.456.abc",
    );
    expect(
      requestIdentity({
        type: "block_actions",
        container: { message_ts: "1700000000.000100" },
        actions: [{ action_id: "gluu_stats_prev", action_ts: "1700000001.000200" }],
      }),
    ).toBe("action:1700000001.000200:1700000000.000100:gluu_stats_prev");
    expect(requestIdentity({ type: "url_verification" })).toBeUndefined();
    expect(requestIdentity(null)).toBeUndefined();
    expect(requestIdentity({ trigger_id: "" })).toBeUndefined();
  });
});

describe("answerOnce with a store that does not answer", () => {
  // Only the fields the middleware reads; the rest of Bolt's arguments are not used.
  const run = async (seen: SeenRequests) => {
    let nextAt: number | undefined;
    const started = performance.now();
    const args = {
      body: { command: "/gluu-stats", trigger_id: "1.2.3" },
      context: {},
      next: async () => {
        nextAt = performance.now() - started;
      },
    } as unknown as AnyMiddlewareArgs & AllMiddlewareArgs;
    await answerOnce(seen, silentLogger)(args);
    return nextAt;
  };

  it("answers the request once the check has taken SEEN_CHECK_MS (Redis hanging)", async () => {
    const hanging: SeenRequests = {
      firstTime: () => new Promise(() => {}),
      answeredInAck: () => undefined,
      wasAnsweredInAck: () => false,
    };
    const at = await run(hanging);
    expect(at).toBeGreaterThanOrEqual(SEEN_CHECK_MS - 5);
    expect(at).toBeLessThan(SEEN_CHECK_MS + 1_000);
  });

  it("answers the request when the check fails, at once or later", async () => {
    const throwing: SeenRequests = {
      firstTime: () => {
        throw new Error("store gone");
      },
      answeredInAck: () => undefined,
      wasAnsweredInAck: () => false,
    };
    expect(await run(throwing)).toBeDefined();
    const rejecting: SeenRequests = { ...throwing, firstTime: () => Promise.reject(new Error("down")) };
    expect(await run(rejecting)).toBeDefined();
  });
});

describe("MemorySeenRequests", () => {
  it("answers at once, without a promise (it is on every command's way to its ack)", () => {
    const seen = new MemorySeenRequests();
    expect(seen.firstTime("a")).toBe(true);
    expect(seen.firstTime("a")).toBe(false);
    expect(seen.answeredInAck("a")).toBeUndefined();
    expect(seen.wasAnsweredInAck("a")).toBe(true);
  });

  it("says first time once per id, and again after the window", async () => {
    const seen = new MemorySeenRequests(40);
    expect(await seen.firstTime("a")).toBe(true);
    expect(await seen.firstTime("a")).toBe(false);
    expect(await seen.firstTime("b")).toBe(true);
    await new Promise((r) => setTimeout(r, 80));
    expect(await seen.firstTime("a")).toBe(true);
  });

  it("remembers an answer sent in the ack only for a request it has seen, within the window", async () => {
    const seen = new MemorySeenRequests(60);
    await seen.answeredInAck("never-seen");
    expect(await seen.wasAnsweredInAck("never-seen")).toBe(false);
    expect(await seen.firstTime("a")).toBe(true);
    expect(await seen.wasAnsweredInAck("a")).toBe(false);
    await seen.answeredInAck("a");
    expect(await seen.wasAnsweredInAck("a")).toBe(true);
    expect(await seen.firstTime("a")).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(await seen.wasAnsweredInAck("a")).toBe(false);
  });
});

describe("RedisSeenRequests", () => {
  const redis = useRedis();
  const clients: Redis[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.quit();
  });

  it("is shared by replicas: of two bots seeing the same request, one answers it", async () => {
    const a = new Redis(redis().url);
    const b = new Redis(redis().url);
    clients.push(a, b);
    const [first, second] = [new RedisSeenRequests(a), new RedisSeenRequests(b)];
    const answers = await Promise.all([first.firstTime("trigger:x"), second.firstTime("trigger:x")]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await a.pttl("gluu-stats:seen:trigger:x")).toBeGreaterThan(4 * 60_000);
  });

  it("tells every replica that a request was answered in its ack, without lengthening the window", async () => {
    const a = new Redis(redis().url);
    const b = new Redis(redis().url);
    clients.push(a, b);
    const [first, second] = [new RedisSeenRequests(a), new RedisSeenRequests(b)];
    await first.answeredInAck("trigger:unseen");
    expect(await a.exists("gluu-stats:seen:trigger:unseen")).toBe(0);
    expect(await first.firstTime("trigger:y")).toBe(true);
    const ttl = await a.pttl("gluu-stats:seen:trigger:y");
    expect(await second.wasAnsweredInAck("trigger:y")).toBe(false);
    await first.answeredInAck("trigger:y");
    expect(await second.wasAnsweredInAck("trigger:y")).toBe(true);
    expect(await a.pttl("gluu-stats:seen:trigger:y")).toBeLessThanOrEqual(ttl);
    expect(await second.firstTime("trigger:y")).toBe(false);
  });
});

describe("over HTTP", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const retry = { headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" } };

  it("a command re-sent with X-Slack-Retry-Num gets one reply", async () => {
    const url = h.double.responseUrl();
    const body = slashCommandBody({ text: "trend", response_url: url, trigger_id: "111.222.redeliver" });
    const first = await sendSignedCommand(h.endpoint, SIGNING_SECRET, body);
    const again = await sendSignedCommand(h.endpoint, SIGNING_SECRET, body, retry);
    const proxy = await sendSignedCommand(h.endpoint, SIGNING_SECRET, body);
    expect([first.status, again.status, proxy.status]).toEqual([200, 200, 200]);
    const path = new URL(url).pathname;
    await h.reply(path);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.postsAt(path)).toHaveLength(1);
    expect(h.logs.grep("ignored a re-sent request already answered")).toHaveLength(2);
  });

  it("an answer that rode in a lost ack is answered again in the re-sent request's ack", async () => {
    // After the test above the trend is cached, so the answer rides in the first ack. Slack
    // re-sends only when that ack did not reach it in time, and then it shows nothing of it:
    // before, the re-sent request got an empty ack and the user saw no answer at all.
    const url = h.double.responseUrl();
    const body = slashCommandBody({ text: "trend public", response_url: url, trigger_id: "111.222.public" });
    const first = await sendSignedCommand(h.endpoint, SIGNING_SECRET, body);
    const again = await sendSignedCommand(h.endpoint, SIGNING_SECRET, body, retry);
    expect(JSON.parse(first.body)).toMatchObject({ response_type: "in_channel" });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual(JSON.parse(first.body));
    await new Promise((r) => setTimeout(r, 200));
    // Slack keeps only the ack it waited for, so the channel sees one answer; none went by response_url.
    expect(h.postsAt(new URL(url).pathname)).toEqual([]);
    expect(h.logs.grep("its first answer was in a lost ack")).toHaveLength(1);
  });

  it("a public answer that needs the server, re-sent, is posted once", async () => {
    const fresh = await startHarness();
    try {
      const url = fresh.double.responseUrl();
      const body = slashCommandBody({ text: "trend public", response_url: url, trigger_id: "111.222.cold" });
      const first = await sendSignedCommand(fresh.endpoint, SIGNING_SECRET, body);
      const again = await sendSignedCommand(fresh.endpoint, SIGNING_SECRET, body, retry);
      expect([first.body, again.body]).toEqual(["", ""]);
      const path = new URL(url).pathname;
      await fresh.reply(path);
      await new Promise((r) => setTimeout(r, 200));
      expect(fresh.postsAt(path)).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it("a share button pressed once but delivered twice posts once", async () => {
    const url = h.double.responseUrl();
    const body = blockActionBody({
      action_id: "gluu_stats_share",
      value: "trend public",
      response_url: url,
      user: "U0USER0001",
      channel: "C0CHANNEL1",
      trigger_id: "111.222.share",
    });
    await sendSignedCommand(h.endpoint, SIGNING_SECRET, body);
    await sendSignedCommand(h.endpoint, SIGNING_SECRET, body, retry);
    const path = new URL(url).pathname;
    await h.reply(path);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.postsAt(path)).toHaveLength(1);
  });

  it("two different presses of the same button are both answered", async () => {
    const urls = [h.double.responseUrl(), h.double.responseUrl()];
    for (const url of urls) await h.command("help", { response_url: url });
    const trend = await Promise.all([h.command("trend"), h.command("trend")]);
    for (const t of trend) expect((await h.reply(t.path)).status).toBe(200);
  });
});

describe("in Socket Mode", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ socket: true });
  });
  afterAll(() => h.close());

  it("an envelope re-sent with the same trigger_id gets one reply", async () => {
    const url = h.double.responseUrl();
    await h.double.socket.sendSlashCommand({
      text: "trend",
      response_url: url,
      trigger_id: "333.444.socket",
    });
    await h.double.socket.sendSlashCommand({
      text: "trend",
      response_url: url,
      trigger_id: "333.444.socket",
    });
    const path = new URL(url).pathname;
    await h.reply(path);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.postsAt(path)).toHaveLength(1);
  });

  it("an answer whose ack was lost is in the re-sent envelope's ack", async () => {
    // The trend is cached after the test above: its answer rides in the ack.
    const url = h.double.responseUrl();
    const send = () =>
      h.double.socket.sendSlashCommand({ text: "trend", response_url: url, trigger_id: "333.444.lost-ack" });
    const first = await send();
    const again = await send();
    expect(first).toMatchObject({ blocks: expect.any(Array) });
    expect(again).toEqual(first);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.postsAt(new URL(url).pathname)).toEqual([]);
  });
});
