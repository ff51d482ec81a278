/**
 * A guard in front of Bolt's HTTPReceiver for bodies that pass the signature check but are not
 * a Slack payload. Bolt 5.1.0 (the newest release) reads `body.ssl_check` on whatever the body
 * parses to; for `payload=null` (form) or `null` (JSON) that throws inside a promise nobody
 * awaits (HTTPReceiver.handleIncomingEvent), and the unhandled rejection ends the process.
 * Anyone holding the signing secret, or a proxy mangling bodies, could stop the bot.
 *
 * The guard buffers and verifies the request with Bolt's own functions, answers 400 when the
 * verified body is not one of the payloads this app takes (Bolt also answers a malformed
 * `block_actions` with a 500 after a TypeError), and otherwise hands the request on: Bolt sees the body
 * already buffered (`rawBody`) and uses it as it is. It is the only signature check: the
 * receiver is built with Bolt's own check off (one HMAC and one constant-time compare per
 * request instead of two), which is why {@link guardedReceiver} builds both together. A request
 * that fails it is answered as Bolt would (401, and Bolt's warning line).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  defaultBodyLimit,
  HTTPModuleFunctions,
  HTTPReceiver,
  type HTTPReceiverOptions,
  isRawBodyError,
} from "@slack/bolt";
import { errorText } from "../errors/index.js";
import type { Logger } from "../log.js";
import { requestBodySchema } from "./payloads.js";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;
type Buffered = Awaited<ReturnType<typeof HTTPModuleFunctions.parseAndVerifyHTTPRequest>>;

/** Whether a parsed body is one of the payloads this app takes (see requestBodySchema). */
export function isPayloadShape(body: unknown): boolean {
  return requestBodySchema.safeParse(body).success;
}

function kindOf(body: unknown): string {
  if (body === null) return "null";
  if (Array.isArray(body)) return "array";
  if (typeof body !== "object") return typeof body;
  const type = (body as { type?: unknown }).type;
  return typeof type === "string" ? type.slice(0, 40) : "object";
}

/** Bolt's HTTP receiver behind the guard, which verifies every request to `path` itself. */
export function guardedReceiver(
  options: HTTPReceiverOptions & { readonly signingSecret: string },
  opts: { readonly path: string; readonly log: Logger },
): HTTPReceiver {
  const receiver = new HTTPReceiver({ ...options, signatureVerification: false });
  guardReceiver(receiver, { ...opts, signingSecret: options.signingSecret });
  return receiver;
}

function guardReceiver(
  receiver: HTTPReceiver,
  opts: { readonly signingSecret: string; readonly path: string; readonly log: Logger },
): void {
  // requestListener is the receiver's public entry point; its HTTP server calls it per request.
  const next: Listener = receiver.requestListener;
  const guarded: Listener = (req, res) => {
    if (req.method !== "POST" || req.url?.split("?")[0] !== opts.path) {
      next(req, res);
      return;
    }
    void check(req, res).then(
      (ok) => {
        if (ok) next(req, res);
      },
      (err: unknown) => {
        // Unreachable in practice (check catches its own failures); never let it escape.
        opts.log.error({ err: String(err) }, "request guard failed");
        if (!res.headersSent) HTTPModuleFunctions.buildNoBodyResponse(res, 500);
      },
    );
  };
  receiver.requestListener = guarded;

  async function check(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    let buffered: Buffered;
    try {
      buffered = await HTTPModuleFunctions.parseAndVerifyHTTPRequest(
        { enabled: true, signingSecret: opts.signingSecret, bodyLimit: defaultBodyLimit },
        req,
      );
    } catch (err) {
      if (isRawBodyError(err)) {
        // The stream is spent: Bolt could not read it again, so answer here as Bolt would.
        HTTPModuleFunctions.buildNoBodyResponse(res, err.statusCode === 413 ? 413 : 400);
        return false;
      }
      // Bolt's own words and status for a request that fails verification.
      opts.log.warn(`Failed to parse and verify the request data: ${errorText(err)}`);
      HTTPModuleFunctions.buildNoBodyResponse(res, 401);
      return false;
    }
    let body: unknown;
    try {
      body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
    } catch {
      return true; // Bolt answers malformed bodies with 400 itself.
    }
    if (isPayloadShape(body)) return true;
    opts.log.warn({ kind: kindOf(body) }, "refused a signed request whose body is not a Slack payload");
    HTTPModuleFunctions.buildNoBodyResponse(res, 400);
    return false;
  }
}
