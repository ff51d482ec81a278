/**
 * The monthly post, assembled from configuration and the opened state store: the poster, the
 * scheduler (with a run coordinator when the state is in Redis), and the answers to
 * `/gluu-stats history` and `/gluu-stats post`.
 */

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { webApi } from "@slack/bolt";
import { loadChartRenderer } from "../chart/index.js";
import type { Env } from "../config/index.js";
import type { MonthCurves } from "../curve/book.js";
import { crossings } from "../curve/crossings.js";
import { errorText } from "../errors/index.js";
import type { StatService } from "../gluu/stat-service.js";
import type { Logger } from "../log.js";
import { isoMonth, type Month, monthLabel } from "../months.js";
import {
  renderErrorMessage,
  renderHistoryMessage,
  renderMonthlySummary,
  type SlackMessage,
} from "../report/slack/index.js";
import type { OpenedStore, StateStore, StoreHealth } from "../state/index.js";
import { type HistoryScope, readHistory } from "./history.js";
import { type DeliveryOutcome, type MonthlyOptions, MonthlyPoster } from "./monthly.js";
import { EveryServerPoster } from "./posters.js";
import { Scheduler } from "./scheduler.js";
import { type BlockSender, webApiFiles, webApiPoster } from "./slack-poster.js";

export function processOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface MonthlySetup {
  /** The default server's poster. */
  readonly poster: MonthlyPoster;
  /** Every server's, in GLUU_SERVERS order (the first is `poster`). */
  readonly posters: readonly [MonthlyPoster, ...MonthlyPoster[]];
  readonly scheduler: Scheduler | undefined;
}

/** One server's monthly summary: where it goes and what it reads. */
export interface MonthlyServer {
  /** A server after the first in GLUU_SERVERS; absent for the default (see state/subject.ts). */
  readonly server?: string;
  /** How the summary names the server. */
  readonly host: string;
  readonly stats: Pick<StatService, "get">;
  /** The server's REPORT_CHANNEL (else the global one). */
  readonly channels: readonly string[];
  /** Its GLUU_MAU_LIMIT: the summary shows usage against it. */
  readonly licensedMau?: number;
  /** The month's samples, for the days a closed month crossed its licence thresholds. */
  readonly curves?: Pick<MonthCurves, "samples">;
}

/**
 * A poster per server, and the scheduler when any server has a report channel. Replicas sharing
 * the state's Redis share its connection for node-cron's run coordination too.
 */
export async function createMonthly(
  env: Env,
  deps: {
    store: OpenedStore;
    servers: readonly [MonthlyServer, ...MonthlyServer[]];
    client: webApi.WebClient;
    /** Sends without tables and charts where the workspace refuses them (see slack/newer-blocks.ts). */
    newerBlocks?: BlockSender;
    log: Logger;
    now?: () => number;
    /** The state store's health; absent in one-off CLI runs. */
    health?: StoreHealth;
    /** See SchedulerOptions.reconcileEveryMs. */
    recheckEveryMs?: number;
    /** See MonthlyOptions.onOutcome. */
    onOutcome?: MonthlyOptions["onOutcome"];
  },
): Promise<MonthlySetup> {
  const owner = processOwner();
  const files = { uploader: webApiFiles(deps.client), png: async () => (await loadChartRenderer()).png };
  const slack = webApiPoster(deps.client, deps.newerBlocks);
  const posterOf = (server: MonthlyServer): MonthlyPoster => {
    const limit = server.licensedMau;
    const { curves } = server;
    return new MonthlyPoster({
      store: deps.store.store,
      stats: server.stats,
      slack,
      render: renderMonthlySummary,
      channels: server.channels,
      admins: env.ADMIN_USER_IDS,
      host: server.host,
      ...(server.server !== undefined ? { server: server.server } : {}),
      timeZone: env.REPORT_TZ,
      log: server.server === undefined ? deps.log : deps.log.child({ server: server.server }),
      owner,
      retryWindowMs: env.REPORT_RETRY_HOURS * 3_600_000,
      now: deps.now,
      ...(deps.onOutcome ? { onOutcome: deps.onOutcome } : {}),
      files,
      ...(limit !== undefined ? { licensedMau: limit } : {}),
      ...(limit !== undefined && curves
        ? {
            crossings: async (month: Month) =>
              crossings(await curves.samples(month), limit, env.ALERT_THRESHOLDS),
          }
        : {}),
    });
  };
  const [first, ...rest] = deps.servers;
  const posters: [MonthlyPoster, ...MonthlyPoster[]] = [posterOf(first), ...rest.map(posterOf)];
  const poster = posters[0];
  if (deps.servers.every((s) => s.channels.length === 0)) return { poster, posters, scheduler: undefined };
  const { redis } = deps.store;
  // Imported on demand, like the Redis store itself: loaded only where Redis is in use.
  const onSkip = (key: string, err: unknown) => {
    deps.log.warn(
      { fire: key, store: deps.store.where, err: errorText(err) },
      "scheduled monthly summary skipped: the state store did not answer; it is posted once the store is back",
    );
    deps.health?.failed(err);
  };
  const coordinator = redis
    ? new (await import("./redis-coordinator.js")).RedisRunCoordinator(redis, { onSkip })
    : undefined;
  const scheduler = new Scheduler({
    expression: env.REPORT_CRON,
    timeZone: env.REPORT_TZ,
    poster: new EveryServerPoster(posters),
    log: deps.log,
    coordinator,
    singleInstance: deps.store.singleInstance,
    now: deps.now,
    ...(deps.health ? { health: deps.health } : {}),
    ...(deps.recheckEveryMs !== undefined ? { reconcileEveryMs: deps.recheckEveryMs } : {}),
  });
  return { poster, posters, scheduler };
}

