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
import { TrackedRuns } from "../schedule/runs.js";
import { validateSchedule } from "../schedule/scheduler.js";
import { type BlockSender, webApiPoster } from "../schedule/slack-poster.js";
import type { OpenedStore, StoreHealth } from "../state/index.js";
import { type AlertOptions, type CheckResult, LicenseAlerts } from "./checker.js";

export { type AlertDeliveryOutcome, type CheckResult, LicenseAlerts } from "./checker.js";
export { reachedThresholds } from "./thresholds.js";

export interface AlertScheduleOptions {
  readonly expression: string;
  readonly timeZone: string;
  readonly alerts: Pick<LicenseAlerts, "check">;
  readonly log: Logger;
  readonly coordinator?: RunCoordinator;
  readonly health?: StoreHealth;
}

export class AlertSchedule {
  private task: ScheduledTask | undefined;
  private readonly runs: TrackedRuns;
  /** The last check's result, for tests and doctor. */
  last: CheckResult | undefined;

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

  /** One check now, tracked like a fire; resolves with its result (undefined on a store failure). */
  run(): Promise<CheckResult | undefined> {
    return this.runs.track(
      this.opts.alerts.check().then((r) => {
        this.last = r;
        return r;
      }),
    );
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
  readonly alerts: LicenseAlerts;
  readonly schedule: AlertSchedule;
}

/** The checker and its schedule when ALERT_CHANNEL is set (parseEnv made sure of a limit). */
export async function createAlerts(
  env: Env,
  deps: {
    store: OpenedStore;
    stats: AlertOptions["stats"];
    client: webApi.WebClient;
    /** Sends without tables and charts where the workspace refuses them (see slack/newer-blocks.ts). */
    newerBlocks?: BlockSender;
    host: string;
    log: Logger;
    owner: string;
    now?: () => number;
    health?: StoreHealth;
    onOutcome?: AlertOptions["onOutcome"];
    onCheck?: AlertOptions["onCheck"];
  },
): Promise<AlertSetup | undefined> {
  const limit = env.GLUU_MAU_LIMIT;
  if (env.ALERT_CHANNEL.length === 0 || limit === undefined) return undefined;
  const alerts = new LicenseAlerts({
    store: deps.store.store,
    stats: deps.stats,
    slack: webApiPoster(deps.client, deps.newerBlocks),
    channels: env.ALERT_CHANNEL,
    thresholds: env.ALERT_THRESHOLDS,
    limit,
    admins: env.ADMIN_USER_IDS,
    host: deps.host,
    timeZone: env.REPORT_TZ,
    log: deps.log,
    owner: deps.owner,
    freshMs: env.GLUU_MIN_INTERVAL_S * 1000,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.onOutcome ? { onOutcome: deps.onOutcome } : {}),
    ...(deps.onCheck ? { onCheck: deps.onCheck } : {}),
  });
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
