/**
 * A workspace that refuses the newer block types (refuseBlockTypes): the Web API answers
 * invalid_blocks, response_urls answer 400 without using up a post, and slash-command acks
 * carrying such a block are marked refused.
 */
import type { AddressInfo } from "node:net";
import { App, webApi } from "@slack/bolt";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import {
  createMemoryLogger,
  type SlackDouble,
  type SlackDoubleOptions,
  sendSignedCommand,
  slashCommandBody,
  startSlackDouble,
} from "../../src/slack-double/index.js";

const NEW_TYPES = ["table", "data_visualization"];
const SECTION = { type: "section", text: { type: "mrkdwn", text: "*MAU* 42" } };
const TABLE = { type: "table", rows: [[{ type: "raw_text", text: "42" }]] };
const SIGNING_SECRET = "test-signing-secret-0123456789abcdef";

let double: SlackDouble | undefined;
let app: App | undefined;

afterEach(async () => {
  await app?.stop();
  if (app) await double?.socket.disconnected();
  await double?.close();
  app = undefined;
  double = undefined;
});

async function start(opts: SlackDoubleOptions = {}): Promise<SlackDouble> {
  double = await startSlackDouble(opts);
  return double;
}

function client(d: SlackDouble): webApi.WebClient {
  return new webApi.WebClient(d.botToken, {
    slackApiUrl: d.apiUrl,
    retryConfig: { retries: 0 },
    logger: createMemoryLogger(),
  });
}

async function platformError(p: Promise<unknown>): Promise<Record<string, unknown> | undefined> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error && "data" in err) return (err as { data: Record<string, unknown> }).data;
    throw err;
  }
  return undefined;
}

describe("Web API methods", () => {
  it("refuse a top-level block of a refused type with invalid_blocks, and record the refusal", async () => {
    const d = await start({ refuseBlockTypes: NEW_TYPES });
    const c = client(d);
    const blocks = [SECTION, TABLE];
    expect(await platformError(c.chat.postMessage({ channel: "C1", text: "t", blocks }))).toMatchObject({
      error: "invalid_blocks",
      response_metadata: { messages: ["[ERROR] unsupported type: table [json-pointer:/blocks/1/type]"] },
    });
    expect(await platformError(c.chat.update({ channel: "C1", ts: "1.1", text: "t", blocks }))).toMatchObject(
      {
        error: "invalid_blocks",
      },
    );
    expect(
      await platformError(c.chat.postEphemeral({ channel: "C1", user: "U1", text: "t", blocks })),
    ).toMatchObject({ error: "invalid_blocks" });
    expect(
      await platformError(
        c.views.publish({
          user_id: "U0ALICE",
          view: { type: "home", blocks: [{ type: "data_visualization" }] },
        }),
      ),
    ).toMatchObject({
      error: "invalid_blocks",
      response_metadata: {
        messages: ["[ERROR] unsupported type: data_visualization [json-pointer:/view/blocks/0/type]"],
      },
    });
    expect(d.calls.map((r) => [r.method, r.status, r.error])).toEqual([
      ["chat.postMessage", 200, "invalid_blocks"],
      ["chat.update", 200, "invalid_blocks"],
      ["chat.postEphemeral", 200, "invalid_blocks"],
      ["views.publish", 200, "invalid_blocks"],
    ]);
    // Nothing refused reached the channel.
    expect((await c.conversations.history({ channel: "C1" })).messages).toEqual([]);
  });

  it("accept the older blocks, and refused types only at the top level", async () => {
    const d = await start({ refuseBlockTypes: NEW_TYPES });
    const c = client(d);
    expect((await c.chat.postMessage({ channel: "C1", text: "t", blocks: [SECTION] })).ok).toBe(true);
    // A nested element that happens to say "table" is not a table block.
    const nested = { type: "context", elements: [{ type: "mrkdwn", text: "x" }], table: { type: "table" } };
    expect((await c.chat.postMessage({ channel: "C1", text: "t", blocks: [nested] })).ok).toBe(true);
    expect(
      (await c.views.publish({ user_id: "U0ALICE", view: { type: "home", blocks: [SECTION] } })).ok,
    ).toBe(true);
  });

  it("can be switched at run time, and reset() restores the option", async () => {
    const d = await start();
    const c = client(d);
    expect(d.refuseBlockTypes).toEqual([]);
    expect((await c.chat.postMessage({ channel: "C1", text: "t", blocks: [TABLE] })).ok).toBe(true);
    d.refuseBlockTypes = ["table"];
    expect(
      await platformError(c.chat.postMessage({ channel: "C1", text: "t", blocks: [TABLE] })),
    ).toMatchObject({
      error: "invalid_blocks",
    });
    d.refuseBlockTypes = [];
    expect((await c.chat.postMessage({ channel: "C1", text: "t", blocks: [TABLE] })).ok).toBe(true);
    d.refuseBlockTypes = ["table"];
    d.reset();
    expect(d.refuseBlockTypes).toEqual([]);
  });
});

