/**
 * HTTP mode's receiver: Slack's requests at POST /slack/events, the probe routes beside them.
 * It takes the place of Bolt's HTTPReceiver, and does the same work with Bolt's own functions
 * (signature check, body parsing, Slack's ssl_check and url_verification answers, retry
 * headers, error and no-ack handlers), for two reasons measured on Bolt 5.1.0, the newest:
 *
 * - HTTPReceiver reads `body.ssl_check` on whatever the body parses to; for `payload=null`
 *   (form) or `null` (JSON) that throws inside a promise nobody awaits, and the unhandled
 *   rejection ends the process. Here every verified body is checked against the payloads the
 *   app takes (requestBodySchema) and anything else is answered 400 before Bolt sees it; Bolt
 *   also answers a malformed `block_actions` with a 500 after a TypeError.
 * - A guard in front of HTTPReceiver, which this was, read and parsed every body twice; and
 *   HTTPReceiver writes an ack's message with `JSON.stringify` and chunked encoding on every
 *   request. Here the body is parsed once, and an ack's message is written with its length,
 *   serialised and encoded once when it is a prepared answer (see ack-body.ts). An answer from the cache
 *   is the hot path: most commands are answered in their ack.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  type App,
  type Logger as BoltLogger,
  defaultBodyLimit,
  HTTPModuleFunctions,
  isRawBodyError,
  type Receiver,
  type ReceiverEvent,
  ReceiverMultipleAckError,
} from "@slack/bolt";
import { errorText } from "../errors/index.js";
import type { Logger } from "../log.js";
import { ackBody } from "./ack-body.js";
import { type ListenAt, listen } from "./listen.js";
import { requestBodySchema } from "./payloads.js";

type Buffered = Awaited<ReturnType<typeof HTTPModuleFunctions.parseAndVerifyHTTPRequest>>;
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Bolt's: a request not acknowledged by then gets its no-ack handler (an error line and a 404). */
const UNACKED_AFTER_MS = 3001;

export interface SlackHttpReceiverOptions {
  readonly signingSecret: string;
  /** Where Slack posts: /slack/events. */
  readonly path: string;
  /** Everything else: the probes, and 404 for what is not one. */
  readonly otherwise: Handler;
  /** Bolt's logger, for the lines Bolt itself would write. */
  readonly logger: BoltLogger;
  readonly log: Logger;
}

/** Whether a parsed body is one of the payloads this app takes (see requestBodySchema). */
function isPayloadShape(body: unknown): boolean {
  return requestBodySchema.safeParse(body).success;
}

function kindOf(body: unknown): string {
  if (body === null) return "null";
  if (Array.isArray(body)) return "array";
  if (typeof body !== "object") return typeof body;
  const type = (body as { type?: unknown }).type;
  return typeof type === "string" ? type.slice(0, 40) : "object";
}

export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;
  private server: Server | undefined;

  constructor(private readonly opts: SlackHttpReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  start(at: ListenAt): Promise<Server> {
    if (this.server) return Promise.reject(new Error("the HTTP receiver is already listening"));
    const server = createServer((req, res) => {
      if (req.method === "POST" && req.url?.split("?")[0] === this.opts.path) this.handle(req, res);
      else this.opts.otherwise(req, res);
    });
    this.server = server;
    return listen(server, at, this.opts.log).then(
      () => server,
      (err: unknown) => {
        this.server = undefined;
        throw err;
      },
    );
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      // Idle keep-alive connections would hold close() open; requests in flight finish.
      server.closeIdleConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.receive(req, res).catch((err: unknown) => {
      // Unreachable in practice (receive catches its own failures); never let it escape.
      this.opts.log.error({ err: errorText(err) }, "handling a Slack request failed");
      if (!res.headersSent) HTTPModuleFunctions.buildNoBodyResponse(res, 500);
    });
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { logger, log } = this.opts;
    let buffered: Buffered;
    try {
      buffered = await HTTPModuleFunctions.parseAndVerifyHTTPRequest(
        { enabled: true, signingSecret: this.opts.signingSecret, bodyLimit: defaultBodyLimit },
        req,
      );
    } catch (err) {
      if (isRawBodyError(err)) {
        if (err.statusCode === 413)
          logger.warn(`Request body exceeded the maximum allowed size (limit: ${defaultBodyLimit} bytes)`);
        // The stream is spent or broken: nothing more to read.
        HTTPModuleFunctions.buildNoBodyResponse(res, err.statusCode === 413 ? 413 : 400);
        return;
      }
      // Bolt's own words and status for a request that fails verification.
      log.warn(`Failed to parse and verify the request data: ${errorText(err)}`);
      HTTPModuleFunctions.buildNoBodyResponse(res, 401);
      return;
    }
    let body: unknown;
    try {
      body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
    } catch (err) {
      logger.warn(`Malformed request body: ${errorText(err)}`);
      HTTPModuleFunctions.buildNoBodyResponse(res, 400);
      return;
    }
    if (!isPayloadShape(body)) {
      log.warn({ kind: kindOf(body) }, "refused a signed request whose body is not a Slack payload");
      HTTPModuleFunctions.buildNoBodyResponse(res, 400);
      return;
    }
    // The shape check above makes these reads safe; the payload itself is Bolt's to type.
    const payload = body as Record<string, unknown>;
    if (payload.ssl_check === "1") {
      HTTPModuleFunctions.buildSSLCheckResponse(res);
      return;
    }
    if (payload.type === "url_verification") {
      HTTPModuleFunctions.buildUrlVerificationResponse(res, payload);
      return;
    }
    const ack = new HttpAck(buffered, res, logger);
    const event: ReceiverEvent = {
      body: payload,
      ack: ack.send,
      retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req),
      retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req),
      customProperties: {},
    };
    try {
      await this.app?.processEvent(event);
    } catch (error) {
      const acknowledged = await HTTPModuleFunctions.defaultProcessEventErrorHandler({
        error: error as Error,
        logger,
        request: req,
        response: res,
        storedResponse: undefined,
      });
      if (acknowledged) ack.settle();
    }
  }
}

/** One request's ack: written at once (the reply follows via the response_url), at most once. */
class HttpAck {
  private acknowledged = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    req: Buffered,
    private readonly res: ServerResponse,
    private readonly logger: BoltLogger,
  ) {
    this.timer = setTimeout(() => {
      if (!this.acknowledged)
        HTTPModuleFunctions.defaultUnhandledRequestHandler({ logger, request: req, response: res });
    }, UNACKED_AFTER_MS);
  }

  settle(): void {
    this.acknowledged = true;
    clearTimeout(this.timer);
  }

  readonly send = async (response?: unknown): Promise<void> => {
    if (this.acknowledged) throw new ReceiverMultipleAckError();
    this.settle();
    if (this.res.headersSent) return; // answered meanwhile (the no-ack handler's 404)
    if (response === undefined || response === "") {
      this.res.writeHead(200);
      this.res.end();
      return;
    }
    if (typeof response === "string") {
      // As Bolt: a string is sent as it is, without a content type.
      this.res.writeHead(200);
      this.res.end(response);
      return;
    }
    const { json, bytes } = ackBody(response);
    this.res.writeHead(200, { "content-type": "application/json", "content-length": bytes });
    this.res.end(json);
  };
}
