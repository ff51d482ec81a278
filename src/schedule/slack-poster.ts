/**
 * What the monthly post needs of Slack, over the Web API: post with metadata, find an earlier
 * post by its metadata (to reconcile after a crash), permalinks, and direct messages to admins.
 * Errors are classified once, here: can retry (429, 5xx, network) or final (channel_not_found…).
 */
import { webApi } from "@slack/bolt";
import { BotError, errorText } from "../errors/index.js";
import type { ReportFile } from "../files/index.js";
import type { SlackMessage } from "../report/slack/index.js";

export const SUMMARY_EVENT = "gluu_stats_summary";

export class SlackPostError extends BotError {
  override readonly name = "SlackPostError";
  constructor(
    message: string,
    /** Slack's error code, e.g. channel_not_found, or http_500 / network. */
    readonly code: string,
    private readonly retry: boolean,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }

  get canRetry(): boolean {
    return this.retry;
  }
}

/** Final Slack errors get one sentence saying what to do. */
const FIX: Readonly<Record<string, string>> = {
  channel_not_found: "check the channel ID in REPORT_CHANNEL, and invite the bot if the channel is private",
  not_in_channel: "invite the bot to the channel (/invite @Gluu Stats)",
  is_archived: "the channel is archived: choose another REPORT_CHANNEL",
  invalid_auth: "check SLACK_BOT_TOKEN",
  token_revoked: "the app was uninstalled or the token revoked: reinstall and update SLACK_BOT_TOKEN",
  missing_scope: "add the scope named in manifest.yml and reinstall the app",
  msg_too_long: "the message was too long (a bug: please report it)",
  invalid_blocks: "Slack refused the blocks (a bug: please report it)",
};

export function classifySlackError(err: unknown): SlackPostError {
  if (err instanceof SlackPostError) return err;
  const e = err as { code?: string; data?: { error?: string }; statusCode?: number; message?: string };
  switch (e.code) {
    case webApi.ErrorCode.PlatformError: {
      const code = e.data?.error ?? "unknown_error";
      const mayRetry = code === "ratelimited" || code === "internal_error" || code === "fatal_error";
      return new SlackPostError(
        `Slack refused: ${code}${FIX[code] ? ` (${FIX[code]})` : ""}`,
        code,
        mayRetry,
        { cause: err },
      );
    }
    case webApi.ErrorCode.RateLimitedError:
      return new SlackPostError("Slack rate-limited the bot", "ratelimited", true, { cause: err });
    case webApi.ErrorCode.HTTPError:
      return new SlackPostError(
        `Slack answered HTTP ${e.statusCode ?? "?"}`,
        `http_${e.statusCode ?? 0}`,
        (e.statusCode ?? 500) >= 500 || e.statusCode === 429,
      );
    case webApi.ErrorCode.RequestError:
      return new SlackPostError("Slack could not be reached", "network", true, { cause: err });
    default:
      return new SlackPostError(e.message ?? errorText(err), "unknown", false, { cause: err });
  }
}

export interface PostedMessage {
  readonly channel: string;
  readonly ts: string;
}

export interface SlackPoster {
  post(channel: string, message: SlackMessage, deliveryKey: string): Promise<PostedMessage>;
  /** A summary posted with this delivery key since `sinceMs`, if Slack has one. */
  findPosted(channel: string, deliveryKey: string, sinceMs: number): Promise<PostedMessage | undefined>;
  permalink(message: PostedMessage): Promise<string | undefined>;
  directMessage(userId: string, text: string): Promise<void>;
}

/** Sends a message with tables and charts, or without them where the workspace refuses them. */
export interface BlockSender {
  send<T, M extends SlackMessage>(message: M, attempt: (message: M) => Promise<T>): Promise<T>;
}

const asIs: BlockSender = { send: (message, attempt) => attempt(message) };

