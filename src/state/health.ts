/**
 * Whether the state store answers, as one outage at a time: the first failure is logged (and
 * reported, e.g. to admins) once, the recovery once, and everything in between is quiet. Many
 * callers report into one tracker: the stat cache, the scheduler, history and post.
 */
import { errorText } from "../errors/index.js";
import type { Logger } from "../log.js";

export interface StoreHealthState {
  readonly ok: boolean;
  /** Start of the outage in progress (ms since epoch). */
  readonly since?: number;
  readonly error?: string;
}

export class StoreHealth {
  private down: { since: number; error: string } | undefined;
  private readonly listeners: Array<(text: string) => void> = [];

  constructor(
    private readonly log: Logger,
    /** Where the store is, for people: "the state file /var/lib/gluu-stats/state.json", "Redis at redis:6379". */
    readonly where: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called once per outage, with one sentence (e.g. to DM the admins). */
  onOutage(listener: (text: string) => void): void {
    this.listeners.push(listener);
  }

  get state(): StoreHealthState {
    return this.down ? { ok: false, since: this.down.since, error: this.down.error } : { ok: true };
  }

  failed(err: unknown): void {
    if (this.down) return;
    const error = errorText(err);
    this.down = { since: this.now(), error };
    this.log.error(
      { store: this.where, err: error },
      "state store unavailable; figures still answer, history, post and the schedule wait for it",
    );
    const text = `The state store (${this.where}) is unavailable: ${error}. Figures still answer; history, manual posts and the monthly schedule wait until it is back.`;
    for (const l of this.listeners) {
      try {
        l(text);
      } catch {
        // A listener's failure must not turn into the caller's.
      }
    }
  }

  ok(): void {
    if (!this.down) return;
    this.log.info({ store: this.where, downMs: this.now() - this.down.since }, "state store available again");
    this.down = undefined;
  }

  /** Runs `work` against the store, recording how it went; rethrows its failure. */
  async watch<T>(work: () => Promise<T>): Promise<T> {
    try {
      const value = await work();
      this.ok();
      return value;
    } catch (err) {
      this.failed(err);
      throw err;
    }
  }
}

/** Where a store is, without credentials: the file's path, or the Redis URL's host and port. */
export function describeStore(opts: { readonly redisUrl?: string; readonly stateFile: string }): string {
  if (!opts.redisUrl) return `the state file ${opts.stateFile}`;
  try {
    return `Redis at ${new URL(opts.redisUrl).host}`;
  } catch {
    return "Redis (REDIS_URL)";
  }
}
