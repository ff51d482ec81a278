/**
 * Signs and sends requests the way Slack does (v0 HMAC-SHA256 over `v0:{ts}:{body}`), so tests,
 * the demo and the benchmark exercise Bolt's real signature check rather than turning it off.
 */
import { createHmac } from "node:crypto";
import { performance } from "node:perf_hooks";
import { type Dispatcher, request } from "undici";
import { refusedAck } from "./blocks.js";

/**
 * Headers Slack attaches to a request carrying `body`. The content type is exact on purpose:
 * Bolt compares it with `===`, so a `; charset=…` suffix would make it parse a form as JSON.
 */
export function signRequest(
  signingSecret: string,
  body: string,
  timestampS: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const ts = String(Math.floor(timestampS));
  const signature = createHmac("sha256", signingSecret).update(`v0:${ts}:${body}`).digest("hex");
  return {
    "x-slack-signature": `v0=${signature}`,
    "x-slack-request-timestamp": ts,
    "content-type": body.trimStart().startsWith("{")
      ? "application/json"
      : "application/x-www-form-urlencoded",
  };
}

export interface SendSignedOptions {
  /** Signing time in Unix seconds; default now. An old one exercises Bolt's 5-minute staleness rule. */
  timestampS?: number;
  /** Extra or overriding headers (e.g. a forged x-slack-signature, x-slack-retry-num). */
  headers?: Record<string, string>;
  /** undici dispatcher; the benchmark passes a pooled Agent. Default: undici's global one. */
  dispatcher?: Dispatcher;
  /** Give up after this long (headers and body each); default 10 s. */
  timeoutMs?: number;
  /**
   * Block types the workspace refuses (pass the double's `refuseBlockTypes`): an ack whose body
   * carries such a block comes back with `refused: "invalid_blocks"`, as Slack would show the user
   * an error instead of the message.
   */
  refuseBlockTypes?: readonly string[];
}

export interface SignedResponse {
  status: number;
  body: string;
  /** Wall time from sending to having read the whole answer. */
  ms: number;
  /** The response's headers (lower-case names). */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** Set when `refuseBlockTypes` was given and the (200) ack body carries a refused block. */
  refused?: "invalid_blocks";
}

/** POSTs a Slack-signed body to `url` (a Bolt endpoint such as http://127.0.0.1:port/slack/events). */
export async function sendSignedCommand(
  url: string,
  signingSecret: string,
  body: string,
  opts: SendSignedOptions = {},
): Promise<SignedResponse> {
  const headers = { ...signRequest(signingSecret, body, opts.timestampS), ...opts.headers };
  const timeout = opts.timeoutMs ?? 10_000;
  const started = performance.now();
  const res = await request(url, {
    method: "POST",
    headers,
    body,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
  });
  const text = await res.body.text();
  const out: SignedResponse = {
    status: res.statusCode,
    body: text,
    ms: performance.now() - started,
    headers: res.headers,
  };
  const refused = res.statusCode === 200 ? refusedAck(text, opts.refuseBlockTypes ?? []) : undefined;
  if (refused) out.refused = refused;
  return out;
}
