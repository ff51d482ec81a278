/**
 * Posting to a response_url. Slack accepts at most 5 posts to one response_url within 30
 * minutes, so the retry policy here is short and small: at most 3 attempts (leaving room for a
 * button press's replacement), within about 15 seconds, and Retry-After is honoured. The Web API
 * client's default policy (10 retries over 30 minutes) would outlive the URL.
 */

import pLimit from "p-limit";
import pRetry from "p-retry";
import { Agent, request } from "undici";
import { BotError, canRetry, errorText } from "../errors/index.js";
import type { SlackMessage } from "../report/slack/index.js";
import { afterPendingIo } from "./defer.js";

export interface ResponsePayload extends SlackMessage {
  readonly response_type?: "ephemeral" | "in_channel";
  readonly replace_original?: boolean;
  readonly delete_original?: boolean;
}

export class ResponseUrlError extends BotError<"response_url"> {
  override readonly name = "ResponseUrlError";
  readonly code = "response_url";
  constructor(
    message: string,
    readonly status?: number,
    private readonly retry = true,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }

  get canRetry(): boolean {
    return this.retry;
  }
}

/** Seconds to wait from a Retry-After header (seconds or HTTP date); undefined when absent. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Hosts Slack hands out response_urls on: the commercial cloud and GovSlack. Posting anywhere
 * else would send the figures to whoever wrote the URL into a signed request.
 */
export const SLACK_RESPONSE_HOSTS: readonly string[] = ["hooks.slack.com", "hooks.slack-gov.com"];

/**
 * Whether the bot may post a reply to `url`: https on one of Slack's hosts (default port), or
 * exactly one of `extraOrigins` (scheme, host and port; the origin of SLACK_API_URL, which is the
 * local Slack double in tests and a proxy in some deployments).
 */
export function isAllowedResponseUrl(url: string, extraOrigins: readonly string[] = []): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (extraOrigins.includes(u.origin)) return true;
  return u.protocol === "https:" && u.port === "" && SLACK_RESPONSE_HOSTS.includes(u.hostname);
}

/** The origin of SLACK_API_URL, when one is configured. */
export function apiOrigin(apiUrl: string | undefined): string[] {
  if (!apiUrl) return [];
  try {
    return [new URL(apiUrl).origin];
  } catch {
    return [];
  }
}

export interface ResponseUrlOptions {
  /** Origins allowed besides Slack's own hosts (see isAllowedResponseUrl). */
  readonly extraOrigins?: readonly string[];
  readonly attempts?: number;
  readonly minTimeoutMs?: number;
  /** Retry-After beyond this is not waited for: the answer would come too late to matter. */
  readonly maxWaitMs?: number;
  readonly timeoutMs?: number;
}

export type PostResponse = (url: string, payload: ResponsePayload) => Promise<void>;

/**
 * Replies all go to one origin (hooks.slack.com). Without a cap, a burst of 200 replies opens
 * 200 sockets (undici's default pool is unbounded), and the sockets and their buffers are what
 * a bot's memory grows by under load; a few keep-alive connections carry a burst just as well.
 */
const REPLY_CONNECTIONS = 32;

export function createResponsePoster(
  opts: ResponseUrlOptions = {},
): PostResponse & { close(): Promise<void> } {
  const attempts = opts.attempts ?? 3;
  const maxWaitMs = opts.maxWaitMs ?? 10_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const dispatcher = new Agent({
    connections: REPLY_CONNECTIONS,
    keepAliveTimeout: 30_000,
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  // When one slow Gluu answer releases hundreds of waiting replies at once, their requests are
  // set up a few at a time, each after the pending acks: the slot covers one HTTP exchange,
  // never a backoff or a Retry-After wait.
  const slots = pLimit(REPLY_CONNECTIONS);
  const exchange = (url: string, body: () => string) =>
    slots(async () => {
      await afterPendingIo();
      const res = await request(url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: body(),
        dispatcher,
      });
      return { statusCode: res.statusCode, headers: res.headers, body: await res.body.text() };
    });
  const extraOrigins = opts.extraOrigins ?? [];
  const post: PostResponse = async (url, payload) => {
    if (!isAllowedResponseUrl(url, extraOrigins)) {
      // Logged by the caller with the user; the URL itself may carry a token, so only its host.
      throw new ResponseUrlError(
        `refused to post a reply to ${hostOf(url)}: response_urls must be on Slack's hosts`,
        undefined,
        false,
      );
    }
    // Serialised inside the slot, once: not for every waiting reply in the turn that releases them.
    let serialised: string | undefined;
    const json = () => {
      serialised ??= JSON.stringify(payload);
      return serialised;
    };
    await pRetry(
      async () => {
        let res: Awaited<ReturnType<typeof exchange>>;
        try {
          res = await exchange(url, json);
        } catch (err) {
          throw new ResponseUrlError(`response_url unreachable: ${errorText(err)}`, undefined, true, {
            cause: err,
          });
        }
        const { body } = res;
        if (res.statusCode === 429 || res.statusCode >= 500) {
          const wait = retryAfterMs(res.headers["retry-after"]);
          if (wait !== undefined && wait > maxWaitMs) {
            throw new ResponseUrlError(
              `Slack asked to wait ${Math.round(wait / 1000)} s`,
              res.statusCode,
              false,
            );
          }
          if (wait) await new Promise((r) => setTimeout(r, wait));
          throw new ResponseUrlError(`Slack answered ${res.statusCode}`, res.statusCode);
        }
        if (res.statusCode >= 400) {
          // expired_url, used_url, invalid_blocks: retrying cannot help.
          throw new ResponseUrlError(
            `Slack refused the response (${res.statusCode} ${body.slice(0, 80)})`,
            res.statusCode,
            false,
          );
        }
      },
      {
        retries: attempts - 1,
        minTimeout: opts.minTimeoutMs ?? 500,
        factor: 2,
        maxTimeout: 4000,
        shouldRetry: ({ error }) => canRetry(error),
      },
    );
  };
  return Object.assign(post, { close: () => dispatcher.close() });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || "(no host)";
  } catch {
    return "(invalid URL)";
  }
}