export function webApiPoster(client: webApi.WebClient, blocks: BlockSender = asIs): SlackPoster {
  return {
    async post(channel, message, deliveryKey) {
      try {
        const res = await blocks.send(message, (m) =>
          client.chat.postMessage({
            channel,
            text: m.text,
            blocks: m.blocks,
            unfurl_links: false,
            metadata: { event_type: SUMMARY_EVENT, event_payload: { delivery: deliveryKey } },
          }),
        );
        return { channel: res.channel ?? channel, ts: res.ts ?? "" };
      } catch (err) {
        throw classifySlackError(err);
      }
    },
    async findPosted(channel, deliveryKey, sinceMs) {
      try {
        const res = await client.conversations.history({
          channel,
          oldest: String(Math.floor(sinceMs / 1000) - 60),
          include_all_metadata: true,
          limit: 200,
        });
        const hit = (res.messages ?? []).find(
          (m) =>
            m.metadata?.event_type === SUMMARY_EVENT &&
            (m.metadata.event_payload as { delivery?: unknown } | undefined)?.delivery === deliveryKey,
        );
        return hit?.ts ? { channel, ts: hit.ts } : undefined;
      } catch (err) {
        throw classifySlackError(err);
      }
    },
    async permalink(message) {
      try {
        const res = await client.chat.getPermalink({ channel: message.channel, message_ts: message.ts });
        return res.permalink;
      } catch {
        return undefined;
      }
    },
    async directMessage(userId, text) {
      try {
        const im = await client.conversations.open({ users: userId });
        const channel = im.channel?.id;
        if (channel) await client.chat.postMessage({ channel, text });
      } catch (err) {
        throw classifySlackError(err);
      }
    },
  };
}

/** A file Slack holds: its id and, when Slack gave one, its permalink. */
export interface UploadedFile {
  readonly fileId: string;
  readonly link?: string;
}

/** Files, the way Slack takes them since files.upload was retired (needs files:write). */
export interface FileUploader {
  /** Shares `file` in `channel`, in the thread of `threadTs` when given. */
  upload(channel: string, file: ReportFile, threadTs?: string): Promise<UploadedFile>;
  /**
   * A file of this name in the thread, if Slack has one: what a crash between the upload and its
   * record left behind. Undefined when the thread holds none.
   */
  findInThread(channel: string, threadTs: string, filename: string): Promise<UploadedFile | undefined>;
  /** The channel of the bot's direct messages with a user. */
  directChannel(userId: string): Promise<string>;
}

/** The web client's filesUploadV2: files.getUploadURLExternal, the upload, files.completeUploadExternal. */
export function webApiFiles(client: webApi.WebClient): FileUploader {
  return {
    async upload(channel, file, threadTs) {
      try {
        const contents = {
          file: file.bytes,
          filename: file.filename,
          title: file.title,
          ...(file.altText ? { alt_text: file.altText } : {}),
        };
        const res = await client.filesUploadV2(
          threadTs
            ? { ...contents, channel_id: channel, thread_ts: threadTs }
            : { ...contents, channel_id: channel },
        );
        const shared = res.files[0]?.files?.[0];
        return { fileId: shared?.id ?? "", ...(shared?.permalink ? { link: shared.permalink } : {}) };
      } catch (err) {
        throw classifyUploadError(err);
      }
    },
    async findInThread(channel, threadTs, filename) {
      try {
        const res = await client.conversations.replies({ channel, ts: threadTs, limit: 200 });
        for (const m of res.messages ?? []) {
          const f = m.files?.find((x) => x.name === filename);
          if (f?.id) return { fileId: f.id, ...(f.permalink ? { link: f.permalink } : {}) };
        }
        return undefined;
      } catch (err) {
        throw classifySlackError(err);
      }
    },
    async directChannel(userId) {
      try {
        const im = await client.conversations.open({ users: userId });
        if (!im.channel?.id)
          throw new SlackPostError("Slack opened no direct message channel", "no_channel", true);
        return im.channel.id;
      } catch (err) {
        throw classifySlackError(err);
      }
    },
  };
}

/**
 * The upload_url step fails with a plain Error ("Failed to upload file …") when the file host
 * answers anything but 200: that is the file host having trouble, worth another try, not a
 * refusal of the request.
 */
function classifyUploadError(err: unknown): SlackPostError {
  if (
    err instanceof Error &&
    !(err as { code?: unknown }).code &&
    /^(Failed to upload|No upload url)/.test(err.message)
  ) {
    return new SlackPostError("Slack's file host did not take the file", "upload_failed", true, {
      cause: err,
    });
  }
  return classifySlackError(err);
}
