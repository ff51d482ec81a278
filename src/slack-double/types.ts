/**
 * Public shapes of the Slack double. Kept apart from the implementation so the app's tests, the
 * demo and the benchmark can depend on the contract without pulling in server code.
 */

export interface SlackDoubleOptions {
  /** Bot token the Web API accepts; default {@link DOUBLE_DEFAULTS.botToken}. */
  botToken?: string;
  /** App-level token `apps.connections.open` accepts; default {@link DOUBLE_DEFAULTS.appToken}. */
  appToken?: string;
  /**
   * Scopes reported in the `x-oauth-scopes` header of every answer to the bot token. The file
   * methods (`files.getUploadURLExternal`, `files.completeUploadExternal`) also enforce them: without
   * `files:write` they answer `missing_scope`, as Slack does. The default list includes it.
   */
  scopes?: string[];
  teamId?: string;
  teamDomain?: string;
  appId?: string;
  botUserId?: string;
  botId?: string;
  /** Per-user overrides for `users.info`; any other well-formed user id gets a generated profile. */
  users?: Record<string, Partial<DoubleUser>>;
  /** How often the Socket Mode double pings each connection, as Slack does; 0 turns pings off. */
  socketPingIntervalMs?: number;
  /**
   * Block types this workspace refuses, as some do for the newer ones (e.g. `["table",
   * "data_visualization"]`): chat.postMessage, chat.update, chat.postEphemeral and views.publish
   * answer `invalid_blocks` when a top-level block (for views.publish, of the view) has such a
   * type; a response_url answers HTTP 400 `invalid_blocks` and the post does not count as one of
   * the url's uses; a Socket Mode slash-command ack carrying one is recorded as refused. Switch it
   * at run time with {@link SlackDouble.refuseBlockTypes}.
   */
  refuseBlockTypes?: string[];
}

export interface DoubleUser {
  name: string;
  real_name: string;
  tz: string;
  tz_label: string;
  tz_offset: number;
  is_admin: boolean;
  is_owner: boolean;
  is_bot: boolean;
  deleted: boolean;
  email?: string;
}

export interface RecordedPost {
  /** Web API method, e.g. "chat.postMessage". */
  method: string;
  /** Arguments as Slack would see them; JSON-valued form fields (blocks, attachments…) are decoded. */
  body: Record<string, unknown>;
  /** Date.now() when the request was complete. */
  at: number;
  /** The token presented. Non-enumerable so that logging or snapshotting a call never prints it. */
  token?: string;
  /** HTTP status the double answered with (200 even for ok:false, as Slack does). */
  status: number;
  /** The `error` of an ok:false answer, if any. */
  error?: string;
  /** How the client encoded the request ("application/x-www-form-urlencoded" for @slack/web-api). */
  contentType?: string;
}

export interface ResponseUrlBody {
  text?: string;
  blocks?: unknown[];
  response_type?: string;
  replace_original?: boolean;
  delete_original?: boolean;
  thread_ts?: string;
  [key: string]: unknown;
}

export interface RecordedResponse {
  /** Path of the response_url, e.g. "/commands/T0DOUBLE01/abc". */
  path: string;
  body: ResponseUrlBody;
  at: number;
  /** HTTP status the double answered with; anything but 200 means the message was not delivered. */
  status: number;
  error?: string;
}

export interface FaultSpec {
  /**
   * Web API method (including `files.getUploadURLExternal` and `files.completeUploadExternal`),
   * "response_url" for POSTs to a response_url, or "upload_url" for the file-bytes POST to an
   * upload_url handed out by `files.getUploadURLExternal`; undefined matches every request.
   */
  method?: string;
  /** HTTP status to answer with (e.g. 500). Defaults to 429 when retryAfterS is set. */
  status?: number;
  /** Answer 429 with this Retry-After (seconds). */
  retryAfterS?: number;
  /**
   * Answer `{ok:false, error}` (HTTP 200 for the Web API, 404 for a response_url unless status is
   * set); an upload_url answers `error` as text with HTTP 500 unless status is set.
   */
  error?: string;
  /** How many matching requests to fault; undefined = until the fault is replaced. Counts down. */
  times?: number;
}

