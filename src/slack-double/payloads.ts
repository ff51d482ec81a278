/**
 * Request bodies shaped like the ones Slack sends, so the real Bolt receivers parse them exactly
 * as they would in production. Defaults line up with the double's defaults, so a command built
 * here is authorised against a double started with no options.
 */
import { randomBytes } from "node:crypto";
import type { BlockActionFields, SlashCommandFields } from "./types.js";

export const DOUBLE_DEFAULTS = {
  botToken: "xoxb-test-0000000001-0000000002-doubledoubledoubledouble",
  appToken: "xapp-1-A0DOUBLE01-0000000003-doubledoubledoubledouble",
  scopes: [
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "users:read",
    "channels:read",
    "files:write",
  ],
  teamId: "T0DOUBLE01",
  teamDomain: "gluu-double",
  appId: "A0DOUBLE01",
  botUserId: "U0DOUBLEBOT",
  botId: "B0DOUBLE01",
  userId: "U0DOUBLE01",
  userName: "alice",
  channelId: "C0DOUBLE01",
  channelName: "general",
  command: "/gluu-stats",
  /** Slack still sends the deprecated verification token; Bolt ignores it. */
  verificationToken: "doubleverificationtoken",
} as const;

function triggerId(): string {
  return `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString("hex")}`;
}

/** The fields of a slash command with Slack's defaults filled in. */
export function slashCommandFields(
  fields: Partial<SlashCommandFields> & { text: string; response_url: string },
): SlashCommandFields {
  const d = DOUBLE_DEFAULTS;
  // Field order follows what Slack posts; only the optional enterprise fields are left out when unset.
  const out: SlashCommandFields = {
    token: fields.token ?? d.verificationToken,
    team_id: fields.team_id ?? d.teamId,
    team_domain: fields.team_domain ?? d.teamDomain,
    channel_id: fields.channel_id ?? d.channelId,
    channel_name: fields.channel_name ?? d.channelName,
    user_id: fields.user_id ?? d.userId,
    user_name: fields.user_name ?? d.userName,
    command: fields.command ?? d.command,
    text: fields.text,
    api_app_id: fields.api_app_id ?? d.appId,
    is_enterprise_install: fields.is_enterprise_install ?? "false",
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? triggerId(),
  };
  if (fields.enterprise_id !== undefined) out.enterprise_id = fields.enterprise_id;
  if (fields.enterprise_name !== undefined) out.enterprise_name = fields.enterprise_name;
  return out;
}

/** application/x-www-form-urlencoded body of a slash command, as Slack posts it. */
export function slashCommandBody(
  fields: Partial<SlashCommandFields> & { text: string; response_url: string },
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(slashCommandFields(fields))) {
    if (value !== undefined) params.append(key, value);
  }
  return params.toString();
}

/** The JSON payload of a block_actions interaction (what Socket Mode carries and HTTP wraps in `payload=`). */
export function blockActionPayload(fields: BlockActionFields): Record<string, unknown> {
  const d = DOUBLE_DEFAULTS;
  const teamId = fields.team_id ?? d.teamId;
  const actionTs = `${(Date.now() / 1000).toFixed(6)}`;
  const payload: Record<string, unknown> = {
    type: "block_actions",
    user: {
      id: fields.user,
      username: fields.user_name ?? d.userName,
      name: fields.user_name ?? d.userName,
      team_id: teamId,
    },
    api_app_id: fields.api_app_id ?? d.appId,
    token: d.verificationToken,
    container: fields.message
      ? { type: "message", message_ts: fields.message.ts, channel_id: fields.channel, is_ephemeral: false }
      : { type: "message", channel_id: fields.channel, is_ephemeral: true },
    trigger_id: fields.trigger_id ?? triggerId(),
    team: { id: teamId, domain: fields.team_domain ?? d.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: fields.channel, name: fields.channel_name ?? d.channelName },
    state: { values: {} },
    response_url: fields.response_url,
    actions: [
      {
        action_id: fields.action_id,
        block_id: fields.block_id ?? "gluu-stats-actions",
        value: fields.value,
        type: fields.type ?? "button",
        text: { type: "plain_text", text: fields.value, emoji: true },
        action_ts: actionTs,
      },
    ],
  };
  if (fields.message) {
    payload.message = {
      type: "message",
      subtype: "bot_message",
      user: d.botUserId,
      bot_id: d.botId,
      ts: fields.message.ts,
      text: fields.message.text ?? "",
      blocks: fields.message.blocks ?? [],
      ...(fields.message.thread_ts ? { thread_ts: fields.message.thread_ts } : {}),
    };
  }
  return payload;
}

/** `payload=<json>` form body of a block_actions interaction, as Slack posts it. */
export function blockActionBody(fields: BlockActionFields): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionPayload(fields)) }).toString();
}

/** An Events API `event_callback` around `event`, as Slack posts it to the request URL (JSON). */
export function eventCallbackPayload(
  event: Record<string, unknown>,
  teamId = DOUBLE_DEFAULTS.teamId,
): Record<string, unknown> {
  const d = DOUBLE_DEFAULTS;
  return {
    token: d.verificationToken,
    team_id: teamId,
    api_app_id: d.appId,
    event: { event_ts: `${(Date.now() / 1000).toFixed(6)}`, ...event },
    type: "event_callback",
    event_id: `Ev${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: d.botUserId, is_bot: true }],
    is_ext_shared_channel: false,
  };
}

/** The JSON body of an Events API request; sign it with sendSignedCommand like any other. */
export function eventCallbackBody(event: Record<string, unknown>): string {
  return JSON.stringify(eventCallbackPayload(event));
}

/** `app_home_opened` for the Home tab of `user`. */
export function appHomeOpened(user: string): Record<string, unknown> {
  return { type: "app_home_opened", user, channel: `D${user.slice(1)}`, tab: "home" };
}
