/**
 * End-to-end harness for the Slack app: the Gluu emulator, the Slack double and the real server
 * (`startServer`, as `npm start` builds it) on loopback, plus helpers that send signed commands and
 * button clicks and read what came back at the response_urls. Not a test file itself.
 */

import type { types as slack } from "@slack/bolt";
import { request } from "undici";
import { type Env, parseEnv } from "../../src/config/index.js";
import {
  DEFAULT_CLIENT,
  type Emulator,
  type EmulatorOptions,
  generateData,
  startEmulator,
} from "../../src/emulator/index.js";
import type { MonthStats } from "../../src/gluu/model.js";
import { createLogger } from "../../src/log.js";
import { addMonths, isoMonth, type Month, monthAt, sameMonth } from "../../src/months.js";
import { formatCount } from "../../src/report/format.js";
import { ACTION_IDS, tableLines as renderedTableLines } from "../../src/report/slack/index.js";
import { tokenTotals } from "../../src/report/summary.js";
import { type Server, secretsOf, startServer } from "../../src/serve.js";
import {
  type BlockActionFields,
  blockActionBody,
  blockActionPayload,
  DOUBLE_DEFAULTS,
  type RecordedResponse,
  type ResponseUrlBody,
  type SendSignedOptions,
  type SignedResponse,
  type SlackDouble,
  type SlashCommandFields,
  sendSignedCommand,
  slashCommandBody,
  startSlackDouble,
} from "../../src/slack-double/index.js";

export const SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef";

/** The month in progress (REPORT_TZ is UTC, the default). */
export const CURRENT: Month = monthAt(Date.now());
export const ago = (n: number): Month => addMonths(CURRENT, -n);

/** What the emulator serves unless a test says otherwise: 24 months ending with the current one. */
export const DATA: readonly MonthStats[] = generateData({ months: 24, endMonth: CURRENT, seed: 42 });

export function statsOf(m: Month, data: readonly MonthStats[] = DATA): MonthStats {
  const s = data.find((d) => sameMonth(d.month, m));
  if (!s) throw new Error(`no test data for ${isoMonth(m)}`);
  return s;
}

export const mauText = (m: Month, data?: readonly MonthStats[]): string => formatCount(statsOf(m, data).mau);
export const tokensText = (m: Month, data?: readonly MonthStats[]): string =>
  formatCount(tokenTotals(statsOf(m, data)).total);

// ---------------------------------------------------------------------------------------------
// Reading messages
// ---------------------------------------------------------------------------------------------

type Loose = Readonly<Record<string, unknown>>;

function asLoose(v: unknown): Loose | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Loose) : undefined;
}

/** Every `text` string of a message's blocks, in order, joined by newlines. */
export function blockText(body: { blocks?: unknown }): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    const o = asLoose(v);
    if (!o) return;
    for (const [k, x] of Object.entries(o)) {
      if (k === "text" && typeof x === "string") out.push(x);
      else walk(x);
    }
  };
  walk(body.blocks);
  return out.join("\n");
}

/** The whole visible message: fallback text and block text. */
export function allText(body: { text?: unknown; blocks?: unknown }): string {
  return `${typeof body.text === "string" ? body.text : ""}\n${blockText(body)}`;
}

export interface ButtonInfo {
  readonly action_id: string;
  readonly value: string;
  readonly text: string;
}

export function buttonsOf(body: { blocks?: unknown }): ButtonInfo[] {
  const out: ButtonInfo[] = [];
  for (const block of Array.isArray(body.blocks) ? body.blocks : []) {
    const b = asLoose(block);
    if (b?.type !== "actions" || !Array.isArray(b.elements)) continue;
    for (const el of b.elements) {
      const e = asLoose(el);
      if (e?.type !== "button") continue;
      out.push({
        action_id: String(e.action_id),
        value: String(e.value),
        text: String(asLoose(e.text)?.text ?? ""),
      });
    }
  }
  return out;
}

export function buttonOf(body: { blocks?: unknown }, id: keyof typeof ACTION_IDS): ButtonInfo | undefined {
  return buttonsOf(body).find((b) => b.action_id === ACTION_IDS[id]);
}

/** The header block's text. */
export function headerOf(body: { blocks?: unknown }): string | undefined {
  for (const block of Array.isArray(body.blocks) ? body.blocks : []) {
    const b = asLoose(block);
    if (b?.type === "header") return String(asLoose(b.text)?.text ?? "");
  }
  return undefined;
}

