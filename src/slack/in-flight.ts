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
