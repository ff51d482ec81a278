/**
 * The runs a schedule has started (fires, catch-ups, checks), kept so that shutdown can wait
 * for them and tests can wait until they are done. A run that fails on the state store is one
 * outage for StoreHealth (logged once); any other failure is logged. Never throws.
 */
import { errorText } from "../errors/index.js";
import type { Logger } from "../log.js";
import type { StoreHealth } from "../state/index.js";
import { isStoreFailure } from "./store-failure.js";

export class TrackedRuns {
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly opts: { readonly log: Logger; readonly health?: StoreHealth; readonly what: string },
  ) {}

  /** `p`, tracked; a failure resolves to undefined after it is reported. */
  track<T>(p: Promise<T>): Promise<T | undefined> {
    const guarded = p.then(
      (v) => {
        this.opts.health?.ok();
        return v;
      },
      (err: unknown) => {
        if (this.opts.health && isStoreFailure(err)) this.opts.health.failed(err);
        else this.opts.log.error({ err: errorText(err) }, "%s failed", this.opts.what);
        return undefined;
      },
    );
    this.running = Promise.allSettled([this.running, guarded]);
    return guarded;
  }

  /** Resolves when every run started so far has finished. */
  async settled(): Promise<void> {
    await this.running;
  }

  /** Waits for the runs in progress, at most `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.running,
      new Promise((r) => {
        timer = setTimeout(r, graceMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
  }
}

/**
 * Every run to its end, then their results in order; the first failure is passed on only after
 * all have finished, so one server's failing run never cuts another's short.
 */
export async function settleAll<T>(runs: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(runs);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
}
