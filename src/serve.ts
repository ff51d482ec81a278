/**
 * `npm start`: the composition root. Reads the configuration once, builds the stat client, the
 * Slack app and (when configured) the monthly post, and shuts them down in order on SIGTERM.
 */

import { type AlertSetup, createAlerts } from "./alerts/index.js";
import { loadChartRenderer } from "./chart/index.js";
import { ConfigError, type Env, secretsOf, serverConfigs, startupWarnings } from "./config/index.js";
import { curveAnswer, MonthCurves } from "./curve/book.js";
import { createGluuStack, type GluuStack, type StatService } from "./gluu/index.js";
import { createLogger, type Logger } from "./log.js";
import { BotMetrics } from "./metrics/index.js";
import { readHistory } from "./schedule/history.js";
import {
  createMonthly,
  historyAnswer,
  type MonthlySetup,
  type NamedServer,
  postAnswer,
  processOwner,
} from "./schedule/index.js";
import { validateSchedule } from "./schedule/scheduler.js";
import { webApiFiles } from "./schedule/slack-poster.js";
import { type RunningSlackApp, type SlackMode, startSlackApp } from "./slack/app.js";
import { createSlackClient } from "./slack/client.js";
import { type HomeSource, HomeViews, ServerHomes } from "./slack/home.js";
import { NewerBlocks } from "./slack/newer-blocks.js";
import { probeAccessCheck } from "./slack/probe-access.js";
import { RedisSeenRequests } from "./slack/redelivery.js";
import { Replies } from "./slack/reply.js";
import { apiOrigin, createResponsePoster } from "./slack/response-url.js";
import { ServerReplies } from "./slack/servers.js";
import { slackStartError } from "./slack/start-errors.js";
import {
  MemorySampleStore,
  type OpenedStore,
  openStateStore,
  ResilientCacheStore,
  StoreHealth,
  serverCache,
  serverSamples,
} from "./state/index.js";

