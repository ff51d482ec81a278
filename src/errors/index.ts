/**
 * The one base error of the bot. Every error it raises on purpose carries a `code` for decisions,
 * a message a person can act on, the underlying error as the standard `Error.cause`, and one
 * answer to "may trying again later succeed?" (`canRetry`), whatever the layer that raised it.
 */
export abstract class BotError<Code extends string = string> extends Error {
  abstract readonly code: Code;

  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }

  /** Whether retrying later may succeed without anybody changing configuration. */
  abstract get canRetry(): boolean;
}

export function isBotError(err: unknown): err is BotError {
  return err instanceof BotError;
}

/** Any thrown value as one line of text, for logs and messages. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "string") return err;
  try {
    return String(err);
  } catch {
    // An object whose toString throws: still a line of text.
    return Object.prototype.toString.call(err);
  }
}

/** Whether a thrown value says that retrying may help: only the bot's own errors can say so. */
export function canRetry(err: unknown): boolean {
  return isBotError(err) && err.canRetry;
}
