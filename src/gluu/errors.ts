/**
 * Typed errors of the stat client. Each carries a `code` for decisions and a `message` a
 * person can act on. None ever holds a secret, a token or a raw body: messages are built from
 * status codes, host names and fixed text only.
 */

import { z } from "zod";
import { BotError } from "../errors/index.js";

export type GluuErrorCode =
  | "config" // the configuration cannot work (e.g. no stat endpoint at the URL)
  | "network" // connection refused, reset, DNS failure
  | "timeout" // the server did not answer in time
  | "tls" // certificate not trusted, host name mismatch, expired
  | "auth" // client authentication failed at the token endpoint
  | "scope" // the client or token lacks the stat scope
  | "rate_limited" // Gluu 4.x interval limit (403)
  | "bad_request" // 400 from the stat endpoint
  | "server" // 5xx
  | "bad_response" // garbled, unparseable or unexpected body
  | "too_large" // body exceeded the size cap
  | "not_found"; // no stat endpoint / discovery document

export interface GluuErrorDetails {
  readonly status?: number;
  readonly url?: string;
  readonly cause?: unknown;
}

export class GluuError extends BotError<GluuErrorCode> {
  override readonly name = "GluuError";
  readonly details: { readonly status?: number; readonly url?: string };
  constructor(
    readonly code: GluuErrorCode,
    message: string,
    details: GluuErrorDetails = {},
  ) {
    super(message, { cause: details.cause });
    this.details = { status: details.status, url: details.url };
  }

  get canRetry(): boolean {
    return (
      this.code === "network" ||
      this.code === "timeout" ||
      this.code === "server" ||
      this.code === "rate_limited"
    );
  }
}

const errorBodySchema = z.looseObject({
  error: z.string().optional(),
  error_description: z.string().optional(),
  reason: z.string().optional(),
});

/**
 * The OAuth-style error body both server families send (`error`, and `reason` when
 * errorReasonEnabled is on); empty when the body is not such JSON. `reason` is cut to 200
 * characters: good for messages, never for decisions.
 */
export function readErrorBody(body: string): { error?: string; reason?: string } {
  try {
    const data = errorBodySchema.safeParse(JSON.parse(body)).data;
    const reason = data?.reason?.trim().slice(0, 200);
    return { ...(data?.error ? { error: data.error } : {}), ...(reason ? { reason } : {}) };
  } catch {
    return {};
  }
}

export function isGluuError(err: unknown): err is GluuError {
  return err instanceof GluuError;
}