/**
 * Lines of the tables of a series or export message: a table block's rows as aligned text, and
 * the monospace tables (code blocks) of the text form.
 */
export function tableLines(body: { blocks?: unknown }): string[] {
  const out: string[] = [];
  for (const block of Array.isArray(body.blocks) ? body.blocks : []) {
    const b = asLoose(block);
    if (b?.type === "table") {
      out.push(...renderedTableLines(block as slack.TableBlock));
      continue;
    }
    const text = b?.type === "section" ? asLoose(b.text)?.text : undefined;
    if (typeof text !== "string" || !text.startsWith("```")) continue;
    out.push(...text.split("\n").filter((l) => l !== "```"));
  }
  return out;
}

/** An ack body: "" for a bare ack, else the JSON message Bolt sent back. */
export function ackMessage(ack: SignedResponse): ResponseUrlBody {
  if (ack.body === "") return {};
  const parsed: unknown = JSON.parse(ack.body);
  const o = asLoose(parsed);
  if (!o) throw new Error(`ack body is not an object: ${ack.body}`);
  return o as ResponseUrlBody;
}

// ---------------------------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------------------------

export interface LogRecord {
  readonly level: number;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

export class LogCapture {
  readonly lines: string[] = [];
  readonly write = (line: string): void => {
    this.lines.push(line);
  };
  get records(): LogRecord[] {
    return this.lines.map((l) => JSON.parse(l) as LogRecord);
  }
  /** Raw lines containing `needle`. */
  grep(needle: string): string[] {
    return this.lines.filter((l) => l.includes(needle));
  }
}

// ---------------------------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------------------------

export interface HarnessOptions {
  /** Default janssen: no server-wide interval. */
  readonly family?: "janssen" | "gluu4";
  readonly emulator?: Partial<EmulatorOptions>;
  /** Extra or overriding environment variables. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Variables that need the harness's emulator address (several servers: one of them is it). */
  readonly envWith?: (emulatorUrl: string) => Readonly<Record<string, string | undefined>>;
  readonly data?: MonthStats[];
  /** Socket Mode instead of HTTP. */
  readonly socket?: boolean;
  /** An existing Slack double (e.g. a channel a bot posted to before a restart); not closed here. */
  readonly double?: SlackDouble;
  /** The scheduler's check for a due summary not posted (default 5 min). */
  readonly recheckEveryMs?: number;
  /** Where the app listens (default 127.0.0.1; `base` stays on loopback). */
  readonly host?: string;
}

export interface Sent {
  readonly ack: SignedResponse;
  /** The response_url handed to the app, and its path as the double records it. */
  readonly url: string;
  readonly path: string;
}

export interface Harness {
  readonly emulator: Emulator;
  readonly double: SlackDouble;
  readonly server: Server;
  readonly env: Env;
  readonly logs: LogCapture;
  /** http://127.0.0.1:<port> of the app (HTTP mode). */
  readonly base: string;
  /** The app's Slack endpoint, POST /slack/events. */
  readonly endpoint: string;
  command(text: string, fields?: Partial<SlashCommandFields>, opts?: SendSignedOptions): Promise<Sent>;
  click(
    fields: Omit<BlockActionFields, "response_url" | "user" | "channel"> &
      Partial<Pick<BlockActionFields, "user" | "channel">>,
  ): Promise<Sent>;
  /**
   * The answer to the command sent with this response_url path: the ack itself when it carried
   * the answer (answered from the cache), else the answer delivered (200) at the path; an
   * interim "on its way" reply is skipped.
   */
  reply(path: string, timeoutMs?: number): Promise<RecordedResponse>;
  /** The interim reply delivered at this path, if one was. */
  interim(path: string): RecordedResponse | undefined;
  /** Every post at this path so far, delivered or not. */
  postsAt(path: string): RecordedResponse[];
  /** `server.stop()`, once: later calls (and close()) wait for the same stop. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** The "on its way" reply posted while an answer waits for the Gluu server. */
export function isInterim(r: RecordedResponse): boolean {
  const text = (r.body as { text?: unknown } | undefined)?.text;
  return typeof text === "string" && text.startsWith(":hourglass_flowing_sand:");
}

/** Polls `get` until it returns something; rejects after `timeoutMs`. */
export async function until<T>(get: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function envFor(
  emulatorUrl: string,
  double: SlackDouble,
  overrides: Readonly<Record<string, string | undefined>> = {},
  socket = false,
): Env {
  return parseEnv({
    GLUU_URL: emulatorUrl,
    GLUU_CLIENT_ID: DEFAULT_CLIENT.id,
    GLUU_CLIENT_SECRET: DEFAULT_CLIENT.secret,
    SLACK_BOT_TOKEN: double.botToken,
    ...(socket ? { SLACK_APP_TOKEN: double.appToken } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    SLACK_API_URL: double.apiUrl,
    PORT: "0",
    GLUU_MIN_INTERVAL_S: "60",
    LOG_LEVEL: "debug",
    ...overrides,
  });
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const emulator = await startEmulator({
    family: opts.family ?? "janssen",
    data: opts.data ?? [...DATA],
    ...opts.emulator,
  });
  const ownDouble = opts.double === undefined;
  const double = opts.double ?? (await startSlackDouble());
  const logs = new LogCapture();
  let server: Server;
  let env: Env;
  try {
    env = envFor(emulator.url, double, { ...opts.env, ...opts.envWith?.(emulator.url) }, opts.socket);
    const log = createLogger({ level: "debug", destination: { write: logs.write }, secrets: secretsOf(env) });
    server = await startServer(env, {
      log,
      host: opts.host ?? "127.0.0.1",
      ...(opts.recheckEveryMs !== undefined ? { recheckEveryMs: opts.recheckEveryMs } : {}),
    });
  } catch (err) {
    if (ownDouble) await double.close();
    await emulator.close();
    throw err;
  }
  const base = `http://127.0.0.1:${server.slack.port ?? 0}`;
  const endpoint = `${base}/slack/events`;
  let closed = false;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= server.stop();
    return stopping;
  };
  const pathOf = (url: string) => new URL(url).pathname;
  /** Answers that came in the ack, by response_url path, shaped like a delivered post. */
  const inAck = new Map<string, RecordedResponse>();
  const noteAck = (path: string, body: string) => {
    if (!body) return;
    try {
      const message = JSON.parse(body) as { text?: unknown };
      if (typeof message.text === "string")
        inAck.set(path, { path, body: message as RecordedResponse["body"], at: Date.now(), status: 200 });
    } catch {
      // not a message
    }
  };

  return {
    emulator,
    double,
    server,
    env,
    logs,
    base,
    endpoint,
    async command(text, fields = {}, sendOpts = {}) {
      const url = fields.response_url ?? double.responseUrl();
      if (opts.socket) {
        const started = performance.now();
        const payload = await double.socket.sendSlashCommand({ ...fields, text, response_url: url });
        const body = payload && Object.keys(payload).length > 0 ? JSON.stringify(payload) : "";
        noteAck(pathOf(url), body);
        return { ack: { status: 200, body, ms: performance.now() - started }, url, path: pathOf(url) };
      }
      const ack = await sendSignedCommand(
        endpoint,
        SIGNING_SECRET,
        slashCommandBody({ ...fields, text, response_url: url }),
        sendOpts,
      );
      if (ack.status === 200) noteAck(pathOf(url), ack.body);
      return { ack, url, path: pathOf(url) };
    },
    async click(fields) {
      const url = double.responseUrl();
      const full: BlockActionFields = {
        user: DOUBLE_DEFAULTS.userId,
        channel: DOUBLE_DEFAULTS.channelId,
        ...fields,
        response_url: url,
      };
      if (opts.socket) {
        const started = performance.now();
        const payload = await double.socket.sendInteraction(blockActionPayload(full));
        const body = payload && Object.keys(payload).length > 0 ? JSON.stringify(payload) : "";
        return { ack: { status: 200, body, ms: performance.now() - started }, url, path: pathOf(url) };
      }
      const ack = await sendSignedCommand(endpoint, SIGNING_SECRET, blockActionBody(full));
      return { ack, url, path: pathOf(url) };
    },
    reply(path, timeoutMs = 5_000) {
      return until(
        () =>
          inAck.get(path) ??
          double.responses.find((r) => r.path === path && r.status === 200 && !isInterim(r)),
        timeoutMs,
        `a reply at ${path}`,
      );
    },
    interim(path) {
      return double.responses.find((r) => r.path === path && r.status === 200 && isInterim(r));
    },
    postsAt(path) {
      return double.responses.filter((r) => r.path === path);
    },
    stop,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await stop();
        if (opts.socket) await double.socket.disconnected();
      } finally {
        if (ownDouble) await double.close();
        await emulator.close();
      }
    },
  };
}

/** GET a path on the app (e.g. /healthz): status and parsed JSON body. */
export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await request(url, { method: "GET" });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Escapes a string for use inside a RegExp. */
export function re(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
