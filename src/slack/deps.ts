/** What the listeners need, passed in: the Slack layer owns no state of its own. */
import type { Logger } from "../log.js";
import type { AccessRules } from "./access.js";
import type { Replies } from "./reply.js";
import type { PostResponse } from "./response-url.js";

export interface ListenerDeps {
  readonly replies: Replies;
  readonly access: AccessRules;
  readonly postResponse: PostResponse;
  readonly log: Logger;
  /** Keeps a reply in flight visible to shutdown, which waits for it. */
  readonly track: <T>(work: Promise<T>) => Promise<T>;
}

/** Tracks promises so that SIGTERM can finish the replies in flight before exiting. */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();
  track = <T>(work: Promise<T>): Promise<T> => {
    this.running.add(work);
    const done = () => this.running.delete(work);
    work.then(done, done);
    return work;
  };
  get size(): number {
    return this.running.size;
  }
  /** Resolves when every tracked promise has settled, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), timeoutMs);
    });
    const all = Promise.allSettled([...this.running]).then(() => true);
    const drained = await Promise.race([all, timeout]);
    if (timer) clearTimeout(timer);
    return drained;
  }
}

/**
 * Lets the event loop read and acknowledge the requests already waiting before a reply is
 * built: without it, a reply answered from the cache runs entirely in microtasks right after
 * its ack, and a burst of commands gets acked one reply-build apart.
 */
export function afterPendingIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
