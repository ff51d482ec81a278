/**
 * Answers of the Web API methods the app uses, shaped like Slack's (fields the app or Bolt read
 * are present; cosmetic ones are mostly left out). Pure functions of the arguments and a small
 * context, so the HTTP layer stays about transport, auth and faults.
 */
import { checkHomeLimits, type HomeTab } from "../report/slack/home.js";
import type { DoubleUser, MethodHandler, RecordedFile } from "./types.js";

/** A file announced by files.getUploadURLExternal; its upload_url fills in the bytes. */
export interface PendingUpload {
  id: string;
  filename: string;
  /** Bytes announced; the upload_url refuses any other count. */
  length: number;
  altText?: string;
  snippetType?: string;
  /** Set once the upload_url received exactly `length` bytes. */
  bytes?: Buffer;
  /** Set by files.completeUploadExternal; a completed file cannot be uploaded or completed again. */
  completed: boolean;
}

export interface WebApiContext {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
  botId: string;
  users: Record<string, Partial<DoubleUser>>;
  /** Message timestamps must be unique and increasing, as the app may key on them. */
  nextTs(): string;
  /** Uploads announced by files.getUploadURLExternal, by file id; shared with the upload_url route. */
  uploads: Map<string, PendingUpload>;
  /** The upload_url (on the double's own origin) for a file id. */
  uploadUrl(fileId: string): string;
  /** Hands the files a files.completeUploadExternal completed to the double's record. */
  filesCompleted(files: RecordedFile[]): void;
}

type Result = Record<string, unknown>;

const fail = (error: string, ...messages: string[]): Result =>
  messages.length > 0 ? { ok: false, error, response_metadata: { messages } } : { ok: false, error };

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

