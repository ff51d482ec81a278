import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commandSchema, requestBodySchema } from "../../src/slack/payloads.js";

const command = (response_url: string) => ({ user_id: "U1", channel_id: "C1", text: "", response_url });

describe("commandSchema's response_url: an http(s) URL, its host checked where a reply is posted", () => {
  it("takes Slack's response URLs and any http(s) URL", () => {
    expect(commandSchema.safeParse(command("https://hooks.slack.com/commands/T1/1/abc")).success).toBe(true);
    expect(commandSchema.safeParse(command("http://127.0.0.1:4000/r/1?x=1")).success).toBe(true);
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ["http", "https"], withQueryParameters: true }), (url) => {
        expect(commandSchema.safeParse(command(url)).success).toBe(true);
      }),
    );
  });

  it.each([
    "not a url",
    "",
    "https://",
    "https:///path",
    "javascript:alert(1)",
    "ftp://hooks.slack.com/x",
    "https://hooks.slack.com/a b",
    " https://hooks.slack.com/x",
    `https://hooks.slack.com/${"x".repeat(2000)}`,
  ])("refuses %j", (url) => {
    expect(commandSchema.safeParse(command(url)).success).toBe(false);
  });
});

describe("requestBodySchema: what may reach Bolt", () => {
  it("takes each kind of payload with whatever other fields Slack adds", () => {
    for (const body of [
      { command: "/gluu-stats", team_id: "T1", text: "", extra: { deep: [1] } },
      { type: "block_actions", actions: [{ action_id: "gluu_stats_prev", value: "x" }], user: { id: "U1" } },
      { type: "event_callback", event: { type: "app_home_opened", user: "U1" }, team_id: "T1" },
      { ssl_check: "1", token: "x" },
      { type: "url_verification", challenge: "abc", token: "x" },
    ])
      expect(requestBodySchema.safeParse(body).success, JSON.stringify(body)).toBe(true);
  });

  it.each([
    null,
    [],
    "payload",
    {},
    { command: 1 },
    { type: "block_actions", actions: [] },
    { type: "block_actions", actions: [{}] },
    { type: "event_callback" },
    { type: "url_verification" },
  ])("refuses %j", (body) => {
    expect(requestBodySchema.safeParse(body).success).toBe(false);
  });
});