export interface Server {
  readonly slack: RunningSlackApp;
  readonly gluu: GluuStack;
  readonly log: Logger;
  /** Present when REPORT_CHANNEL or REDIS_URL is set. */
  readonly state: OpenedStore | undefined;
  readonly monthly: MonthlySetup | undefined;
  readonly alerts: AlertSetup | undefined;
  /** The state store's health, when there is a store. */
  readonly storeHealth: StoreHealth | undefined;
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

/** Kept here too: tests and the CLI built the logger from serve.ts before. */
export { secretsOf } from "./config/index.js";

export async function startServer(
  env: Env,
  opts: {
    log?: Logger;
    now?: () => number;
    host?: string;
    gluu?: GluuStack;
    /** Stacks already open for other servers of GLUU_SERVERS, by name (the demo's); closed on stop. */
    others?: Readonly<Record<string, GluuStack>>;
    /** How often the scheduler checks for a due summary not posted (default 5 min; tests: less). */
    recheckEveryMs?: number;
  } = {},
): Promise<Server> {
  const log = opts.log ?? createLogger({ level: env.LOG_LEVEL, secrets: secretsOf(env) });
  const mode = slackMode(env);
  for (const warning of startupWarnings(env)) log.warn(warning);
  const servers = serverConfigs(env);
  const server = servers.servers[0];
  const config = server.gluu;
  // A server's own REPORT_CHANNEL, else the global one (config/servers.ts).
  const reporting = servers.servers.some((s) => s.reportChannels.length > 0);
  if (reporting) validateSchedule(env.REPORT_CRON, env.REPORT_TZ);
  // State first: a corrupt state file or an unreachable Redis stops start-up with its message.
  if (env.ALERT_CHANNEL.length > 0) validateSchedule(env.ALERT_CRON, env.REPORT_TZ, "ALERT_CRON");
  const state =
    reporting || env.ALERT_CHANNEL.length > 0 || env.REDIS_URL ? await openStateStore(env) : undefined;
  // One outage at a time: logged once, admins told once; figures do not depend on the store.
  const health = state ? new StoreHealth(log, state.where, opts.now) : undefined;
  if (!servers.single) {
    log.info(
      { servers: servers.servers.map((s) => s.name) },
      "serving %d Gluu servers; the first (%s) is the default",
      servers.servers.length,
      server.name,
    );
  }
  // Gauges read the stat service lazily, at scrape time; it does not exist yet.
  let service: StatService | undefined;
  const metrics = new BotMetrics(
    new URL(config.url).host,
    () =>
      service && {
        cachedMau: (m) => service?.cached(m)?.stats?.mau,
        lastSuccessAt: service.lastSuccessAt,
      },
    { ...(opts.now ? { now: opts.now } : {}), timeZone: "UTC" },
  );
  /**
   * One server's stack (token, discovery, family, TLS, interval, errors), its cache entries and
   * its month's curve (samples in the state store when there is one, else in memory), each under
   * the server's keys (`scope`; undefined: the default server's single-server keys), and its
   * requests, cache lookups and waits under its own label in /metrics.
   */
  const serverParts = (
    gluuConfig: typeof config,
    scope: string | undefined,
    given: GluuStack | undefined,
  ) => {
    const serverLog = scope === undefined ? log : log.child({ server: scope });
    const book = new MonthCurves(
      state ? serverSamples(state.store.samples, scope) : new MemorySampleStore(),
      { timeZone: env.REPORT_TZ, log: serverLog, ...(opts.now ? { now: opts.now } : {}) },
    );
    const sink = scope === undefined ? metrics : metrics.forServer(new URL(gluuConfig.url).host);
    const stack =
      given ??
      createGluuStack(gluuConfig, {
        log: serverLog,
        now: opts.now,
        observe: {
          requests: (endpoint, code) => sink.request(endpoint, code),
          stats: {
            lookedUp: (hits, misses) => sink.lookedUp(hits, misses),
            refused: () => sink.refused(),
            fetched: (stats, at) => void book.record(stats, at),
          },
        },
        store:
          state && health
            ? new ResilientCacheStore(
                serverCache(state.store.statCache, scope),
                health,
                opts.now,
                gluuConfig.closeGraceMs,
              )
            : undefined,
      });
    return { curves: book, stack };
  };
  const { curves, stack: gluu } = serverParts(config, undefined, opts.gluu);
  service = gluu.service;
  const others = servers.servers
    .slice(1)
    .map((other) => ({ server: other, ...serverParts(other.gluu, other.name, opts.others?.[other.name]) }));
  const closeStacks = () => Promise.allSettled([gluu.close(), ...others.map((o) => o.stack.close())]);
  // What replies call the server: GLUU_NAME (or the server's own name), else the issuer's host
  // (config/servers.ts decides it once).
  const shownAs = server.displayName;
  const now = opts.now ?? Date.now;
  const botToken = env.SLACK_BOT_TOKEN ?? "";
  // Only the monthly post and the store's outage DMs use a client of their own.
  const slackClient = state ? createSlackClient(botToken, env.SLACK_API_URL) : undefined;
  // One record of whether this workspace draws tables and charts, for replies and posts alike.
  const newerBlocks = new NewerBlocks(log);
  // Everything a request may need exists before Slack can send one: the monthly poster has its
  // own Web API client, so `/gluu-stats post` works from the first second.
  const monthly =
    state && slackClient
      ? await createMonthly(env, {
          store: state,
          servers: [
            {
              host: shownAs,
              stats: gluu.service,
              channels: server.reportChannels,
              ...(server.mauLimit !== undefined ? { licensedMau: server.mauLimit } : {}),
              curves,
            },
            ...others.map(({ server: other, stack, curves: otherCurves }) => ({
              server: other.name,
              host: other.displayName,
              stats: stack.service,
              channels: other.reportChannels,
              ...(other.mauLimit !== undefined ? { licensedMau: other.mauLimit } : {}),
              curves: otherCurves,
            })),
          ],
          client: slackClient,
          newerBlocks,
          log,
          now: opts.now,
          ...(health ? { health } : {}),
          ...(opts.recheckEveryMs !== undefined ? { recheckEveryMs: opts.recheckEveryMs } : {}),
          onOutcome: (outcome) => metrics.monthlyPost(outcome),
        })
      : undefined;
  const alerts =
    state && slackClient
      ? await createAlerts(env, {
          store: state,
          servers: [
            { host: shownAs, stats: gluu.service, limit: server.mauLimit, minIntervalS: config.minIntervalS },
            ...others.map(({ server: other, stack }) => ({
              server: other.name,
              host: other.displayName,
              stats: stack.service,
              limit: other.mauLimit,
              minIntervalS: other.gluu.minIntervalS,
            })),
          ],
          client: slackClient,
          newerBlocks,
          log,
          owner: processOwner(),
          now: opts.now,
          ...(health ? { health } : {}),
          onOutcome: (outcome) => metrics.licenseAlert(outcome),
          onCheck: (outcome) => metrics.licenseCheck(outcome),
        })
      : undefined;
  // The poster already tells the admins of a failed post; it tells them of a store outage too.
  if (monthly) health?.onOutage((text) => void monthly.poster.tellAdmins(text));
  // `export csv` and `trend chart`: the chart renderer loads when the first chart is asked for.
  const files = {
    uploader: webApiFiles(slackClient ?? createSlackClient(botToken, env.SLACK_API_URL)),
    png: async () => (await loadChartRenderer()).png,
  };
  // History per server; with several, each line names its server.
  const historyOf = (name: string | undefined) =>
    state && monthly
      ? {
          history: historyAnswer(
            state.store,
            env.REPORT_TZ,
            health,
            servers.single
              ? {}
              : {
                  only: { server: name },
                  label: (s) =>
                    s === undefined
                      ? server.displayName
                      : (others.find((o) => o.server.name === s)?.server.displayName ?? s),
                },
          ),
        }
      : {};
  // `/gluu-stats [server] post`: that server's poster, to its report channels.
  const postOf = (index: number, channels: readonly string[], named?: NamedServer) => {
    const poster = monthly?.posters[index];
    return poster ? { post: postAnswer(poster, channels, health, named) } : {};
  };
  const replies = new Replies({
    stats: gluu.service,
    host: shownAs,
    timeZone: env.REPORT_TZ,
    now,
    log,
    ...(env.GLUU_MAU_LIMIT !== undefined ? { licensedMau: env.GLUU_MAU_LIMIT } : {}),
    curves,
    files,
    extra: {
      curve: curveAnswer(curves, { host: shownAs, now }),
      ...historyOf(undefined),
      ...postOf(0, server.reportChannels),
    },
  });
  const served = new ServerReplies(
    [
      {
        name: server.name,
        displayName: server.displayName,
        replies,
        stats: gluu.service,
        ...(server.mauLimit !== undefined ? { licensedMau: server.mauLimit } : {}),
        users: server.allowedUserIds,
        channels: server.allowedChannelIds,
      },
      ...others.map(({ server: other, stack, curves: otherCurves }, i) => ({
        name: other.name,
        displayName: other.displayName,
        users: other.allowedUserIds,
        channels: other.allowedChannelIds,
        stats: stack.service,
        ...(other.mauLimit !== undefined ? { licensedMau: other.mauLimit } : {}),
        replies: new Replies({
          stats: stack.service,
          host: other.displayName,
          timeZone: env.REPORT_TZ,
          now,
          log,
          ...(other.mauLimit !== undefined ? { licensedMau: other.mauLimit } : {}),
          curves: otherCurves,
          files,
          extra: {
            ...historyOf(other.name),
            ...postOf(i + 1, other.reportChannels, other),
            curve: curveAnswer(otherCurves, { host: other.displayName, now }),
          },
        }),
      })),
    ],
    !servers.single,
    { timeZone: env.REPORT_TZ, now, log },
  );
  const access = {
    users: env.ALLOWED_USER_IDS,
    channels: env.ALLOWED_CHANNEL_IDS,
    admins: env.ADMIN_USER_IDS,
  };
  // The Home of each server; with several, composed per person (slack/home.ts ServerHomes).
  const homeOf = (o: {
    stats: StatService;
    host: string;
    curves: MonthCurves;
    licensedMau: number | undefined;
    scope: string | undefined;
  }) =>
    new HomeViews({
      stats: o.stats,
      host: o.host,
      timeZone: env.REPORT_TZ,
      now,
      log,
      curves: o.curves,
      ...(o.licensedMau !== undefined ? { licensedMau: o.licensedMau } : {}),
      access,
      health: () => o.stats.lastOutcome,
      ...(state && monthly?.scheduler
        ? {
            schedule: {
              nextRun: () => monthly.scheduler?.nextRun() ?? null,
              deliveries: (limit: number) =>
                readHistory(state.store, limit, servers.single ? {} : { only: { server: o.scope } }),
            },
          }
        : {}),
    });
  const defaultHome = homeOf({
    stats: gluu.service,
    host: shownAs,
    curves,
    licensedMau: server.mauLimit,
    scope: undefined,
  });
  const home: HomeSource = servers.single
    ? defaultHome
    : new ServerHomes(
        [
          {
            name: server.name,
            users: server.allowedUserIds,
            channels: server.allowedChannelIds,
            home: defaultHome,
          },
          ...others.map(({ server: other, stack, curves: otherCurves }) => ({
            name: other.name,
            users: other.allowedUserIds,
            channels: other.allowedChannelIds,
            home: homeOf({
              stats: stack.service,
              host: other.displayName,
              curves: otherCurves,
              licensedMau: other.mauLimit,
              scope: other.name,
            }),
          })),
        ],
        log,
      );
  const postResponse = createResponsePoster({ extraOrigins: apiOrigin(env.SLACK_API_URL) });
  const slack = await startSlackApp({
    mode: opts.host ? { ...mode, host: opts.host } : mode,
    botToken,
    apiUrl: env.SLACK_API_URL,
    log,
    health: () => gluu.service.lastOutcome,
    ...(health ? { storeHealth: () => ({ ...health.state, where: health.where }) } : {}),
    // Replicas share what was answered, so a re-sent request is answered by none of them again.
    ...(state?.redis ? { seen: new RedisSeenRequests(state.redis, () => health?.state.ok === false) } : {}),
    deps: {
      replies: served,
      log,
      access,
      postResponse,
      metrics,
      home,
      newerBlocks,
    },
    probes: { metrics, mayRead: probeAccessCheck({ allow: env.METRICS_ALLOW, token: env.METRICS_TOKEN }) },
  }).catch(async (err: unknown) => {
    // Close what is already open (a Redis connection keeps the process alive), so the
    // program exits with its message instead of hanging after it.
    await Promise.allSettled([postResponse.close(), closeStacks(), state?.close()]);
    // A refused token becomes the one sentence that says which variable to fix.
    throw (await slackStartError(err, { mode: mode.kind, botToken, apiUrl: env.SLACK_API_URL })) ?? err;
  });
  await monthly?.scheduler?.start();
  await alerts?.schedule.start();
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
    alerts,
    storeHealth: health,
    async stop() {
      await monthly?.scheduler?.stop();
      await alerts?.schedule.stop();
      await slack.stop();
      await postResponse.close();
      await closeStacks();
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
  // `on`, not `once`: a second signal (npm and the shell both forward one) must not kill the
  // process mid-shutdown; shutdown() ignores repeats.
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}