/** A positive integer given as a number (JSON body) or a decimal string (form field). */
function positiveInt(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) && v > 0 ? v : undefined;
  if (typeof v === "string" && /^[1-9][0-9]{0,15}$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

const MIME_TYPES: Record<string, [mimetype: string, filetype: string, pretty: string]> = {
  png: ["image/png", "png", "PNG"],
  jpg: ["image/jpeg", "jpg", "JPEG"],
  jpeg: ["image/jpeg", "jpg", "JPEG"],
  gif: ["image/gif", "gif", "GIF"],
  svg: ["image/svg+xml", "svg", "SVG"],
  csv: ["text/csv", "csv", "CSV"],
  txt: ["text/plain", "text", "Plain Text"],
  json: ["application/json", "json", "JSON"],
  pdf: ["application/pdf", "pdf", "PDF"],
};

/** Slack derives the type from the filename's extension. */
function fileType(filename: string): [mimetype: string, filetype: string, pretty: string] {
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? "";
  return MIME_TYPES[ext] ?? ["application/octet-stream", "binary", "Binary"];
}

/** The `files` argument of files.completeUploadExternal: `[{id, title?}, …]`, JSON-decoded or not. */
function completeFilesArg(v: unknown): Array<{ id: string; title?: string }> | undefined {
  let list = v;
  if (typeof v === "string") {
    try {
      list = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const out: Array<{ id: string; title?: string }> = [];
  for (const item of list as unknown[]) {
    if (typeof item !== "object" || item === null) return undefined;
    const { id, title } = item as { id?: unknown; title?: unknown };
    if (typeof id !== "string" || id.length === 0) return undefined;
    out.push(typeof title === "string" && title.length > 0 ? { id, title } : { id });
  }
  return out;
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

function fileObject(
  ctx: WebApiContext,
  up: PendingUpload & { bytes: Buffer },
  title: string,
  created: number,
  channels: string[],
): Result {
  const [mimetype, filetype, pretty] = fileType(up.filename);
  const name = encodeURIComponent(up.filename);
  const file: Result = {
    id: up.id,
    created,
    timestamp: created,
    name: up.filename,
    title,
    mimetype,
    filetype,
    pretty_type: pretty,
    user: ctx.botUserId,
    user_team: ctx.teamId,
    editable: false,
    size: up.bytes.length,
    mode: "hosted",
    is_external: false,
    external_type: "",
    is_public: channels.some((c) => c.startsWith("C")),
    public_url_shared: false,
    display_as_bot: false,
    username: "",
    url_private: `https://files.slack.com/files-pri/${ctx.teamId}-${up.id}/${name}`,
    url_private_download: `https://files.slack.com/files-pri/${ctx.teamId}-${up.id}/download/${name}`,
    permalink: `https://${ctx.teamDomain}.slack.com/files/${ctx.botUserId}/${up.id}/${name}`,
    channels: channels.filter((c) => c.startsWith("C")),
    groups: channels.filter((c) => c.startsWith("G")),
    ims: channels.filter((c) => c.startsWith("D")),
    comments_count: 0,
  };
  if (up.altText !== undefined) file.alt_txt = up.altText;
  return file;
}

/** Built-in answers; auth.test and apps.connections.open need transport state and live in the server. */
export function builtinHandlers(ctx: WebApiContext): Map<string, MethodHandler> {
  const h = new Map<string, MethodHandler>();
  // Messages posted per channel, newest last: what conversations.history reads back.
  const posted = new Map<string, Result[]>();
  let fileSeq = 0;

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

  // A thread: its parent and its replies, oldest first (files shared into a thread land here).
  h.set("conversations.replies", (args) => {
    const channel = str(args.channel);
    const ts = str(args.ts);
    if (!channel) return fail("channel_not_found");
    if (!ts) return fail("thread_not_found");
    const thread = (posted.get(resolveChannel(channel)) ?? []).filter(
      (m) => m.ts === ts || m.thread_ts === ts,
    );
    if (!thread.some((m) => m.ts === ts)) return fail("thread_not_found");
    return { ok: true, messages: thread, has_more: false };
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

  // Files, the way Slack takes them since files.upload was retired: announce (filename, length) to
  // get an upload_url and a file id, POST the bytes there, then complete (and share) the file ids.
  h.set("files.getUploadURLExternal", (args) => {
    const filename = str(args.filename);
    if (!filename) return fail("invalid_arguments", "[ERROR] missing required field: filename");
    const length = positiveInt(args.length);
    if (length === undefined)
      return fail(
        "invalid_arguments",
        "[ERROR] length must be a positive integer (the file's size in bytes)",
      );
    fileSeq += 1;
    const id = `F${fileSeq.toString(36).toUpperCase().padStart(10, "0")}`;
    const up: PendingUpload = { id, filename, length, completed: false };
    const altText = str(args.alt_text);
    const snippetType = str(args.snippet_type);
    if (altText !== undefined) up.altText = altText;
    if (snippetType !== undefined) up.snippetType = snippetType;
    ctx.uploads.set(id, up);
    return { ok: true, upload_url: ctx.uploadUrl(id), file_id: id };
  });

  h.set("files.completeUploadExternal", (args) => {
    const list = completeFilesArg(args.files);
    if (!list) return fail("invalid_arguments", "[ERROR] files must be a JSON array of {id, title}");
    const channelId = str(args.channel_id);
    const channels = channelId
      ? [channelId]
      : (str(args.channels) ?? "")
          .split(",")
          .map((c) => c.trim())
          .filter(Boolean);
    if (channels.some((c) => !/^[CGD][A-Z0-9]+$/.test(c))) return fail("channel_not_found");
    const threadTs = str(args.thread_ts);
    if (threadTs !== undefined && channels.length === 0)
      return fail("invalid_arguments", "[ERROR] thread_ts needs channel_id");
    // Check every file before completing any, so a refused call changes nothing.
    const ready: Array<{ up: PendingUpload & { bytes: Buffer }; title: string }> = [];
    for (const item of list) {
      const up = ctx.uploads.get(item.id);
      if (!up || up.completed) return fail("file_not_found");
      if (!up.bytes)
        return fail("file_not_found", `[ERROR] file ${item.id} was never uploaded to its upload_url`);
      ready.push({ up: { ...up, bytes: up.bytes }, title: item.title ?? up.filename });
    }
    const comment = str(args.initial_comment);
    const created = Math.floor(Date.now() / 1000);
    const files = ready.map(({ up, title }) => fileObject(ctx, up, title, created, channels));
    const messageTs = new Map<string, string>();
    for (const channel of channels) {
      // Slack posts one message carrying the files (and the comment) in each channel shared to.
      const ts = ctx.nextTs();
      const msgArgs: Record<string, unknown> = { text: comment ?? "" };
      if (threadTs !== undefined) msgArgs.thread_ts = threadTs;
      if (comment === undefined && Array.isArray(args.blocks)) msgArgs.blocks = args.blocks;
      const msg = { ...message(ctx, msgArgs, ts), files, upload: true };
      posted.set(channel, [...(posted.get(channel) ?? []), msg]);
      messageTs.set(channel, ts);
    }
    const completedAt = Date.now();
    const records: RecordedFile[] = [];
    for (const { up, title } of ready) {
      const stored = ctx.uploads.get(up.id);
      if (stored) stored.completed = true;
      const base: RecordedFile = { id: up.id, filename: up.filename, title, bytes: up.bytes, completedAt };
      if (up.altText !== undefined) base.altText = up.altText;
      if (up.snippetType !== undefined) base.snippetType = up.snippetType;
      if (comment !== undefined) base.initialComment = comment;
      if (channels.length === 0) records.push(base);
      for (const channel of channels) {
        const rec: RecordedFile = { ...base, channel };
        if (threadTs !== undefined) rec.threadTs = threadTs;
        const ts = messageTs.get(channel);
        if (ts !== undefined) rec.messageTs = ts;
        records.push(rec);
      }
    }
    ctx.filesCompleted(records);
    return { ok: true, files };
  });

  h.set("users.info", (args) => {
    const id = str(args.user);
    if (!id || !isUserId(id)) return fail("user_not_found");
    return { ok: true, user: user(ctx, id) };
  });

  return h;
}
