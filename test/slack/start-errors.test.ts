/** A refused Slack token at start-up: the variable to fix and where to copy it from. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/index.js";
import { slackErrorCode, slackStartError, tokenProblem } from "../../src/slack/start-errors.js";
import { type SlackDouble, startSlackDouble } from "../../src/slack-double/index.js";

/** The shape of a Web API platform error: what Bolt's init() rejects with. */
const platformError = (error: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), { data: { ok: false, error } });

describe("tokenProblem", () => {
  it("names SLACK_BOT_TOKEN for invalid_auth and says where to copy it from", () => {
    expect(tokenProblem("invalid_auth", "bot")).toBe(
      "SLACK_BOT_TOKEN: Slack refused the bot token (invalid_auth); copy it from your app at api.slack.com/apps → OAuth & Permissions → Bot User OAuth Token (it starts with xoxb-)",
    );
  });

  it("says to reinstall for a revoked bot token", () => {
    for (const code of ["token_revoked", "account_inactive", "token_expired"]) {
      expect(tokenProblem(code, "bot")).toMatch(
        /^SLACK_BOT_TOKEN: Slack no longer accepts the bot token .*Install to Workspace/,
      );
    }
  });

  it("names SLACK_APP_TOKEN for the app token", () => {
    expect(tokenProblem("invalid_auth", "app")).toBe(
      "SLACK_APP_TOKEN: Slack refused the app-level token (invalid_auth); copy it from your app at api.slack.com/apps → Basic Information → App-Level Tokens (it starts with xapp- and needs the connections:write scope)",
    );
  });

  it("leaves other errors alone", () => {
    expect(tokenProblem("ratelimited", "bot")).toBeUndefined();
    expect(tokenProblem(undefined, "bot")).toBeUndefined();
  });

  it("reads the code of a platform error only", () => {
    expect(slackErrorCode(platformError("invalid_auth"))).toBe("invalid_auth");
    expect(slackErrorCode(new Error("ECONNREFUSED"))).toBeUndefined();
    expect(slackErrorCode(null)).toBeUndefined();
  });
});

describe("slackStartError", () => {
  let double: SlackDouble;
  beforeAll(async () => {
    double = await startSlackDouble();
  });
  afterAll(async () => {
    await double.close();
  });

  it("in HTTP mode, a refusal is the bot token's", async () => {
    const err = await slackStartError(platformError("invalid_auth"), { mode: "http", botToken: "xoxb-x" });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.problems).toEqual([tokenProblem("invalid_auth", "bot")]);
  });

  it("in Socket Mode, asks Slack again to tell the bot token's refusal from the app token's", async () => {
    const ctx = { mode: "socket", apiUrl: double.apiUrl } as const;
    const app = await slackStartError(platformError("invalid_auth"), { ...ctx, botToken: double.botToken });
    expect(app?.problems).toEqual([tokenProblem("invalid_auth", "app")]);
    const bot = await slackStartError(platformError("invalid_auth"), {
      ...ctx,
      botToken: "xoxb-not-the-token",
    });
    expect(bot?.problems).toEqual([tokenProblem("invalid_auth", "bot")]);
  });

  it("lets any other error through", async () => {
    expect(
      await slackStartError(new Error("EADDRINUSE"), { mode: "http", botToken: "xoxb-x" }),
    ).toBeUndefined();
    expect(
      await slackStartError(platformError("ratelimited"), { mode: "http", botToken: "xoxb-x" }),
    ).toBeUndefined();
  });
});
