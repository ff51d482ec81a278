import { webApi } from "@slack/bolt";
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMemoryLogger, type SlackDouble, startSlackDouble } from "../../src/slack-double/index.js";

// Fast but real retries: the point is to see the web client retry, not to wait minutes for it.
const RETRY = { retries: 2, minTimeout: 10, maxTimeout: 20 };

let double: SlackDouble;

function client(token?: string): webApi.WebClient {
  return new webApi.WebClient(token ?? double.botToken, {
    slackApiUrl: double.apiUrl,
    retryConfig: RETRY,
    logger: createMemoryLogger(),
  });
}

async function platformError(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error && "data" in err) {
      const data = (err as { data: { error?: string } }).data;
      return data.error;
    }
    throw err;
  }
  return undefined;
}

beforeEach(async () => {
  double = await startSlackDouble({ scopes: ["commands", "chat:write"] });
});

afterEach(async () => {
  await double.close();
});

describe("Web API double", () => {
  it("serves auth.test for the bot token, with scopes in x-oauth-scopes", async () => {
    const res = await client().auth.test();
    expect(res).toMatchObject({
      ok: true,
      user_id: double.botUserId,
      bot_id: double.botId,
      team_id: double.teamId,
    });
    expect(res.url).toMatch(/^https:\/\/.+\.slack\.com\/$/);
    expect(res.response_metadata?.scopes).toEqual(["commands", "chat:write"]);
    expect(double.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it("answers invalid_auth to a wrong or missing token, and records the attempt", async () => {
    expect(await platformError(client("xoxb-wrong").auth.test())).toBe("invalid_auth");
    expect(
      await platformError(new webApi.WebClient(undefined, { slackApiUrl: double.apiUrl }).auth.test()),
    ).toBe("invalid_auth");
    expect(double.calls.map((c) => [c.method, c.error])).toEqual([
      ["auth.test", "invalid_auth"],
      ["auth.test", "invalid_auth"],
    ]);
  });

  it("answers unknown_method to anything it does not model", async () => {
    expect(await platformError(client().apiCall("stats.explode"))).toBe("unknown_method");
  });

  it("records chat.postMessage as the web client sends it: form-encoded, blocks decoded, token kept out of sight", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*MAU* 42" } }];
    const res = await client().chat.postMessage({ channel: "C0STATS", text: "MAU 42", blocks });
    expect(res).toMatchObject({
      ok: true,
      channel: "C0STATS",
      message: { text: "MAU 42", bot_id: double.botId },
    });
    expect(res.ts).toMatch(/^\d{10}\.\d{6}$/);
    const [call] = await double.waitForCalls("chat.postMessage", 1);
    expect(call?.body).toEqual({ channel: "C0STATS", text: "MAU 42", blocks });
    expect(call?.contentType).toBe("application/x-www-form-urlencoded");
    expect(call?.token).toBe(double.botToken);
    expect(JSON.stringify(call)).not.toContain(double.botToken);
  });

  it("gives increasing message timestamps and a permalink built from them", async () => {
    const c = client();
    const a = await c.chat.postMessage({ channel: "C1", text: "a" });
    const b = await c.chat.postMessage({ channel: "C1", text: "b" });
    expect(Number(b.ts)).toBeGreaterThan(Number(a.ts));
    const link = await c.chat.getPermalink({ channel: "C1", message_ts: String(a.ts) });
    expect(link.permalink).toBe(
      `https://gluu-double.slack.com/archives/C1/p${String(a.ts).replace(".", "")}`,
    );
  });

  it("validates required arguments like Slack", async () => {
    const c = client();
    expect(await platformError(c.chat.postMessage({ channel: "C1", text: "" }))).toBe("no_text");
    expect(await platformError(c.users.info({ user: "not-a-user" }))).toBe("user_not_found");
  });

  it("opens a DM, posts to it, and answers conversations.info, users.info, postEphemeral and update", async () => {
    const c = client();
    const dm = await c.conversations.open({ users: "U0ALICE" });
    expect(dm.channel?.id).toBe("D0ALICE");
    const posted = await c.chat.postMessage({ channel: "U0ALICE", text: "hi" });
    expect(posted.channel).toBe("D0ALICE");
    expect((await c.conversations.info({ channel: "D0ALICE" })).channel).toMatchObject({ is_im: true });
    expect((await c.conversations.info({ channel: "C0DOUBLE01" })).channel).toMatchObject({
      name: "general",
    });
    const eph = await c.chat.postEphemeral({ channel: "C1", user: "U0ALICE", text: "only you" });
    expect(eph.message_ts).toMatch(/^\d+\.\d{6}$/);
    const upd = await c.chat.update({ channel: "C1", ts: String(posted.ts), text: "edited" });
    expect(upd).toMatchObject({ ok: true, ts: posted.ts, text: "edited" });
  });

  it("applies user overrides in users.info", async () => {
    await double.close();
    double = await startSlackDouble({
      users: { U0BOB: { name: "bob", tz: "Europe/Berlin", tz_offset: 7200 } },
    });
    const res = await client().users.info({ user: "U0BOB" });
    expect(res.user).toMatchObject({
      id: "U0BOB",
      name: "bob",
      tz: "Europe/Berlin",
      tz_offset: 7200,
      is_bot: false,
    });
  });

  it("accepts JSON bodies with a bearer token, and ignores a token inside the JSON as Slack does", async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      request(`${double.apiUrl}chat.postMessage`, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8", ...headers },
        body: JSON.stringify(body),
      }).then((r) => r.body.json());
    expect(
      await post({ authorization: `Bearer ${double.botToken}` }, { channel: "C1", text: "json" }),
    ).toMatchObject({
      ok: true,
    });
    expect(await post({}, { channel: "C1", text: "json", token: double.botToken })).toMatchObject({
      ok: false,
      error: "invalid_auth",
    });
  });

  it("lets a test replace a method's answer", async () => {
    double.handle("views.open", () => ({ ok: true, view: { id: "V1" } }));
    expect(await client().apiCall("views.open", { user_id: "U1", view: {} })).toMatchObject({
      view: { id: "V1" },
    });
    double.handle("views.open", undefined);
    expect(await platformError(client().apiCall("views.open"))).toBe("unknown_method");
  });

  it("hands out Socket Mode URLs only for the app token", async () => {
    const app = await client(double.appToken).apps.connections.open();
    expect(app.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f-]+&app_id=/);
    expect(await platformError(client().apps.connections.open())).toBe("not_allowed_token_type");
    expect(await platformError(client("xapp-wrong").apps.connections.open())).toBe("invalid_auth");
    // The app token is not a bot token.
    expect(await platformError(client(double.appToken).chat.postMessage({ channel: "C", text: "x" }))).toBe(
      "not_allowed_token_type",
    );
  });
});