/** Every field Slack posts for a slash command (all strings, as form fields are). */
export interface SlashCommandFields {
  token: string;
  team_id: string;
  team_domain: string;
  enterprise_id?: string;
  enterprise_name?: string;
  channel_id: string;
  channel_name: string;
  user_id: string;
  user_name: string;
  command: string;
  text: string;
  api_app_id: string;
  is_enterprise_install: string;
  response_url: string;
  trigger_id: string;
}

export interface BlockActionFields {
  action_id: string;
  value: string;
  /** User id of the person who clicked. */
  user: string;
  /** Channel id the message lives in. */
  channel: string;
  response_url: string;
  /** The message holding the button; Slack includes it for message-attached blocks. */
  message?: { ts: string; text?: string; blocks?: unknown[]; thread_ts?: string };
  block_id?: string;
  /** Element type; default "button". */
  type?: string;
  user_name?: string;
  channel_name?: string;
  team_id?: string;
  team_domain?: string;
  api_app_id?: string;
  trigger_id?: string;
}

export interface SocketSendOptions {
  /** How long to wait for the app's ack; Slack gives up after 3 s, so that is the default. */
  timeoutMs?: number;
}

export interface RecordedAck {
  envelope_id: string;
  type: string;
  payload: unknown;
  at: number;
  /**
   * Set when a slash-command ack carries a block of a type in `refuseBlockTypes`: Slack would show
   * the user an error instead of the message. The ack's payload is still what the app sent.
   */
  refused?: "invalid_blocks";
}

/** A file shared (or, without a channel, just completed) through files.completeUploadExternal. */
export interface RecordedFile {
  /** File id, `F…`, as files.getUploadURLExternal returned it. */
  id: string;
  /** The `filename` given to files.getUploadURLExternal. */
  filename: string;
  /** The title given to files.completeUploadExternal (the filename when none was given). */
  title: string;
  /** Exactly the bytes POSTed to the upload_url. */
  bytes: Buffer;
  /** Channel the file was shared in (`channel_id`, or one entry of `channels`); absent for a private file. */
  channel?: string;
  /** Thread the file was shared in (only with a channel). */
  threadTs?: string;
  /** ts of the file message posted in `channel` (what conversations.history returns). */
  messageTs?: string;
  altText?: string;
  snippetType?: string;
  initialComment?: string;
  /** Date.now() when files.completeUploadExternal shared it. */
  completedAt: number;
}

/** One POST to an upload_url (the bytes of a file), including refused and faulted ones. */
export interface RecordedUpload {
  /** Path of the upload_url, e.g. "/upload/F0000000001". */
  path: string;
  /** The file id the URL belongs to. */
  fileId: string;
  /** Bytes of the file received (the file part of a multipart body, or the raw body); 0 if faulted or unreadable. */
  size: number;
  /** How the client encoded it (@slack/web-api sends multipart/form-data with one part "body"). */
  contentType?: string;
  at: number;
  /** 200 when the bytes were stored. */
  status: number;
  error?: string;
}

