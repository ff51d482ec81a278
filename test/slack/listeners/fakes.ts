/**
 * Fake Bolt arguments for calling a listener directly: a recording `ack`, a recording
 * postResponse, and Replies over a fake stat service. The end-to-end tests (test/slack/*.test.ts)
 * cover the same handlers through the real Bolt app.
 */
import type { StatResult } from "../../../src/gluu/model.js";
import { silentLogger } from "../../../src/log.js";
import type { Month } from "../../../src/months.js";
import type { navigateAction } from "../../../src/slack/listeners/actions/navigate.js";
import type { gluuStatsCommand } from "../../../src/slack/listeners/commands/gluu-stats.js";
import type { ListenerDeps } from "../../../src/slack/listeners/deps.js";
import { NewerBlocks } from "../../../src/slack/newer-blocks.js";
import { Replies } from "../../../src/slack/reply.js";
import { type ResponsePayload, ResponseUrlError } from "../../../src/slack/response-url.js";
import { blockActionPayload, slashCommandFields } from "../../../src/slack-double/index.js";

export const NOW = Date.UTC(2026, 10, 26, 12);
export const RESPONSE_URL = "https://hooks.slack.test/commands/T1/1/abc";
export const USER = "U0USER0001";
export const ADMIN = "U0ADMIN001";

export interface Fake {
  readonly deps: ListenerDeps;
  readonly acks: unknown[];
  readonly posts: Array<{ url: string; payload: ResponsePayload }>;
  readonly asked: Month[][];
  readonly posted: Month[];
  /** response_url posts refused for their tables and charts (`refuseBlocks`). */
  readonly refusals: number;
}

/** `cached`: the stat service holds every month, so `peek` answers without a request. */
export function fake(
  opts: { users?: string[]; failPost?: boolean; cached?: boolean; refuseBlocks?: boolean } = {},
): Fake {
  const refusals = { count: 0 };
  const acks: unknown[] = [];
  const posts: Fake["posts"] = [];
  const asked: Month[][] = [];
  const posted: Month[] = [];
  const get = async (months: readonly Month[]): Promise<StatResult> => {
    asked.push([...months]);
    return { months: [], noData: [...months], fetchedAt: NOW };
  };
  const deps: ListenerDeps = {
    replies: new Replies({
      stats: {
        get,
        ...(opts.cached
          ? { peek: (months: readonly Month[]) => ({ months: [], noData: [...months], fetchedAt: NOW }) }
          : {}),
      },
      host: "idp.example.com",
      timeZone: "UTC",
      now: () => NOW,
      log: silentLogger,
      extra: {
        history: async () => ({ text: "History.", blocks: [] }),
        post: async (m) => {
          posted.push(m);
          return { text: "Posted.", blocks: [] };
        },
      },
    }),
    access: { users: opts.users ?? [], channels: [], admins: [ADMIN] },
    postResponse: async (url, payload) => {
      if (opts.failPost) throw new Error("Slack is down");
      // As Slack answers a response_url post with blocks the workspace does not take.
      if (
        opts.refuseBlocks &&
        payload.blocks.some((b) => b.type === "table" || b.type === "data_visualization")
      ) {
        refusals.count++;
        throw new ResponseUrlError(
          'Slack refused the response (400 {"ok":false,"error":"invalid_blocks"})',
          400,
          false,
        );
      }
      posts.push({ url, payload });
    },
    log: silentLogger,
    newerBlocks: new NewerBlocks(silentLogger),
    track: (work) => work,
  };
  return {
    deps,
    acks,
    posts,
    asked,
    posted,
    get refusals() {
      return refusals.count;
    },
  };
}

type CommandArgs = Parameters<ReturnType<typeof gluuStatsCommand>>[0];
type ActionArgs = Parameters<ReturnType<typeof navigateAction>>[0];

// Bolt's argument objects carry a client, a logger, say/respond/next and more; the listeners use
// only the fields given here, so the rest is left out and the object is cast to Bolt's type.
export function commandArgs(
  f: Fake,
  text: string,
  userId = USER,
  extra: Record<string, unknown> = {},
): CommandArgs {
  const command = { ...slashCommandFields({ text, response_url: RESPONSE_URL, user_id: userId }), ...extra };
  const ack = async (message?: unknown) => {
    f.acks.push(message);
  };
  // Bolt always gives a listener a context (the middleware before it writes to it).
  return { command, body: command, payload: command, ack, context: {} } as unknown as CommandArgs;
}

export function actionArgs(f: Fake, actionId: string, value: string, userId = USER): ActionArgs {
  const body = blockActionPayload({
    action_id: actionId,
    value,
    user: userId,
    channel: "C0CHANNEL1",
    response_url: RESPONSE_URL,
  });
  const action = (body.actions as unknown[])[0];
  const ack = async (message?: unknown) => {
    f.acks.push(message);
  };
  return { body, action, payload: action, ack, context: {} } as unknown as ActionArgs;
}

export const textOf = (m: unknown): string => String((m as { text?: unknown } | undefined)?.text);
