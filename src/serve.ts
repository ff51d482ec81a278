/**
 * `npm start`: the composition root. Reads the configuration once, builds the stat client, the
 * Slack app and (when configured) the monthly post, and shuts them down in order on SIGTERM.
 */
import { ConfigError, type Env, gluuConfig } from "./config/index.js";
import { createGluuStack, type GluuStack } from "./gluu/index.js";
import { createLogger, type Logger } from "./log.js";
import {
  createMonthly,
  historyAnswer,
  type MonthlySetup,
  type OpenedStore,
  openStateStore,
  postAnswer,
} from "./schedule/index.js";
import { validateSchedule } from "./schedule/scheduler.js";
import { type RunningSlackApp, type SlackMode, startSlackApp } from "./slack/app.js";
import { createSlackClient } from "./slack/client.js";
import { Replies } from "./slack/reply.js";
import { createResponsePoster } from "./slack/response-url.js";

export interface Server {
  readonly slack: RunningSlackApp;
  readonly gluu: GluuStack;
  readonly log: Logger;
  /** Present when REPORT_CHANNEL or REDIS_URL is set. */
  readonly state: OpenedStore | undefined;
  readonly monthly: MonthlySetup | undefined;
  stop(): Promise<void>;
}

export function slackMode(env: Env): SlackMode {
  const problems: string[] = [];
  if (!env.SLACK_BOT_TOKEN)
    problems.push("SLACK_BOT_TOKEN: missing; the bot token (xoxb-…) from OAuth & Permissions");
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    problems.push(
      "SLACK_SIGNING_SECRET: missing; set it for HTTP mode (Basic Information → Signing Secret), or set SLACK_APP_TOKEN (xapp-…) for Socket Mode",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (env.SLACK_APP_TOKEN) return { kind: "socket", appToken: env.SLACK_APP_TOKEN, port: env.PORT };
  return { kind: "http", signingSecret: env.SLACK_SIGNING_SECRET ?? "", port: env.PORT };
}

export function secretsOf(env: Env): string[] {
  return [env.GLUU_CLIENT_SECRET, env.SLACK_BOT_TOKEN, env.SLACK_APP_TOKEN, env.SLACK_SIGNING_SECRET].filter(
    (s): s is string => typeof s === "string",
  );
}

export async function startServer(
  env: Env,
  opts: { log?: Logger; now?: () => number; host?: string; gluu?: GluuStack } = {},
): Promise<Server> {
  const log = opts.log ?? createLogger({ level: env.LOG_LEVEL, secrets: secretsOf(env) });
  const mode = slackMode(env);
  if (env.REPORT_CHANNEL.length > 0) validateSchedule(env.REPORT_CRON, env.REPORT_TZ);
  // State first: a corrupt state file or an unreachable Redis stops start-up with its message.
  const state = env.REPORT_CHANNEL.length > 0 || env.REDIS_URL ? await openStateStore(env) : undefined;
  const gluu =
    opts.gluu ?? createGluuStack(gluuConfig(env), { log, now: opts.now, store: state?.store.statCache });
  const now = opts.now ?? Date.now;
  const botToken = env.SLACK_BOT_TOKEN ?? "";
  // Everything a request may need exists before Slack can send one: the monthly poster has its
  // own Web API client, so `/gluu-stats post` works from the first second.
  const monthly = state
    ? createMonthly(env, {
        store: state,
        stats: gluu.service,
        client: createSlackClient(botToken, env.SLACK_API_URL),
        host: gluu.client.host,
        log,
        now: opts.now,
      })
    : undefined;
  const replies = new Replies({
    stats: gluu.service,
    host: gluu.client.host,
    timeZone: env.REPORT_TZ,
    now,
    log,
    extra:
      state && monthly
        ? {
            history: historyAnswer(state.store, env.REPORT_TZ),
            post: postAnswer(monthly.poster, env.REPORT_CHANNEL),
          }
        : undefined,
  });
  const postResponse = createResponsePoster();
  const slack = await startSlackApp({
    mode: opts.host ? { ...mode, host: opts.host } : mode,
    botToken,
    apiUrl: env.SLACK_API_URL,
    log,
    health: () => gluu.service.lastOutcome,
    deps: {
      replies,
      log,
      access: { users: env.ALLOWED_USER_IDS, channels: env.ALLOWED_CHANNEL_IDS, admins: env.ADMIN_USER_IDS },
      postResponse,
    },
  });
  await monthly?.scheduler?.start();
  log.info(
    { mode: mode.kind, port: slack.port, gluu: gluu.client.host },
    mode.kind === "http" ? "gluu-stats listening on port %d" : "gluu-stats connected in Socket Mode",
    slack.port,
  );
  return {
    slack,
    gluu,
    log,
    state,
    monthly,
    async stop() {
      await monthly?.scheduler?.stop();
      await slack.stop();
      await postResponse.close();
      await gluu.close();
      await state?.close();
    },
  };
}

/** Runs until SIGTERM/SIGINT: stop taking requests, finish replies in flight, exit 0. */
export async function serveForever(env: Env): Promise<void> {
  const server = await startServer(env);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, "shutting down: finishing replies in flight");
    server.stop().then(
      () => {
        server.log.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        server.log.error({ err: String(err) }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}
