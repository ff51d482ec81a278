/**
 * A failure as the person who asked sees it: one sentence with what to do and a short
 * reference that also appears in the log line holding the details. Never a stack trace, a
 * secret or a raw HTTP dump: GluuError messages are built from fixed text and host names only.
 */

import { randomBytes } from "node:crypto";
import { errorText } from "../errors/index.js";
import { isGluuError } from "../gluu/errors.js";
import type { Logger } from "../log.js";

/** 8 characters, easy to read out and to grep for. */
export function newRef(): string {
  return randomBytes(6).toString("base64url").slice(0, 8).toUpperCase().replace(/[-_]/g, "X");
}

export function userSentence(err: unknown, host: string): string {
  if (!isGluuError(err))
    return `Something went wrong while answering. Try again; if it keeps happening, tell the admin of this bot.`;
  switch (err.code) {
    case "timeout":
      return `The Gluu server ${host} did not answer in time. Try again in a minute.`;
    case "network":
      return `The Gluu server ${host} cannot be reached right now (${err.message}). Try again later.`;
    case "server":
      return `The Gluu server ${host} reported an internal error. Try again later.`;
    case "rate_limited":
      return `The Gluu server ${host} is busy with other statistics requests (it allows one per interval, server-wide). Try again in a few minutes.`;
    case "bad_response":
      // The parse error quotes the body: it goes to the log (with the ref), not to the user.
      return `The Gluu server ${host} sent an answer the bot cannot read. Tell the admin of this bot.`;
    case "too_large":
      return `The Gluu server ${host} sent an answer the bot cannot read (${err.message}). Tell the admin of this bot.`;
    default:
      // Configuration problems: the message says how to fix them; only an admin can.
      return `The bot cannot read statistics from ${host}: ${err.message}. Ask the admin of this bot to run \`gluu-stats doctor\`.`;
  }
}

export function reportFailure(log: Logger, err: unknown, context: Record<string, unknown>): string {
  const ref = newRef();
  const details = isGluuError(err)
    ? { code: err.code, status: err.details.status, url: err.details.url, message: err.message }
    : {
        message: errorText(err),
        stack: err instanceof Error ? err.stack : undefined,
      };
  log.error({ ref, ...context, ...details }, "request failed (ref %s)", ref);
  return ref;
}
