/**
 * Work shared between identical replies, per answering surface (an instance, never module
 * state): a burst of identical commands builds one reply while it is in flight, and a finished
 * reply is reused while the figures it shows are the same.
 */
export class ReplyMemo<T> {
  private readonly flights = new Map<string, Promise<T>>();
  private readonly built = new Map<string, T>();

  /** `keep`: finished replies kept, oldest dropped first. */
  constructor(private readonly keep = 64) {}

  /** The reply in flight for `key`, or a new one built by `build`. */
  shared(key: string, build: () => Promise<T>): Promise<T> {
    const existing = this.flights.get(key);
    if (existing) return existing;
    const work = build();
    this.flights.set(key, work);
    const done = () => this.flights.delete(key);
    work.then(done, done);
    return work;
  }

  /** The reply built for exactly this `version` of the data, or a new one. */
  reuse(version: string, build: () => T): T {
    const hit = this.built.get(version);
    if (hit !== undefined) return hit;
    const value = build();
    this.built.set(version, value);
    if (this.built.size > this.keep) this.built.delete(this.built.keys().next().value as string);
    return value;
  }
}
