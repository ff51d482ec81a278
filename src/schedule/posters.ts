/**
 * The scheduler's view of the monthly post with several Gluu servers: one poster per server, each
 * with its own keys, channels and stat service, fired and caught up together. A server whose run
 * fails (its store write, its Slack post) never holds back another's: every run is awaited, and
 * the first failure is passed on afterwards so the scheduler logs it.
 */
import type { HistoryTrigger } from "../state/index.js";
import type { DeliveryOutcome, MonthlyPoster } from "./monthly.js";

/** What the scheduler asks of the monthly post. */
export interface ScheduledPoster {
  run(trigger: HistoryTrigger): Promise<DeliveryOutcome[]>;
  catchUp(dueSince: number | undefined, singleInstance: boolean): Promise<DeliveryOutcome[]>;
}

export class EveryServerPoster implements ScheduledPoster {
  constructor(private readonly posters: readonly Pick<MonthlyPoster, "run" | "catchUp">[]) {}

  run(trigger: HistoryTrigger): Promise<DeliveryOutcome[]> {
    return allOf(this.posters.map((p) => p.run(trigger)));
  }

  catchUp(dueSince: number | undefined, singleInstance: boolean): Promise<DeliveryOutcome[]> {
    return allOf(this.posters.map((p) => p.catchUp(dueSince, singleInstance)));
  }
}

async function allOf(runs: readonly Promise<DeliveryOutcome[]>[]): Promise<DeliveryOutcome[]> {
  const settled = await Promise.allSettled(runs);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
}
