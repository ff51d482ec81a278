/**
 * Answers of the Web API methods the app uses, shaped like Slack's (fields the app or Bolt read
 * are present; cosmetic ones are mostly left out). Pure functions of the arguments and a small
 * context, so the HTTP layer stays about transport, auth and faults.
 */
import { checkHomeLimits, type HomeTab } from "../report/slack/home.js";
import type { DoubleUser, MethodHandler } from "./types.js";

export interface WebApiContext {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
  botId: string;
  users: Record<string, Partial<DoubleUser>>;
  /** Message timestamps must be unique and increasing, as the app may key on them. */
  nextTs(): string;
}

type Result = Record<string, unknown>;

const fail = (error: string): Result => ({ ok: false, error });

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** Slack opens (or reuses) the DM when a message is addressed to a user id; model that mapping. */
function dmFor(userId: string): string {
  return `D${userId.slice(1)}`;
}

function isUserId(id: string): boolean {
  return /^[UW][A-Z0-9]+$/.test(id);
}

function resolveChannel(channel: string): string {
  return isUserId(channel) ? dmFor(channel) : channel;
}

function hasContent(args: Record<string, unknown>): boolean {
  return (
    str(args.text) !== undefined ||
    (Array.isArray(args.blocks) && args.blocks.length > 0) ||
    (Array.isArray(args.attachments) && args.attachments.length > 0)
  );
}

function message(ctx: WebApiContext, args: Record<string, unknown>, ts: string): Result {
  const msg: Result = {
    type: "message",
    subtype: "bot_message",
    text: typeof args.text === "string" ? args.text : "",
    user: ctx.botUserId,
    bot_id: ctx.botId,
    app_id: ctx.appId,
    team: ctx.teamId,
    ts,
  };
  if (Array.isArray(args.blocks)) msg.blocks = args.blocks;
  if (Array.isArray(args.attachments)) msg.attachments = args.attachments;
  if (str(args.thread_ts)) msg.thread_ts = args.thread_ts;
  if (args.metadata !== undefined) msg.metadata = args.metadata;
  return msg;
}

function user(ctx: WebApiContext, id: string): Result {
  const isBot = id === ctx.botUserId;
  const base: DoubleUser = {
    name: isBot ? "gluu-stats" : `user-${id.toLowerCase()}`,
    real_name: isBot ? "Gluu Stats" : `User ${id}`,
    tz: "Etc/UTC",
    tz_label: "Coordinated Universal Time",
    tz_offset: 0,
    is_admin: false,
    is_owner: false,
    is_bot: isBot,
    deleted: false,
  };
  const u: DoubleUser = { ...base, ...ctx.users[id] };
  return {
    id,
    team_id: ctx.teamId,
    name: u.name,
    deleted: u.deleted,
    real_name: u.real_name,
    tz: u.tz,
    tz_label: u.tz_label,
    tz_offset: u.tz_offset,
    is_admin: u.is_admin,
    is_owner: u.is_owner,
    is_bot: u.is_bot,
    is_app_user: false,
    profile: {
      real_name: u.real_name,
      display_name: u.name,
      ...(u.email !== undefined ? { email: u.email } : {}),
      team: ctx.teamId,
    },
  };
}

function channelInfo(ctx: WebApiContext, id: string): Result {
  const created = 1_600_000_000;
  if (id.startsWith("D")) {
    return {
      id,
      created,
      is_im: true,
      is_org_shared: false,
      user: `U${id.slice(1)}`,
      is_user_deleted: false,
    };
  }
  const isPrivate = id.startsWith("G");
  const name = id === "C0DOUBLE01" ? "general" : `channel-${id.toLowerCase()}`;
  return {
    id,
    name,
    name_normalized: name,
    created,
    creator: "U0DOUBLE01",
    is_channel: !isPrivate,
    is_group: isPrivate,
    is_im: false,
    is_mpim: false,
    is_private: isPrivate,
    is_archived: false,
    is_general: id === "C0DOUBLE01",
    is_member: true,
    is_ext_shared: false,
    is_org_shared: false,
    context_team_id: ctx.teamId,
  };
}

