/**
 * The monthly post, assembled from configuration: the state store (file or Redis), the poster,
 * the scheduler, and the answers to `/gluu-stats history` and `/gluu-stats post`.
 */

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { webApi } from "@slack/bolt";
import type { Env } from "../config/index.js";
import type { StatService } from "../gluu/stat-service.js";
import type { Logger } from "../log.js";
import { isoMonth, type Month, monthLabel } from "../months.js";
import {
  renderErrorMessage,
  renderHistoryMessage,
  renderMonthlySummary,
  type SlackMessage,
} from "../report/slack/index.js";
import type { StateStore } from "../state/store.js";
import { type DeliveryOutcome, MonthlyPoster } from "./monthly.js";
import type { RedisRunCoordinator } from "./redis-coordinator.js";
import { Scheduler } from "./scheduler.js";
import { webApiPoster } from "./slack-poster.js";

export interface OpenedStore {
  readonly store: StateStore;
  /** The file store belongs to one instance; Redis is shared by replicas. */
  readonly singleInstance: boolean;
  readonly coordinator?: RedisRunCoordinator;
  close(): Promise<void>;
}

/** Redis when REDIS_URL is set, else the file under STATE_DIR. A corrupt state stops start-up. */
export async function openStateStore(env: Env): Promise<OpenedStore> {
  // Imported on demand: a bot without Redis does not load the Redis client at all.
  if (env.REDIS_URL) {
    const [{ RedisStateStore }, { RedisRunCoordinator }] = await Promise.all([
      import("../state/redis-store.js"),
      import("./redis-coordinator.js"),
    ]);
    const store = await RedisStateStore.connect(env.REDIS_URL);
    const coordinator = new RedisRunCoordinator(store.redis);
    return { store, singleInstance: false, coordinator, close: () => store.close() };
  }
  const { FileStateStore } = await import("../state/file-store.js");
  const store = await FileStateStore.open(env.STATE_DIR);
  return { store, singleInstance: true, close: () => store.close() };
}

export function processOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface MonthlySetup {
  readonly poster: MonthlyPoster;
  readonly scheduler: Scheduler | undefined;
}

export function createMonthly(
  env: Env,
  deps: {
    store: OpenedStore;
    stats: Pick<StatService, "get">;
    client: webApi.WebClient;
    host: string;
    log: Logger;
    now?: () => number;
  },
): MonthlySetup {
  const poster = new MonthlyPoster({
    store: deps.store.store,
    stats: deps.stats,
    slack: webApiPoster(deps.client),
    render: renderMonthlySummary,
    channels: env.REPORT_CHANNEL,
    admins: env.ADMIN_USER_IDS,
    host: deps.host,
    timeZone: env.REPORT_TZ,
    log: deps.log,
    owner: processOwner(),
    retryWindowMs: env.REPORT_RETRY_HOURS * 3_600_000,
    now: deps.now,
  });
  const scheduler =
    env.REPORT_CHANNEL.length > 0
      ? new Scheduler({
          expression: env.REPORT_CRON,
          timeZone: env.REPORT_TZ,
          poster,
          log: deps.log,
          coordinator: deps.store.coordinator,
          singleInstance: deps.store.singleInstance,
          now: deps.now,
        })
      : undefined;
  return { poster, scheduler };
}

/** One line per channel, for `/gluu-stats post` and the CLI. */
export function describeOutcome(month: Month, channel: string, o: DeliveryOutcome): string {
  const what = `${monthLabel(month)} summary for <#${channel}>`;
  switch (o.outcome) {
    case "posted":
      return `:white_check_mark: Posted the ${what}${o.link ? `: <${o.link}|view>` : "."}`;
    case "recovered":
      return `:white_check_mark: The ${what} was already in the channel; recorded it.`;
    case "already-posted":
      return `:information_source: The ${what} was posted before${o.link ? ` (<${o.link}|view>)` : ""}; it is posted once. An admin can post it again with \`gluu-stats post ${isoMonth(month)} --channel ${channel} --force\`.`;
    case "busy":
      return `:hourglass: The ${what} is being posted right now by another run.`;
    case "failed":
      return `:x: The ${what} could not be posted: ${o.error}`;
  }
}

export function historyAnswer(store: StateStore, timeZone: string) {
  return async (): Promise<SlackMessage> => renderHistoryMessage(await store.history(12), timeZone);
}

export function postAnswer(poster: MonthlyPoster, channels: readonly string[]) {
  return async (month: Month): Promise<SlackMessage> => {
    if (channels.length === 0) {
      return renderErrorMessage(
        "No report channel is configured (REPORT_CHANNEL), so there is nowhere to post.",
      );
    }
    const outcomes = await poster.run("manual", month, channels);
    const lines = outcomes.map((o, i) => describeOutcome(month, channels[i] ?? "", o));
    return {
      text: lines.join("\n"),
      blocks: [{ type: "section", text: { type: "mrkdwn", text: lines.join("\n") } }],
    };
  };
}
