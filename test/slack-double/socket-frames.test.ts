/**
 * The Socket Mode double's frames, seen by a bare `ws` client, so the wire format is pinned
 * independently of how @slack/socket-mode happens to tolerate it.
 */
import { webApi } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createMemoryLogger, type SlackDouble, startSlackDouble } from "../../src/slack-double/index.js";

let double: SlackDouble;
const sockets: WebSocket[] = [];

async function openUrl(): Promise<string> {
  const c = new webApi.WebClient(double.appToken, {
    slackApiUrl: double.apiUrl,
    logger: createMemoryLogger(),
  });
  const res = await c.apps.connections.open();
  return String(res.url);
}

/** Connects and collects parsed frames; resolves once open. */
function connect(url: string): Promise<{ ws: WebSocket; frames: Record<string, unknown>[] }> {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const frames: Record<string, unknown>[] = [];
  ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, frames }));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error("condition not met in 2 s");
}

beforeEach(async () => {
  double = await startSlackDouble({ socketPingIntervalMs: 0 });
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await double.close();
});

describe("Socket Mode wire format", () => {
  it("greets with hello, sends a slash_commands envelope and resolves with the ack's payload", async () => {
    const { ws, frames } = await connect(await openUrl());
    await until(() => frames.length === 1);
    expect(frames[0]).toMatchObject({
      type: "hello",
      num_connections: 1,
      connection_info: { app_id: double.appId },
      debug_info: { host: expect.any(String) },
    });

    const acked = double.socket.sendSlashCommand({ text: "2024-05" });
    await until(() => frames.length === 2);
    const envelope = frames[1] as { envelope_id: string; payload: Record<string, string> };
    expect(envelope).toMatchObject({ type: "slash_commands", accepts_response_payload: true });
    expect(envelope.envelope_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(envelope.payload).toMatchObject({
      command: "/gluu-stats",
      text: "2024-05",
      team_id: double.teamId,
    });
    expect(envelope.payload.response_url).toMatch(new RegExp(`^${double.url}/commands/`));

    // An ack for some other envelope must not resolve this one.
    ws.send(JSON.stringify({ envelope_id: "someone-else", payload: { text: "no" } }));
    ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: "yes" } }));
    expect(await acked).toEqual({ text: "yes" });
    expect(double.socket.acks.map((a) => a.envelope_id)).toEqual(["someone-else", envelope.envelope_id]);
  });

  it("marks block_actions as not accepting a response payload, and events_api envelopes carry an event_callback", async () => {
    const { ws, frames } = await connect(await openUrl());
    ws.on("message", (data) => {
      const f = JSON.parse(data.toString()) as { envelope_id?: string };
      if (f.envelope_id) ws.send(JSON.stringify({ envelope_id: f.envelope_id }));
    });
    expect(await double.socket.sendInteraction({ type: "block_actions", actions: [] })).toBeUndefined();
    expect(await double.socket.sendEvent({ type: "app_mention", text: "hi" })).toBeUndefined();
    expect(frames[1]).toMatchObject({ type: "interactive", accepts_response_payload: false });
    expect(frames[2]).toMatchObject({
      type: "events_api",
      payload: { type: "event_callback", team_id: double.teamId, event: { type: "app_mention", text: "hi" } },
    });
  });

  it("tickets are single-use, and unknown paths are refused", async () => {
    const url = await openUrl();
    await connect(url);
    await expect(connect(url)).rejects.toThrow("HTTP 401");
    await expect(connect(`${double.url.replace("http", "ws")}/elsewhere`)).rejects.toThrow("HTTP 404");
    expect(double.socket.totalConnections).toBe(1);
  });

  it("a connection closing before the ack rejects the pending send", async () => {
    const { ws, frames } = await connect(await openUrl());
    const pending = double.socket.sendSlashCommand({ text: "x" }, { timeoutMs: 2_000 });
    await until(() => frames.length === 2);
    ws.close(1000);
    await expect(pending).rejects.toThrow(/closed before envelope/);
    await double.socket.disconnected();
    expect(double.socket.connectionCount).toBe(0);
  });

  it("disconnect frames ask the client to reconnect; disconnected() times out while a connection stays open", async () => {
    const { frames } = await connect(await openUrl());
    double.socket.sendDisconnect("warning");
    await until(() => frames.length === 2);
    expect(frames[1]).toMatchObject({ type: "disconnect", reason: "warning" });
    await expect(double.socket.disconnected(100)).rejects.toThrow(/Timed out/);
  });
});

describe("an outage (setReachable)", () => {
  it("cuts open WebSockets without a close frame, resets new connections, and ends cleanly", async () => {
    const { ws } = await connect(await openUrl());
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    double.setReachable(false);
    expect(double.reachable).toBe(false);
    // 1006: the connection went away without a close handshake, as when the network fails.
    expect(await closed).toBe(1006);
    await double.socket.disconnected();

    const calls = double.calls.length;
    const c = new webApi.WebClient(double.appToken, {
      slackApiUrl: double.apiUrl,
      logger: createMemoryLogger(),
      retryConfig: { retries: 0 },
    });
    await expect(c.apps.connections.open()).rejects.toMatchObject({ code: "slack_webapi_request_error" });
    await expect(fetch(double.responseUrl(), { method: "POST", body: "{}" })).rejects.toThrow(/fetch failed/);
    await expect(connect(`${double.url.replace("http", "ws")}/link/?ticket=x`)).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );
    expect(double.refusedConnections).toBeGreaterThanOrEqual(3);
    // Nothing reached the double while it was unreachable.
    expect(double.calls.length).toBe(calls);

    double.setReachable(true);
    await connect(await openUrl());
    expect(double.socket.connectionCount).toBe(1);
  });

  it("reset() ends an outage", async () => {
    double.setReachable(false);
    double.reset();
    expect(double.reachable).toBe(true);
    await connect(await openUrl());
  });
});