/** Built-in answers; auth.test and apps.connections.open need transport state and live in the server. */
export function builtinHandlers(ctx: WebApiContext): Map<string, MethodHandler> {
  const h = new Map<string, MethodHandler>();
  // Messages posted per channel, newest last: what conversations.history reads back.
  const posted = new Map<string, Result[]>();

  h.set("chat.postMessage", (args) => {
    const channel = str(args.channel);
    if (!channel) return fail("channel_not_found");
    if (!hasContent(args)) return fail("no_text");
    const ts = ctx.nextTs();
    const msg = message(ctx, args, ts);
    const id = resolveChannel(channel);
    posted.set(id, [...(posted.get(id) ?? []), msg]);
    return { ok: true, channel: id, ts, message: msg };
  });

  h.set("conversations.history", (args) => {
    const channel = str(args.channel);
    if (!channel) return fail("channel_not_found");
    const oldest = Number(str(args.oldest) ?? "0");
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === "true";
    const messages = (posted.get(resolveChannel(channel)) ?? [])
      .filter((m) => Number(m.ts) > oldest)
      .reverse()
      .map((m) => {
        if (withMetadata) return m;
        const { metadata: _hidden, ...rest } = m;
        return rest;
      });
    return { ok: true, messages, has_more: false };
  });

  h.set("chat.postEphemeral", (args) => {
    if (!str(args.channel)) return fail("channel_not_found");
    if (!str(args.user)) return fail("user_not_in_channel");
    if (!hasContent(args)) return fail("no_text");
    return { ok: true, message_ts: ctx.nextTs() };
  });

  h.set("chat.update", (args) => {
    const channel = str(args.channel);
    const ts = str(args.ts);
    if (!channel) return fail("channel_not_found");
    if (!ts) return fail("message_not_found");
    if (!hasContent(args)) return fail("no_text");
    return {
      ok: true,
      channel,
      ts,
      text: typeof args.text === "string" ? args.text : "",
      message: message(ctx, args, ts),
    };
  });

  h.set("chat.delete", (args) => {
    const channel = str(args.channel);
    const ts = str(args.ts);
    if (!channel) return fail("channel_not_found");
    if (!ts) return fail("message_not_found");
    return { ok: true, channel, ts };
  });

  h.set("chat.getPermalink", (args) => {
    const channel = str(args.channel);
    const ts = str(args.message_ts);
    if (!channel) return fail("channel_not_found");
    if (!ts) return fail("message_not_found");
    return {
      ok: true,
      channel,
      permalink: `https://${ctx.teamDomain}.slack.com/archives/${channel}/p${ts.replace(".", "")}`,
    };
  });

  h.set("conversations.info", (args) => {
    const channel = str(args.channel);
    if (!channel || !/^[CGD][A-Z0-9]+$/.test(channel)) return fail("channel_not_found");
    return { ok: true, channel: channelInfo(ctx, channel) };
  });

  h.set("conversations.open", (args) => {
    const channel = str(args.channel);
    if (channel) return { ok: true, channel: { id: channel } };
    const users = (str(args.users) ?? "")
      .split(",")
      .map((u) => u.trim())
      .filter(Boolean);
    if (users.length === 0) return fail("users_list_not_supplied");
    const bad = users.find((u) => !isUserId(u));
    if (bad) return fail("user_not_found");
    // A single user gets a DM; several get a group DM, which Slack ids with a G.
    const first = users[0] ?? "";
    const id = users.length === 1 ? dmFor(first) : `G${users.map((u) => u.slice(1, 4)).join("")}`;
    return { ok: true, no_op: false, already_open: false, channel: { id } };
  });

  // The App Home: Slack checks the view's type and its blocks, and keeps the last one per user.
  h.set("views.publish", (args) => {
    const userId = str(args.user_id);
    if (!userId || !isUserId(userId)) return fail("user_not_found");
    const view = args.view;
    if (typeof view !== "object" || view === null || Array.isArray(view)) return fail("invalid_arguments");
    const v = view as Record<string, unknown>;
    if (v.type !== "home" || !Array.isArray(v.blocks)) return fail("invalid_arguments");
    if (checkHomeLimits({ type: "home", blocks: v.blocks as HomeTab["blocks"] }).length > 0)
      return fail("invalid_blocks");
    return {
      ok: true,
      view: {
        id: `V${ctx.nextTs().replace(".", "").slice(-9)}`,
        team_id: ctx.teamId,
        type: "home",
        blocks: v.blocks,
        app_id: ctx.appId,
        bot_id: ctx.botId,
      },
    };
  });

  h.set("users.info", (args) => {
    const id = str(args.user);
    if (!id || !isUserId(id)) return fail("user_not_found");
    return { ok: true, user: user(ctx, id) };
  });

  return h;
}
