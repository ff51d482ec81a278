/**
 * `doctor`'s Slack half: the bot token works (auth.test), the granted scopes cover what the
 * features need, Socket Mode can connect, and the bot can post to each report channel.
 */

import { webApi } from "@slack/bolt";
import { type Env, scheduleWarnings } from "../config/index.js";
import { errorText } from "../errors/index.js";
import { slackErrorCode, tokenProblem } from "../slack/start-errors.js";
import type { Printer } from "./doctor.js";

/** Scopes each feature needs; manifest.yml grants the same. */
export const REQUIRED_SCOPES: Readonly<Record<string, string>> = {
  commands: "the /gluu-stats command",
  "chat:write": "the monthly summary post and sharing in channels",
};
export const RECOMMENDED_SCOPES: Readonly<Record<string, string>> = {
  "im:write": "telling ADMIN_USER_IDS by direct message when a monthly post failed",
  "channels:read": "checking public report channels",
  "groups:read": "checking private report channels",
  "channels:history": "finding a monthly summary already posted after a crash, so it is not posted twice",
};

function slackError(err: unknown): string {
  const data = (err as { data?: { error?: string } }).data;
  return data?.error ?? errorText(err);
}

export async function slackDoctor(env: Env, print: Printer): Promise<boolean> {
  for (const warning of scheduleWarnings(env)) print({ ok: true, warning: true, label: warning });
  if (!env.SLACK_BOT_TOKEN) {
    print({
      ok: false,
      label: "Slack: SLACK_BOT_TOKEN is not set",
      detail: "install the app (see README) and set the bot token (xoxb-…)",
    });
    return false;
  }
  const client = new webApi.WebClient(env.SLACK_BOT_TOKEN, {
    slackApiUrl: env.SLACK_API_URL,
    retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 1000 },
    logLevel: webApi.LogLevel.ERROR,
  });
  let ok = true;
  try {
    const auth = await client.auth.test();
    print({
      ok: true,
      label: `Slack: bot token works (team ${auth.team ?? "?"}, bot user ${auth.user ?? "?"})`,
    });
    const granted = auth.response_metadata?.scopes ?? [];
    for (const [scope, why] of Object.entries(REQUIRED_SCOPES)) {
      const has = granted.includes(scope);
      ok &&= has;
      print({
        ok: has,
        label: `Slack scope ${scope}${has ? "" : " missing"}`,
        detail: has ? undefined : `needed for ${why}: add it (manifest.yml lists it) and reinstall the app`,
      });
    }
    for (const [scope, why] of Object.entries(RECOMMENDED_SCOPES)) {
      if (!granted.includes(scope)) {
        print({ ok: false, label: `Slack scope ${scope} missing (optional)`, detail: `used for ${why}` });
      }
    }
  } catch (err) {
    print({
      ok: false,
      label: "Slack: auth.test failed",
      detail:
        tokenProblem(slackErrorCode(err), "bot") ??
        `${slackError(err)}: check SLACK_BOT_TOKEN${env.SLACK_API_URL ? ` and SLACK_API_URL` : ""}`,
    });
    return false;
  }
  if (env.SLACK_APP_TOKEN) {
    try {
      const apps = new webApi.WebClient(env.SLACK_APP_TOKEN, {
        slackApiUrl: env.SLACK_API_URL,
        retryConfig: { retries: 0 },
        logLevel: webApi.LogLevel.ERROR,
      });
      await apps.apps.connections.open();
      print({ ok: true, label: "Slack: Socket Mode connection can be opened (SLACK_APP_TOKEN)" });
    } catch (err) {
      ok = false;
      print({
        ok: false,
        label: "Slack: Socket Mode connection refused",
        detail:
          tokenProblem(slackErrorCode(err), "app") ??
          `${slackError(err)}: SLACK_APP_TOKEN must be an app-level token with connections:write, and Socket Mode must be on`,
      });
    }
  } else if (!env.SLACK_SIGNING_SECRET) {
    ok = false;
    print({
      ok: false,
      label: "Slack: neither SLACK_SIGNING_SECRET (HTTP mode) nor SLACK_APP_TOKEN (Socket Mode) is set",
    });
  } else {
    print({ ok: true, label: `Slack: HTTP mode; Slack must reach POST /slack/events on port ${env.PORT}` });
  }
  for (const channel of env.REPORT_CHANNEL) {
    try {
      const info = await client.conversations.info({ channel });
      const name = info.channel?.name ? `#${info.channel.name}` : channel;
      const member = info.channel?.is_member === true;
      ok &&= member;
      print({
        ok: member,
        label: `report channel ${name}: ${member ? "the bot is a member and can post" : "the bot is not a member"}`,
        detail: member ? undefined : `invite it: /invite @Gluu Stats in ${name}`,
      });
    } catch (err) {
      ok = false;
      print({
        ok: false,
        label: `report channel ${channel}: ${slackError(err)}`,
        detail: "check the channel ID in REPORT_CHANNEL (channel details → About → Channel ID)",
      });
    }
  }
  return ok;
}