/** A server after the first, as GLUU_SERVERS names it and as messages show it. */
export interface NamedServer {
  readonly name: string;
  readonly displayName: string;
}

/**
 * One line per channel, for `/gluu-stats post` and the CLI; `server` names the summary's server
 * where there are several (absent for the default server and a single one).
 */
export function describeOutcome(
  month: Month,
  channel: string,
  o: DeliveryOutcome,
  server?: NamedServer,
): string {
  const what = `${monthLabel(month)} summary ${server === undefined ? "" : `of ${server.displayName} `}for <#${channel}>`;
  switch (o.outcome) {
    case "posted":
      return `:white_check_mark: Posted the ${what}${o.link ? `: <${o.link}|view>` : "."}`;
    case "recovered":
      return `:white_check_mark: The ${what} was already in the channel; recorded it.`;
    case "already-posted":
      return `:information_source: The ${what} was posted before${o.link ? ` (<${o.link}|view>)` : ""}; it is posted once. An admin can post it again with \`gluu-stats${server === undefined ? "" : ` --server ${server.name}`} post ${isoMonth(month)} --channel ${channel} --force\`.`;
    case "busy":
      return `:hourglass: The ${what} is being posted right now by another run.`;
    case "failed":
      return `:x: The ${what} could not be posted: ${o.error}`;
  }
}

/** The one sentence for a store that does not answer: where it is, never its credentials. */
export function storeUnavailable(where: string, what: string): SlackMessage {
  return renderErrorMessage(
    `The state store (${where}) is not answering right now, so ${what}. Figures still answer; try this again in a few minutes.`,
  );
}

export function historyAnswer(
  store: StateStore,
  timeZone: string,
  health?: StoreHealth,
  scope: HistoryScope = {},
) {
  return async (): Promise<SlackMessage> => {
    try {
      const read = () => readHistory(store, 12, scope);
      const lines = await (health ? health.watch(read) : read());
      return renderHistoryMessage(lines, timeZone);
    } catch {
      return storeUnavailable(health?.where ?? "file or Redis", "the delivery history cannot be read");
    }
  };
}

export function postAnswer(
  poster: MonthlyPoster,
  channels: readonly string[],
  health?: StoreHealth,
  server?: NamedServer,
) {
  return async (month: Month): Promise<SlackMessage> => {
    if (channels.length === 0) {
      return renderErrorMessage(
        "No report channel is configured (REPORT_CHANNEL), so there is nowhere to post.",
      );
    }
    let outcomes: DeliveryOutcome[];
    try {
      const run = () => poster.run("manual", month, channels);
      outcomes = await (health ? health.watch(run) : run());
    } catch {
      // Without the store the once-only record cannot be kept: nothing is posted.
      return storeUnavailable(
        health?.where ?? "file or Redis",
        `the ${monthLabel(month)} summary was not posted`,
      );
    }
    const lines = outcomes.map((o, i) => describeOutcome(month, channels[i] ?? "", o, server));
    return {
      text: lines.join("\n"),
      blocks: [{ type: "section", text: { type: "mrkdwn", text: lines.join("\n") } }],
    };
  };
}
