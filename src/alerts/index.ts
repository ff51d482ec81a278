/**
 * Licence alerts, assembled from configuration: the checker (checker.ts) run by node-cron on
 * ALERT_CRON in REPORT_TZ, once at start, and coordinated across replicas like the monthly
 * post (node-cron's distributed mode with the Redis coordinator) so that one replica checks per
 * fire. Exactly-once does not rest on the coordination: each alert has its own claim.
 */

import type { webApi } from "@slack/bolt";
import cron, { type RunCoordinator, type ScheduledTask } from "node-cron";
import type { Env } from "../config/index.js";
import { errorText } from "../errors/index.js";
import type { Logger } from "../log.js";
import { settleAll, TrackedRuns } from "../schedule/runs.js";
import { validateSchedule } from "../schedule/scheduler.js";
import { type BlockSender, webApiPoster } from "../schedule/slack-poster.js";
import type { OpenedStore, StoreHealth } from "../state/index.js";
import { type AlertOptions, type CheckResult, LicenseAlerts } from "./checker.js";

export { type AlertDeliveryOutcome, type CheckResult, LicenseAlerts } from "./checker.js";
export { reachedThresholds } from "./thresholds.js";

export interface AlertScheduleOptions {
  readonly expression: string;
  readonly timeZone: string;
  /** Every server's checker, checked together; results in the same order. */
  readonly alerts: readonly Pick<LicenseAlerts, "check">[];
  readonly log: Logger;
  readonly coordinator?: RunCoordinator;
  readonly health?: StoreHealth;
}

export class AlertSchedule {
  private task: ScheduledTask | undefined;
  private readonly runs: TrackedRuns;
  /** The last check's result per server (in GLUU_SERVERS order, servers with a limit), for tests. */
  last: readonly CheckResult[] | undefined;

  constructor(private readonly opts: AlertScheduleOptions) {
    validateSchedule(opts.expression, opts.timeZone, "ALERT_CRON");
    this.runs = new TrackedRuns({
      log: opts.log,
      what: "licence check",
      ...(opts.health ? { health: opts.health } : {}),
    });
  }

  async start(): Promise<void> {
    const { expression, timeZone, log, coordinator } = this.opts;
    this.task = cron.createTask(expression, () => this.run(), {
      timezone: timeZone,
      name: "gluu-stats licence check",
      noOverlap: true,
      ...(coordinator ? { distributed: true, runCoordinator: coordinator } : {}),
    });
    await this.task.start();
    log.info(
      { cron: expression, timeZone, next: this.task.getNextRun()?.toISOString() },
      "licence check scheduled",
    );
    // A bot started mid-hour does not wait for the next fire to see where the month stands.
    void this.run();
  }

  /**
   * One check of every server now, tracked like a fire; resolves with their results (undefined
   * on a store failure). A server whose check fails never keeps another's from running.
   */
  run(): Promise<readonly CheckResult[] | undefined> {
    const all = settleAll(this.opts.alerts.map((a) => a.check())).then((results) => {
      this.last = results;
      return results;
    });
    return this.runs.track(all);
  }

  /** Resolves when every check started so far has finished. */
  settled(): Promise<void> {
    return this.runs.settled();
  }

  nextRun(): Date | null {
    return this.task?.getNextRun() ?? null;
  }

  async stop(graceMs = 10_000): Promise<void> {
    await this.task?.destroy();
    await this.runs.drain(graceMs);
  }
}

export interface AlertSetup {
  /** One checker per server with a licensed limit, in GLUU_SERVERS order. */
  readonly alerts: readonly LicenseAlerts[];
  readonly schedule: AlertSchedule;
}

/** One server's licence check: what it reads, how it is named, its limit and interval. */
export interface AlertServer {
  /** A server after the first of GLUU_SERVERS; absent for the default. */
  readonly server?: string;
  readonly host: string;
  readonly stats: AlertOptions["stats"];
  /** Its GLUU_MAU_LIMIT; a server without one is not checked. */
  readonly limit: number | undefined;
  /** Its GLUU_MIN_INTERVAL_S. */
  readonly minIntervalS: number;
}

/**
 * The checkers and their schedule when ALERT_CHANNEL is set (the configuration made sure at
 * least one server has a limit).
 */
export async function createAlerts(
  env: Env,
  deps: {
    store: OpenedStore;
    servers: readonly AlertServer[];
    client: webApi.WebClient;
    /** Sends without tables and charts where the workspace refuses them (see slack/newer-blocks.ts). */
    newerBlocks?: BlockSender;
    log: Logger;
    owner: string;
    now?: () => number;
    health?: StoreHealth;
    onOutcome?: AlertOptions["onOutcome"];
    onCheck?: AlertOptions["onCheck"];
  },
): Promise<AlertSetup | undefined> {
  if (env.ALERT_CHANNEL.length === 0) return undefined;
  const slack = webApiPoster(deps.client, deps.newerBlocks);
  const alerts = deps.servers.flatMap(({ server, host, stats, limit, minIntervalS }) =>
    limit === undefined
      ? []
      : [
          new LicenseAlerts({
            store: deps.store.store,
            stats,
            slack,
            channels: env.ALERT_CHANNEL,
            thresholds: env.ALERT_THRESHOLDS,
            limit,
            admins: env.ADMIN_USER_IDS,
            host,
            ...(server !== undefined ? { server } : {}),
            timeZone: env.REPORT_TZ,
            log: server === undefined ? deps.log : deps.log.child({ server }),
            owner: deps.owner,
            freshMs: minIntervalS * 1000,
            ...(deps.now ? { now: deps.now } : {}),
            ...(deps.onOutcome ? { onOutcome: deps.onOutcome } : {}),
            ...(deps.onCheck ? { onCheck: deps.onCheck } : {}),
          }),
        ],
  );
  if (alerts.length === 0) return undefined;
  const { redis } = deps.store;
  const coordinator = redis
    ? new (await import("../schedule/redis-coordinator.js")).RedisRunCoordinator(redis, {
        onSkip: (key, err) => {
          deps.log.warn(
            { fire: key, err: errorText(err) },
            "licence check skipped: the state store did not answer; the next check runs as scheduled",
          );
          deps.health?.failed(err);
        },
      })
    : undefined;
  const schedule = new AlertSchedule({
    expression: env.ALERT_CRON,
    timeZone: env.REPORT_TZ,
    alerts,
    log: deps.log,
    ...(coordinator ? { coordinator } : {}),
    ...(deps.health ? { health: deps.health } : {}),
  });
  return { alerts, schedule };
}
