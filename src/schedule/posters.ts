/**
 * The scheduler's view of the monthly post with several Gluu servers: one poster per server, each
 * with its own keys, channels and stat service, fired and caught up together. A server whose run
 * fails (its store write, its Slack post) never holds back another's: every run is awaited, and
 * the first failure is passed on afterwards so the scheduler logs it.
 */
import type { HistoryTrigger } from "../state/index.js";
import type { DeliveryOutcome, MonthlyPoster } from "./monthly.js";
import { settleAll } from "./runs.js";

/** What the scheduler asks of the monthly post. */
export interface ScheduledPoster {
  run(trigger: HistoryTrigger): Promise<DeliveryOutcome[]>;
  catchUp(dueSince: number | undefined, singleInstance: boolean): Promise<DeliveryOutcome[]>;
}

export class EveryServerPoster implements ScheduledPoster {
  constructor(private readonly posters: readonly Pick<MonthlyPoster, "run" | "catchUp">[]) {}

  async run(trigger: HistoryTrigger): Promise<DeliveryOutcome[]> {
    return (await settleAll(this.posters.map((p) => p.run(trigger)))).flat();
  }

  async catchUp(dueSince: number | undefined, singleInstance: boolean): Promise<DeliveryOutcome[]> {
    return (await settleAll(this.posters.map((p) => p.catchUp(dueSince, singleInstance)))).flat();
  }
}
