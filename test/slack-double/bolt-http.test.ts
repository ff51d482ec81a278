/**
 * The real @slack/bolt App in HTTP mode, on an ephemeral loopback port, talking to the double.
 */
import type { AddressInfo } from "node:net";
import { App, LogLevel } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  blockActionBody,
  createMemoryLogger,
  type MemoryLogger,
  type SlackDouble,
  sendSignedCommand,
  signRequest,
  slashCommandBody,
  startSlackDouble,
} from "../../src/slack-double/index.js";

const SIGNING_SECRET = "test-signing-secret-0123456789abcdef";

let double: SlackDouble;
let app: App;
let logger: MemoryLogger;
let endpoint: string;
let commands: string[];
let appErrors: unknown[];

beforeEach(async () => {
  double = await startSlackDouble();
  logger = createMemoryLogger();
  commands = [];
  appErrors = [];
  app = new App({
    token: double.botToken,
    signingSecret: SIGNING_SECRET,
    logger,
    clientOptions: {
      slackApiUrl: double.apiUrl,
      retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 },
    },
    // Without this the constructor fires auth.test and an auth failure becomes an unhandled rejection.
    deferInitialization: true,
  });
  app.command("/gluu-stats", async ({ command, ack, respond }) => {
    commands.push(command.text);
    await ack();
    await respond({ response_type: "ephemeral", text: `MAU for ${command.text}: 42` });
  });
  app.action("gluu_refresh", async ({ ack, respond, action }) => {
    await ack();
    const value = "value" in action ? action.value : "";
    await respond({ replace_original: true, text: `refreshed ${value}` });
  });
  app.error(async (err) => {
    appErrors.push(err);
  });
  await app.init();
  const server = await app.start({ port: 0, host: "127.0.0.1" });
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

afterEach(async () => {
  await app.stop();
  await double.close();
});

describe("Bolt HTTP mode against the double", () => {
  it("verified auth.test once at init", () => {
    expect(double.calls.map((c) => c.method)).toEqual(["auth.test"]);
  });

  it("acks a signed /gluu-stats and respond() reaches the response_url", async () => {
    const body = slashCommandBody({ text: "2024-05", response_url: double.responseUrl("c1") });
    const res = await sendSignedCommand(endpoint, SIGNING_SECRET, body);
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    expect(res.ms).toBeGreaterThan(0);
    const [response] = await double.waitForResponses(1);
    expect(response).toMatchObject({
      path: `/commands/${double.teamId}/c1`,
      status: 200,
      body: { response_type: "ephemeral", text: "MAU for 2024-05: 42" },
    });
    expect(commands).toEqual(["2024-05"]);
  });

  it("refuses a forged signature with 401 and never runs the handler", async () => {
    const body = slashCommandBody({ text: "forged", response_url: double.responseUrl() });
    const res = await sendSignedCommand(endpoint, "not-the-signing-secret", body);
    expect(res.status).toBe(401);
    expect(logger.find(LogLevel.WARN, "signature mismatch")).toHaveLength(1);
    expect(commands).toEqual([]);
    expect(double.responses).toEqual([]);
  });

  it("refuses a body altered after signing", async () => {
    const body = slashCommandBody({ text: "a", response_url: double.responseUrl() });
    const res = await sendSignedCommand(endpoint, SIGNING_SECRET, body, {
      headers: {
        // Sign one body, send another: the signature header no longer matches.
        "x-slack-signature":
          signRequest(SIGNING_SECRET, body.replace("text=a", "text=b"))["x-slack-signature"] ?? "",
      },
    });
    expect(res.status).toBe(401);
    expect(commands).toEqual([]);
  });

  it("refuses a request signed 6 minutes ago with 401 (replay protection)", async () => {
    const body = slashCommandBody({ text: "stale", response_url: double.responseUrl() });
    const res = await sendSignedCommand(endpoint, SIGNING_SECRET, body, {
      timestampS: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(res.status).toBe(401);
    expect(logger.find(LogLevel.WARN, "stale")).toHaveLength(1);
    expect(commands).toEqual([]);
  });

  it("still accepts one signed 4 minutes ago (inside Slack's 5-minute window)", async () => {
    const body = slashCommandBody({ text: "late", response_url: double.responseUrl() });
    const res = await sendSignedCommand(endpoint, SIGNING_SECRET, body, {
      timestampS: Math.floor(Date.now() / 1000) - 4 * 60,
    });
    expect(res.status).toBe(200);
    await double.waitForResponses(1);
    expect(commands).toEqual(["late"]);
  });

  it("routes a block_actions click and respond() replaces the original", async () => {
    const body = blockActionBody({
      action_id: "gluu_refresh",
      value: "2024-06",
      user: "U0ALICE",
      channel: "C0STATS",
      response_url: double.responseUrl("a1"),
      message: { ts: "1700000000.000100", text: "old" },
    });
    const res = await sendSignedCommand(endpoint, SIGNING_SECRET, body);
    expect(res.status).toBe(200);
    const [response] = await double.waitForResponses(1);
    expect(response?.body).toEqual({ replace_original: true, text: "refreshed 2024-06" });
  });

  it("a failing response_url surfaces in Bolt as a RespondError with the status", async () => {
    double.faults = { method: "response_url", status: 500, times: 1 };
    const body = slashCommandBody({ text: "boom", response_url: double.responseUrl() });
    expect((await sendSignedCommand(endpoint, SIGNING_SECRET, body)).status).toBe(200);
    await double.waitForResponses(1);
    await expect.poll(() => appErrors.length).toBe(1);
    expect(appErrors[0]).toMatchObject({ code: "slack_bolt_respond_error", statusCode: 500 });
  });

  it("app.client.chat.postMessage reaches the double with the bot token", async () => {
    const res = await app.client.chat.postMessage({ channel: "C0STATS", text: "monthly report" });
    expect(res.ok).toBe(true);
    const [call] = await double.waitForCalls("chat.postMessage", 1);
    expect(call?.body).toMatchObject({ channel: "C0STATS", text: "monthly report" });
    expect(call?.token).toBe(double.botToken);
  });

  it("app.client retries a 429 after Retry-After", async () => {
    double.faults = { method: "chat.postMessage", retryAfterS: 1, times: 1 };
    const started = Date.now();
    const res = await app.client.chat.postMessage({ channel: "C0STATS", text: "eventually" });
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect((await double.waitForCalls("chat.postMessage", 2)).map((c) => c.status)).toEqual([429, 200]);
  });
});

describe("Bolt init against the double", () => {
  it("init() rejects with invalid_auth for a wrong bot token (deferInitialization keeps it catchable)", async () => {
    const bad = new App({
      token: "xoxb-not-the-token",
      signingSecret: SIGNING_SECRET,
      logger: createMemoryLogger(),
      clientOptions: { slackApiUrl: double.apiUrl },
      deferInitialization: true,
    });
    await expect(bad.init()).rejects.toMatchObject({ data: { error: "invalid_auth" } });
  });
});
