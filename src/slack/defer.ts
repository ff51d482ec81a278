/**
 * Lets the event loop read and acknowledge the requests already waiting before a reply is
 * built or sent: without it, a reply answered from the cache runs entirely in microtasks right
 * after its ack, and a burst of commands gets acked one reply-build apart.
 */
export function afterPendingIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `work`'s value if it settles within `ms`, else `fallback` (and `work` goes on, its failure observed). */
export async function within<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