describe("fault injection", () => {
  it("429 with Retry-After is honoured and retried by the web client", async () => {
    double.faults = { method: "chat.postMessage", retryAfterS: 1, times: 1 };
    const c = client();
    let rateLimitedFor: number | undefined;
    c.on(webApi.WebClientEvent.RATE_LIMITED, (s: number) => {
      rateLimitedFor = s;
    });
    const started = Date.now();
    const res = await c.chat.postMessage({ channel: "C1", text: "after the storm" });
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(rateLimitedFor).toBe(1);
    const calls = await double.waitForCalls("chat.postMessage", 2);
    expect(calls.map((c) => [c.status, c.error])).toEqual([
      [429, "ratelimited"],
      [200, undefined],
    ]);
    expect(double.faults.times).toBe(0);
  });

  it("HTTP 500 is retried by the web client too (it retries every non-200 but 429-without-header)", async () => {
    double.faults = { method: "chat.postMessage", status: 500, times: 1 };
    const res = await client().chat.postMessage({ channel: "C1", text: "x" });
    expect(res.ok).toBe(true);
    expect(double.calls.map((c) => c.status)).toEqual([500, 200]);
  });

  it("an ok:false error is final: no retry", async () => {
    double.faults = { method: "chat.postMessage", error: "channel_not_found" };
    expect(await platformError(client().chat.postMessage({ channel: "C1", text: "x" }))).toBe(
      "channel_not_found",
    );
    expect(double.calls).toHaveLength(1);
  });

  it("faults only the targeted method, and only `times` times", async () => {
    double.faults = { method: "chat.update", error: "cant_update_message", times: 2 };
    const c = client();
    await c.chat.postMessage({ channel: "C1", text: "fine" });
    expect(await platformError(c.chat.update({ channel: "C1", ts: "1.1", text: "x" }))).toBe(
      "cant_update_message",
    );
    expect(await platformError(c.chat.update({ channel: "C1", ts: "1.1", text: "x" }))).toBe(
      "cant_update_message",
    );
    expect((await c.chat.update({ channel: "C1", ts: "1.1", text: "x" })).ok).toBe(true);
  });
});

describe("response_url double", () => {
  const post = (url: string, body: string) =>
    request(url, { method: "POST", headers: { "content-type": "application/json" }, body });

  it("records JSON posts, and refuses unknown, overused or malformed ones", async () => {
    const url = double.responseUrl("cmd-1");
    expect(url).toBe(`${double.url}/commands/${double.teamId}/cmd-1`);
    for (let i = 0; i < 5; i++) expect((await post(url, `{"text":"n${i}"}`)).statusCode).toBe(200);
    expect((await post(url, '{"text":"sixth"}')).statusCode).toBe(404);
    expect((await post(`${double.url}/commands/${double.teamId}/never-issued`, "{}")).statusCode).toBe(404);
    expect((await post(double.responseUrl(), "not json")).statusCode).toBe(400);
    const all = await double.waitForResponses(8);
    expect(all.map((r) => r.error ?? r.body.text)).toEqual([
      "n0",
      "n1",
      "n2",
      "n3",
      "n4",
      "used_url",
      "expired_url",
      "invalid_payload",
    ]);
  });

  it("can be faulted with 429 + Retry-After or a status", async () => {
    const url = double.responseUrl();
    double.faults = { method: "response_url", retryAfterS: 3, times: 1 };
    const limited = await post(url, '{"text":"x"}');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["retry-after"]).toBe("3");
    double.faults = { method: "response_url", status: 500, times: 1 };
    expect((await post(url, '{"text":"x"}')).statusCode).toBe(500);
    expect((await post(url, '{"text":"x"}')).statusCode).toBe(200);
    expect(double.responses.map((r) => r.status)).toEqual([429, 500, 200]);
  });

  it("waitForResponses times out with a useful message", async () => {
    await expect(double.waitForResponses(1, 50)).rejects.toThrow(/1 response_url POST\(s\); got 0/);
  });
});
