/**
 * Lets the event loop read and acknowledge the requests already waiting before a reply is
 * built or sent: without it, a reply answered from the cache runs entirely in microtasks right
 * after its ack, and a burst of commands gets acked one reply-build apart.
 */
export function afterPendingIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
