/**
 * The real @slack/bolt App in Socket Mode: apps.connections.open on the Web API double, then the
 * WebSocket double carrying envelopes and acks.
 */
import { App, LogLevel, SocketModeReceiver } from "@slack/bolt";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  blockActionPayload,
  createMemoryLogger,
  type MemoryLogger,
  type SlackDouble,
  startSlackDouble,
} from "../../src/slack-double/index.js";

let double: SlackDouble | undefined;
let app: App | undefined;
let logger: MemoryLogger;
let commands: string[];

function register(a: App): void {
  a.command("/gluu-stats", async ({ command, ack, respond }) => {
    commands.push(command.text);
    await ack({ response_type: "ephemeral", text: "Crunching numbers…" });
    await respond({ text: `MAU for ${command.text}: 42` });
  });
  a.action("gluu_refresh", async ({ ack, respond }) => {
    await ack();
    await respond({ replace_original: true, text: "refreshed" });
  });
  a.event("app_mention", async ({ event, say }) => {
    await say(`hello <@${event.user}>`);
  });
}

async function startApp(d: SlackDouble): Promise<App> {
  logger = createMemoryLogger();
  commands = [];
  const a = new App({
    token: d.botToken,
    appToken: d.appToken,
    socketMode: true,
    logger,
    clientOptions: { slackApiUrl: d.apiUrl, retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 } },
    deferInitialization: true,
  });
  register(a);
  await a.init();
  // Resolves once the double's `hello` arrived, i.e. the app is connected.
  await a.start();
  return a;
}

afterEach(async () => {
  // Order matters: a Socket Mode app still running would try to reconnect to a closed double.
  await app?.stop();
  await double?.socket.disconnected();
  await double?.close();
  app = undefined;
  double = undefined;
});

describe("Bolt Socket Mode against the double", () => {
  it("connects through apps.connections.open with the app token", async () => {
    double = await startSlackDouble();
    app = await startApp(double);
    await double.socket.connected();
    expect(double.socket.connectionCount).toBe(1);
    const open = double.calls.filter((c) => c.method === "apps.connections.open");
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe(double.appToken);
  });

  it("delivers a slash command over the WebSocket, returns the ack payload, and respond() reaches the double", async () => {
    double = await startSlackDouble();
    app = await startApp(double);
    const url = double.responseUrl("sock-1");
    const ack = await double.socket.sendSlashCommand({ text: "2024-05", response_url: url });
    expect(ack).toEqual({ response_type: "ephemeral", text: "Crunching numbers…" });
    const [response] = await double.waitForResponses(1);
    expect(response).toMatchObject({
      path: `/commands/${double.teamId}/sock-1`,
      body: { text: "MAU for 2024-05: 42" },
    });
    expect(commands).toEqual(["2024-05"]);
    expect(double.socket.acks.map((a) => a.type)).toEqual(["slash_commands"]);
  });

  it("a bare ack() comes back as an empty payload", async () => {
    double = await startSlackDouble();
    app = await startApp(double);
    const ack = await double.socket.sendInteraction(
      blockActionPayload({
        action_id: "gluu_refresh",
        value: "v",
        user: "U1",
        channel: "C1",
        response_url: double.responseUrl(),
      }),
    );
    expect(ack).toEqual({});
    const [response] = await double.waitForResponses(1);
    expect(response?.body).toEqual({ replace_original: true, text: "refreshed" });
  });

  it("delivers an events_api envelope; say() posts through the Web API double", async () => {
    double = await startSlackDouble();
    app = await startApp(double);
    await double.socket.sendEvent({
      type: "app_mention",
      user: "U0ALICE",
      text: "<@U0DOUBLEBOT> hi",
      channel: "C9",
      ts: "1.2",
    });
    const [call] = await double.waitForCalls("chat.postMessage", 1);
    expect(call?.body).toMatchObject({ channel: "C9", text: "hello <@U0ALICE>" });
  });

  it("rejects when the app never acks (no listener), as Slack would time out", async () => {
    double = await startSlackDouble();
    app = await startApp(double);
    await expect(
      double.socket.sendSlashCommand({ text: "x", command: "/not-registered" }, { timeoutMs: 300 }),
    ).rejects.toThrow(/did not ack slash_commands envelope/);
  });

  it("a wrong app token makes app.start() fail with invalid_auth instead of retrying forever", async () => {
    double = await startSlackDouble();
    const a = new App({
      token: double.botToken,
      appToken: "xapp-1-wrong",
      socketMode: true,
      logger: createMemoryLogger(LogLevel.ERROR),
      clientOptions: { slackApiUrl: double.apiUrl },
      deferInitialization: true,
    });
    await a.init();
    await expect(a.start()).rejects.toMatchObject({ data: { error: "invalid_auth" } });
    expect(double.socket.totalConnections).toBe(0);
  });

  it("reconnects after Slack's disconnect frame, keeps the link alive with pings, and works on the new link", async () => {
    double = await startSlackDouble({ socketPingIntervalMs: 100 });
    const d = double;
    logger = createMemoryLogger();
    commands = [];
    // The App constructor cannot set the client's ping timeout (which also sets the reconnect delay),
    // so build the receiver; it needs the API URL through installerOptions.clientOptions.
    const receiver = new SocketModeReceiver({
      appToken: d.appToken,
      logger,
      clientPingTimeout: 900,
      serverPingTimeout: 600,
      installerOptions: { clientOptions: { slackApiUrl: d.apiUrl } },
    });
    app = new App({
      token: d.botToken,
      receiver,
      logger,
      clientOptions: { slackApiUrl: d.apiUrl },
      deferInitialization: true,
    });
    register(app);
    await app.init();
    await app.start();
    expect(d.socket.totalConnections).toBe(1);

    // Longer than both timeouts: the link only survives if pings flow and are answered both ways.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(d.socket.pingsReceived).toBeGreaterThan(2);
    expect(logger.find(LogLevel.WARN, "wasn't received")).toEqual([]);
    expect([d.socket.totalConnections, d.socket.connectionCount]).toEqual([1, 1]);

    d.socket.sendDisconnect("refresh_requested");
    await vi.waitFor(() => expect(d.socket.totalConnections).toBe(2), { timeout: 5_000, interval: 50 });
    await d.socket.connected();
    expect(d.socket.connectionCount).toBe(1);
    expect(d.calls.filter((c) => c.method === "apps.connections.open")).toHaveLength(2);

    const ack = await d.socket.sendSlashCommand({ text: "after-reconnect" });
    expect(ack).toMatchObject({ text: "Crunching numbers…" });
    await d.waitForResponses(1);
    expect(commands).toEqual(["after-reconnect"]);
  });
});
