/**
 * An ack's message as the body of its HTTP response. A message prepared with
 * {@link prepareAck} is serialised once and reused by every ack that carries it: an answer from
 * the cache goes out to everyone who asks in the same form, and serialising it for each of them
 * was a good part of a warm command's cost. A prepared message is frozen, so the body cannot
 * come to differ from it. In Socket Mode the message itself is sent, as before.
 *
 * The body is kept encoded: a string body is concatenated with the headers and encoded again
 * on every write (the answers' text is not Latin-1, so 8 KB of garbage per ack, measured).
 */
export interface AckBody {
  readonly json: Buffer;
  readonly bytes: number;
}

const prepared = new WeakMap<object, AckBody>();

function serialise(message: unknown): AckBody {
  const json = Buffer.from(JSON.stringify(message), "utf8");
  return { json, bytes: json.length };
}

export function prepareAck<T extends object>(message: T): Readonly<T> {
  if (!prepared.has(message)) prepared.set(Object.freeze(message), serialise(message));
  return message;
}

export function ackBody(message: unknown): AckBody {
  return (typeof message === "object" && message !== null && prepared.get(message)) || serialise(message);
}