export interface SocketModeDoubleApi {
  /** Resolves once an app connection is open and greeted with `hello`. */
  connected(timeoutMs?: number): Promise<void>;
  /** Resolves once no app connection is open (e.g. after `app.stop()`). */
  disconnected(timeoutMs?: number): Promise<void>;
  /** Sends a `slash_commands` envelope; resolves with the ack's payload (`{}` for a bare ack()). */
  sendSlashCommand(
    payload: Partial<SlashCommandFields> & { text: string },
    opts?: SocketSendOptions,
  ): Promise<unknown>;
  /** Sends an `interactive` envelope (block_actions, view_submission, …); resolves with the ack's payload. */
  sendInteraction(payload: Record<string, unknown>, opts?: SocketSendOptions): Promise<unknown>;
  /** Sends an `events_api` envelope wrapping `event` in an event_callback; resolves with the ack's payload. */
  sendEvent(event: Record<string, unknown>, opts?: SocketSendOptions): Promise<unknown>;
  /**
   * Cuts every open connection without a close frame (the TCP connection is destroyed), as a
   * network failure does; the app only notices through its read or its ping timeouts.
   */
  drop(): void;
  /** Asks every connection to reconnect, as Slack does before recycling a server. */
  sendDisconnect(reason?: "warning" | "refresh_requested" | "link_disabled"): void;
  /** Open connections right now. */
  readonly connectionCount: number;
  /** Connections accepted since start (grows on every reconnect). */
  readonly totalConnections: number;
  /** WebSocket pings received from apps (each answered with a pong). */
  readonly pingsReceived: number;
  /** Every ack received, in order. */
  readonly acks: RecordedAck[];
}

export type MethodHandler = (args: Record<string, unknown>) => Record<string, unknown>;

export interface SlackDouble {
  /** Web API base, ends with "/api/"; pass it to Bolt as clientOptions.slackApiUrl. */
  readonly apiUrl: string;
  /** http://127.0.0.1:<port>, the origin of every URL this double hands out. */
  readonly url: string;
  readonly botToken: string;
  readonly appToken: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  /** Every Web API call, including faulted and rejected ones. */
  readonly calls: RecordedPost[];
  /** Every POST to a response_url, including faulted ones. */
  readonly responses: RecordedResponse[];
  /**
   * Files completed by files.completeUploadExternal, one entry per file and channel shared to
   * (one entry with no channel for a file completed without a destination), in order.
   */
  readonly files: RecordedFile[];
  /** Every POST to an upload_url, including refused and faulted ones. */
  readonly uploads: RecordedUpload[];
  /** Resolves with all recorded files once at least n exist. */
  waitForFiles(n: number, timeoutMs?: number): Promise<RecordedFile[]>;
  /**
   * Block types refused with `invalid_blocks` (see {@link SlackDoubleOptions.refuseBlockTypes});
   * assign a new list to change it, `[]` to accept every type again.
   */
  refuseBlockTypes: readonly string[];
  /** A fresh response_url on this double; usable 5 times, as on Slack. */
  responseUrl(id?: string): string;
  /** Resolves with all recorded responses once at least n exist. */
  waitForResponses(n: number, timeoutMs?: number): Promise<RecordedResponse[]>;
  /** Resolves with all recorded calls of `method` once at least n exist. */
  waitForCalls(method: string, n: number, timeoutMs?: number): Promise<RecordedPost[]>;
  /** Fault injection; assign a new spec to change it, `{}` to clear it. */
  faults: FaultSpec;
  /** Replaces (or, with undefined, restores) the answer of one Web API method. */
  handle(method: string, handler: MethodHandler | undefined): void;
  /**
   * `false` simulates an outage: open connections (HTTP keep-alive and WebSockets) are cut and
   * every new TCP connection is reset before a request is read, so the Web API (including
   * `apps.connections.open`), response_urls and WebSocket upgrades all fail at the network level.
   * Nothing is recorded meanwhile. `true` ends the outage. For an outage that answers HTTP 503
   * instead, use `faults = { status: 503 }` with `socket.drop()`.
   */
  setReachable(reachable: boolean): void;
  /** False while an outage set by `setReachable(false)` lasts. */
  readonly reachable: boolean;
  /** TCP connections reset by an outage so far. */
  readonly refusedConnections: number;
  /**
   * Clears calls, responses, files, uploads, acks and faults, ends an outage, and restores
   * `refuseBlockTypes` to the option the double was started with.
   */
  reset(): void;
  readonly socket: SocketModeDoubleApi;
  /** Closes sockets and the server. Stop the Bolt app first: a live Socket Mode app would try to reconnect. */
  close(): Promise<void>;
}
