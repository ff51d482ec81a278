/**
 * Start-up failures that only a configuration change fixes, as one sentence naming the variable,
 * instead of the Web API error and its stack. Bolt checks the bot token (auth.test, in
 * `app.init()`) and, in Socket Mode, the app token (apps.connections.open, in `app.start()`).
 */
import { ConfigError } from "../config/index.js";
import { createSlackClient } from "./client.js";

/** Slack's answer for a token that is wrong (copy it again). */
const WRONG = new Set(["invalid_auth", "not_authed"]);
/** Slack's answer for a token that was right once (the app was uninstalled, the token revoked). */
const REVOKED = new Set(["token_revoked", "token_expired", "account_inactive"]);

export type SlackToken = "bot" | "app";

/** The platform error code of a Web API failure (`invalid_auth`), if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === "string" ? data.error : undefined;
}

export function isTokenRefused(code: string | undefined): boolean {
  return code !== undefined && (WRONG.has(code) || REVOKED.has(code));
}

/** The problem line for a refused token; undefined for any other error code. */
export function tokenProblem(code: string | undefined, token: SlackToken): string | undefined {
  if (!code || !isTokenRefused(code)) return undefined;
  if (token === "bot") {
    return WRONG.has(code)
      ? `SLACK_BOT_TOKEN: Slack refused the bot token (${code}); copy it from your app at api.slack.com/apps → OAuth & Permissions → Bot User OAuth Token (it starts with xoxb-)`
      : `SLACK_BOT_TOKEN: Slack no longer accepts the bot token (${code}): the app was uninstalled or the token revoked; reinstall the app (OAuth & Permissions → Install to Workspace) and copy the new Bot User OAuth Token (xoxb-…)`;
  }
  return WRONG.has(code)
    ? `SLACK_APP_TOKEN: Slack refused the app-level token (${code}); copy it from your app at api.slack.com/apps → Basic Information → App-Level Tokens (it starts with xapp- and needs the connections:write scope)`
    : `SLACK_APP_TOKEN: Slack no longer accepts the app-level token (${code}); generate a new one under Basic Information → App-Level Tokens (scope connections:write)`;
}

/**
 * A ConfigError for a start-up failure caused by a refused token, or undefined to let the
 * original error through. In HTTP mode only the bot token is checked, so a refusal is its. In
 * Socket Mode both are, and the Web API error does not say which call failed: one more
 * auth.test, on this failure path only, tells the bot token's refusal from the app token's.
 */
export async function slackStartError(
  err: unknown,
  ctx: { readonly mode: "http" | "socket"; readonly botToken: string; readonly apiUrl?: string },
): Promise<ConfigError | undefined> {
  let code = slackErrorCode(err);
  if (!isTokenRefused(code)) return undefined;
  let token: SlackToken = "bot";
  if (ctx.mode === "socket") {
    try {
      await createSlackClient(ctx.botToken, ctx.apiUrl).auth.test();
      token = "app";
    } catch (again) {
      code = slackErrorCode(again);
      if (!isTokenRefused(code)) return undefined;
    }
  }
  const problem = tokenProblem(code, token);
  return problem ? new ConfigError([problem]) : undefined;
}
