/**
 * Socket Mode end to end: the server started with SLACK_APP_TOKEN (and no signing secret) opens
 * a WebSocket to the double through apps.connections.open; commands and button clicks arrive as
 * envelopes, acks go back over the socket, answers to the response_urls.
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isoMonth, monthLabel } from "../../src/months.js";
import { ACTION_IDS } from "../../src/report/slack/index.js";
import {
  ackMessage,
  ago,
  blockText,
  buttonOf,
  buttonsOf,
  getJson,
  type Harness,
  mauText,
  re,
  startHarness,
  tokensText,
} from "./harness.js";

describe("Socket Mode", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ socket: true });
  });
  afterAll(async () => {
    // Order per the double's docs: stop the app, wait for its socket to close, close the double.
    await h?.close();
    expect(h?.double.socket.connectionCount ?? 0).toBe(0);
  });

  it("connects with the app token; no signing secret, no Slack endpoint: only the probes listen", async () => {
    await h.double.socket.connected();
    expect(h.double.socket.connectionCount).toBe(1);
    const opens = h.double.calls.filter((c) => c.method === "apps.connections.open");
    expect(opens).toHaveLength(1);
    expect(opens[0]?.token).toBe(h.double.appToken);
    expect(h.env.SLACK_SIGNING_SECRET).toBeUndefined();
    expect(h.server.slack.port).toBeGreaterThan(0);
    const health = await getJson(`${h.base}/healthz`);
    expect(health).toMatchObject({
      status: 200,
      body: { ready: true, gluu: { ok: null }, slack: { mode: "socket", state: "connected" } },
    });
    expect(await getJson(`${h.base}/readyz`)).toMatchObject({
      status: 200,
      body: { ready: true, slack: { mode: "socket", state: "connected" } },
    });
    const events = await request(h.endpoint, { method: "POST", body: "{}" });
    await events.body.dump();
    expect(events.statusCode).toBe(404);
  });

  it("a command over the WebSocket is acked and answered at the response_url", async () => {
    const m = ago(2);
    const sent = await h.command(isoMonth(m));
    expect(sent.ack.body).toBe("");
    const reply = await h.reply(sent.path);
    expect(reply.body.response_type).toBe("ephemeral");
    expect(reply.body.text).toMatch(
      new RegExp(`^${re(monthLabel(m))}: ${re(mauText(m))} monthly active users`),
    );
    expect(blockText(reply.body)).toContain(`*Tokens issued:* ${tokensText(m)}`);
    expect(h.double.socket.acks.map((a) => a.type)).toContain("slash_commands");
    expect(h.emulator.counters.statOk).toBe(1);
  });

  it("help and usage errors come back in the ack payload, with nothing fetched", async () => {
    const before = { ...h.emulator.counters };
    const help = await h.command("help");
    expect(ackMessage(help.ack).text).toBe("How to use the Gluu statistics command.");
    const bad = await h.command("2021-13");
    const ack = ackMessage(bad.ack);
    expect(ack.text).toBe("There is no month 13 in “2021-13”; months run from 1 to 12.");
    expect(blockText(ack)).toContain("*Usage:*");
    await new Promise((r) => setTimeout(r, 100));
    expect(h.postsAt(help.path)).toEqual([]);
    expect(h.postsAt(bad.path)).toEqual([]);
    expect(h.emulator.counters).toEqual(before);
  });

  it("`public` answers in the channel", async () => {
    const sent = await h.command("last public");
    const reply = await h.reply(sent.path);
    expect(reply.body.response_type).toBe("in_channel");
    expect(reply.body.text).toMatch(new RegExp(`^${re(monthLabel(ago(1)))}: ${re(mauText(ago(1)))} monthly`));
    expect(buttonsOf(reply.body)).toEqual([]);
  });

  it("a button interaction over the WebSocket replaces the message", async () => {
    const sent = await h.command(isoMonth(ago(5)));
    const shown = (await h.reply(sent.path)).body;
    const prev = buttonOf(shown, "prev");
    expect(prev?.value).toBe(isoMonth(ago(6)));
    const clicked = await h.click({ action_id: ACTION_IDS.prev, value: prev?.value ?? "" });
    expect(clicked.ack.body).toBe("");
    const reply = await h.reply(clicked.path);
    expect(reply.body.replace_original).toBe(true);
    expect(reply.body.text).toMatch(new RegExp(`^${re(monthLabel(ago(6)))}: ${re(mauText(ago(6)))} monthly`));
    expect(h.double.socket.acks.map((a) => a.type)).toContain("interactive");
  });

  it("share over the WebSocket posts in the channel", async () => {
    const clicked = await h.click({ action_id: ACTION_IDS.share, value: `${isoMonth(ago(4))} public` });
    const reply = await h.reply(clicked.path);
    expect(reply.body).toMatchObject({ response_type: "in_channel", replace_original: false });
    expect(reply.body.text).toMatch(new RegExp(`^${re(monthLabel(ago(4)))}: ${re(mauText(ago(4)))} monthly`));
  });

  it("a tampered button value gets an explanation over the WebSocket too", async () => {
    const before = { ...h.emulator.counters };
    const clicked = await h.click({ action_id: ACTION_IDS.next, value: "garbage" });
    const reply = await h.reply(clicked.path);
    expect(reply.body.replace_original).toBe(true);
    expect(reply.body.text).toContain("This button is out of date or was altered.");
    expect(h.emulator.counters).toEqual(before);
  });
});

describe("Socket Mode stop", () => {
  it("a reply in flight is delivered; the app disconnects; the double then closes cleanly", async () => {
    const h = await startHarness({ socket: true });
    try {
      h.emulator.faults = { delayMs: 500, times: 1 };
      const sent = await h.command(isoMonth(ago(3)));
      expect(sent.ack.body).toBe("");
      await h.stop();
      expect(h.postsAt(sent.path).map((p) => p.status)).toEqual([200]);
      await h.double.socket.disconnected();
      expect(h.double.socket.connectionCount).toBe(0);
      expect(h.double.socket.totalConnections).toBe(1);
    } finally {
      await h.close();
    }
  });
});

describe("Socket Mode start-up", () => {
  it("a wrong app token fails start-up at once with Slack's answer, and leaves nothing listening", async () => {
    const started = Date.now();
    await expect(
      startHarness({ socket: true, env: { SLACK_APP_TOKEN: "xapp-1-wrong-token" } }),
    ).rejects.toThrow(/invalid_auth/);
    // Slack answered: no retries with back-off (those are for an unreachable Slack).
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