describe("response_url", () => {
  const post = (url: string, body: unknown) =>
    request(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.statusCode, body: await r.body.json() }));

  it("answers 400 invalid_blocks, and the refused post does not use up one of the url's 5", async () => {
    const d = await start({ refuseBlockTypes: NEW_TYPES });
    const url = d.responseUrl("r1");
    expect(await post(url, { text: "t", blocks: [TABLE] })).toEqual({
      status: 400,
      body: { ok: false, error: "invalid_blocks" },
    });
    for (let i = 0; i < 5; i++)
      expect((await post(url, { text: `n${i}`, blocks: [SECTION] })).status).toBe(200);
    expect((await post(url, { text: "sixth" })).status).toBe(404);
    expect(d.responses.map((r) => [r.status, r.error ?? r.body.text])).toEqual([
      [400, "invalid_blocks"],
      [200, "n0"],
      [200, "n1"],
      [200, "n2"],
      [200, "n3"],
      [200, "n4"],
      [404, "used_url"],
    ]);
  });

  it("a refused respond() surfaces in Bolt as a RespondError with status 400", async () => {
    const d = await start({ refuseBlockTypes: NEW_TYPES });
    const errors: unknown[] = [];
    app = new App({
      token: d.botToken,
      signingSecret: SIGNING_SECRET,
      logger: createMemoryLogger(),
      clientOptions: { slackApiUrl: d.apiUrl, retryConfig: { retries: 0 } },
      deferInitialization: true,
    });
    app.command("/gluu-stats", async ({ ack, respond }) => {
      await ack();
      await respond({ text: "t", blocks: [TABLE] });
    });
    app.error(async (err) => {
      errors.push(err);
    });
    await app.init();
    const server = await app.start({ port: 0, host: "127.0.0.1" });
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    await sendSignedCommand(
      endpoint,
      SIGNING_SECRET,
      slashCommandBody({ text: "", response_url: d.responseUrl() }),
    );
    await d.waitForResponses(1);
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]).toMatchObject({ code: "slack_bolt_respond_error", statusCode: 400 });
  });
});

describe("slash-command acks", () => {
  function register(a: App): void {
    a.command("/gluu-stats", async ({ command, ack }) => {
      await ack(
        command.text === "table"
          ? { text: "MAU", blocks: [SECTION, TABLE] }
          : { text: "MAU", blocks: [SECTION] },
      );
    });
  }

  it("Socket Mode: an ack carrying a refused block is recorded as refused; its payload is unchanged", async () => {
    const d = await start({ refuseBlockTypes: NEW_TYPES, socketPingIntervalMs: 0 });
    app = new App({
      token: d.botToken,
      appToken: d.appToken,
      socketMode: true,
      logger: createMemoryLogger(),
      clientOptions: { slackApiUrl: d.apiUrl, retryConfig: { retries: 0 } },
      deferInitialization: true,
    });
    register(app);
    await app.init();
    await app.start();
    expect(await d.socket.sendSlashCommand({ text: "table" })).toEqual({
      text: "MAU",
      blocks: [SECTION, TABLE],
    });
    expect(await d.socket.sendSlashCommand({ text: "plain" })).toEqual({ text: "MAU", blocks: [SECTION] });
    expect(d.socket.acks.map((a) => [a.type, a.refused])).toEqual([
      ["slash_commands", "invalid_blocks"],
      ["slash_commands", undefined],
    ]);
    expect("refused" in (d.socket.acks[1] ?? {})).toBe(false);
  });

  it("HTTP: sendSignedCommand marks the response refused when given the double's refuseBlockTypes", async () => {
    const d = await start({ refuseBlockTypes: NEW_TYPES });
    app = new App({
      token: d.botToken,
      signingSecret: SIGNING_SECRET,
      logger: createMemoryLogger(),
      clientOptions: { slackApiUrl: d.apiUrl, retryConfig: { retries: 0 } },
      deferInitialization: true,
    });
    register(app);
    await app.init();
    const server = await app.start({ port: 0, host: "127.0.0.1" });
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    const send = (text: string, refuseBlockTypes?: readonly string[]) =>
      sendSignedCommand(
        endpoint,
        SIGNING_SECRET,
        slashCommandBody({ text, response_url: d.responseUrl() }),
        refuseBlockTypes ? { refuseBlockTypes } : {},
      );
    const refused = await send("table", d.refuseBlockTypes);
    expect(refused).toMatchObject({ status: 200, refused: "invalid_blocks" });
    expect(JSON.parse(refused.body)).toEqual({ text: "MAU", blocks: [SECTION, TABLE] });
    expect((await send("plain", d.refuseBlockTypes)).refused).toBeUndefined();
    // Without the option the call is as before.
    expect("refused" in (await send("table"))).toBe(false);
  });
});
