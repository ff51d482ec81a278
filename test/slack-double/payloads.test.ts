import { parse } from "node:querystring";
import { verifySlackRequest } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import {
  blockActionBody,
  DOUBLE_DEFAULTS,
  signRequest,
  slashCommandBody,
} from "../../src/slack-double/index.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

// Bolt's own verifier is the oracle: if it accepts our headers, Slack-signed requests look the same.
function boltAccepts(
  headers: Record<string, string>,
  body: string,
  secret = SECRET,
  nowMs?: number,
): boolean {
  try {
    verifySlackRequest({
      signingSecret: secret,
      body,
      headers: {
        "x-slack-signature": headers["x-slack-signature"] ?? "",
        "x-slack-request-timestamp": Number(headers["x-slack-request-timestamp"]),
      },
      ...(nowMs !== undefined ? { nowMilliseconds: nowMs } : {}),
    });
    return true;
  } catch {
    return false;
  }
}

describe("signRequest", () => {
  it("produces the v0 signature Slack documents", () => {
    // The worked example from Slack's "Verifying requests from Slack" guide.
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const headers = signRequest(SECRET, body, 1531420618);
    expect(headers["x-slack-signature"]).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
    expect(headers["x-slack-request-timestamp"]).toBe("1531420618");
    expect(headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("is accepted by Bolt's verifier, and rejected for another secret, another body or a stale timestamp", () => {
    const body = slashCommandBody({ text: "mau", response_url: "http://127.0.0.1:1/commands/T/x" });
    const headers = signRequest(SECRET, body);
    expect(boltAccepts(headers, body)).toBe(true);
    expect(boltAccepts(headers, body, "another-secret")).toBe(false);
    expect(boltAccepts(headers, `${body}&text=tampered`)).toBe(false);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    expect(boltAccepts(signRequest(SECRET, body, sixMinutesAgo), body)).toBe(false);
  });

  it("labels a JSON body as JSON (Events API) and a form as a form", () => {
    expect(signRequest(SECRET, '{"type":"event_callback"}')["content-type"]).toBe("application/json");
    expect(signRequest(SECRET, "payload=%7B%7D")["content-type"]).toBe("application/x-www-form-urlencoded");
  });
});

describe("slashCommandBody", () => {
  it("encodes every field Slack sends, with defaults matching the double", () => {
    const body = slashCommandBody({ text: "mau 2024-05 & more", response_url: "http://x/commands/T/1" });
    const fields = parse(body);
    expect(fields).toMatchObject({
      token: DOUBLE_DEFAULTS.verificationToken,
      team_id: DOUBLE_DEFAULTS.teamId,
      team_domain: DOUBLE_DEFAULTS.teamDomain,
      channel_id: DOUBLE_DEFAULTS.channelId,
      channel_name: "general",
      user_id: DOUBLE_DEFAULTS.userId,
      user_name: DOUBLE_DEFAULTS.userName,
      command: "/gluu-stats",
      text: "mau 2024-05 & more",
      api_app_id: DOUBLE_DEFAULTS.appId,
      is_enterprise_install: "false",
      response_url: "http://x/commands/T/1",
    });
    expect(fields.trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);
    expect(fields).not.toHaveProperty("enterprise_id");
    // Slack percent-encodes the slash of the command name.
    expect(body).toContain("command=%2Fgluu-stats");
  });

  it("lets every field be overridden", () => {
    const fields = parse(
      slashCommandBody({
        text: "",
        response_url: "u",
        user_id: "U999",
        channel_id: "D123",
        enterprise_id: "E1",
      }),
    );
    expect(fields).toMatchObject({ user_id: "U999", channel_id: "D123", enterprise_id: "E1", text: "" });
  });
});

describe("blockActionBody", () => {
  it("wraps a block_actions payload in payload=<json>, as Slack posts interactions", () => {
    const body = blockActionBody({
      action_id: "gluu_refresh",
      value: "2024-05",
      user: "U777",
      channel: "C555",
      response_url: "http://x/commands/T/2",
      message: { ts: "1700000000.000100", text: "old stats" },
    });
    const form = parse(body);
    expect(Object.keys(form)).toEqual(["payload"]);
    const payload = JSON.parse(String(form.payload));
    expect(payload).toMatchObject({
      type: "block_actions",
      user: { id: "U777" },
      channel: { id: "C555" },
      team: { id: DOUBLE_DEFAULTS.teamId },
      response_url: "http://x/commands/T/2",
      container: { type: "message", message_ts: "1700000000.000100", channel_id: "C555" },
      message: { ts: "1700000000.000100", text: "old stats" },
      actions: [{ action_id: "gluu_refresh", value: "2024-05", type: "button" }],
    });
  });
});
