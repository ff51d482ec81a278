/**
 * The Bolt app: HTTP mode (Slack requests at POST /slack/events, health at GET /healthz) or
 * Socket Mode (for bots behind a firewall). Builds the App, registers the listeners (see
 * listeners/), starts; nothing else.
 */

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, type CustomRoute, HTTPReceiver, LogLevel } from "@slack/bolt";
import { errorText } from "../errors/index.js";
import type { Outcome } from "../gluu/stat-service.js";
import { boltLogger, type Logger } from "../log.js";
import { slackClientOptions } from "./client.js";
import { guardReceiver } from "./http-guard.js";
import { InFlight } from "./in-flight.js";
import { type ListenerDeps, registerListeners } from "./listeners/index.js";
import { MemorySeenRequests, type SeenRequests } from "./redelivery.js";

export { COMMAND } from "./listeners/commands/index.js";

export type SlackMode =
  | { readonly kind: "http"; readonly signingSecret: string; readonly port: number; readonly host?: string }
  | { readonly kind: "socket"; readonly appToken: string };

export interface SlackAppOptions {
  readonly mode: SlackMode;
  readonly botToken: string;
  /** Web API base URL (GovSlack, tests); default Slack's. */
  readonly apiUrl?: string;
  readonly log: Logger;
  readonly deps: Omit<ListenerDeps, "track">;
  /** Requests already answered, so a re-sent one is not answered twice. Default: in memory. */
  readonly seen?: SeenRequests;
  /** Last outcome of a call to the Gluu server, for /healthz. */
  readonly health: () => Outcome | undefined;
}

export interface RunningSlackApp {
  readonly app: App;
  /** HTTP mode: the port listened on (useful with port 0). */
  readonly port: number | undefined;
  readonly inFlight: InFlight;
  /** Stops taking requests, finishes the replies in flight (up to `graceMs`), then resolves. */
  stop(graceMs?: number): Promise<void>;
}

function healthRoute(state: { ready: boolean }, health: () => Outcome | undefined): CustomRoute {
  return {
    path: "/healthz",
    method: ["GET"],
    handler: (_req, res) => {
      const last = health();
      const body = {
        ready: state.ready,
        gluu: last
          ? { ok: last.ok, at: new Date(last.at).toISOString(), error: last.error?.code }
          : { ok: null },
      };
      res.writeHead(state.ready ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    },
  };
}

export async function startSlackApp(opts: SlackAppOptions): Promise<RunningSlackApp> {
  const state = { ready: false };
  const inFlight = new InFlight();
  const deps: ListenerDeps = { ...opts.deps, track: inFlight.track };
  const clientOptions = slackClientOptions(opts.apiUrl);
  const common = {
    token: opts.botToken,
    logger: boltLogger(opts.log),
    logLevel: LogLevel.INFO,
    clientOptions,
    deferInitialization: true,
    // Bolt's conversation store keeps per-conversation state we never use, at a cost on every request.
    convoStore: false as const,
  };
  let app: App;
  if (opts.mode.kind === "http") {
    const receiver = new HTTPReceiver({
      signingSecret: opts.mode.signingSecret,
      logger: common.logger,
      logLevel: common.logLevel,
      customRoutes: [healthRoute(state, opts.health)],
      // Acks go out the moment a listener calls ack(); the reply follows via response_url.
      processBeforeResponse: false,
    });
    guardReceiver(receiver, { signingSecret: opts.mode.signingSecret, path: "/slack/events", log: opts.log });
    app = new App({ ...common, receiver });
  } else {
    app = new App({ ...common, socketMode: true, appToken: opts.mode.appToken });
  }

  registerListeners(app, deps, opts.seen ?? new MemorySeenRequests());
  app.error(async (err) => {
    opts.log.error(
      { err: err.message, code: (err as { code?: string }).code },
      "unhandled error in a Slack listener",
    );
  });

  await app.init();
  let port: number | undefined;
  if (opts.mode.kind === "http") {
    const server = (await app.start({ port: opts.mode.port, host: opts.mode.host })) as Server;
    port = (server.address() as AddressInfo).port;
  } else {
    await app.start();
  }
  state.ready = true;

  return {
    app,
    port,
    inFlight,
    async stop(graceMs = 10_000) {
      state.ready = false;
      // Stop taking requests first; keep-alive sockets may hold close() open, so do not wait on it forever.
      const stopped = app.stop().catch((err: unknown) => {
        opts.log.warn({ err: errorText(err) }, "stopping the Slack receiver");
      });
      const drained = await inFlight.drain(graceMs);
      if (!drained)
        opts.log.warn({ pending: inFlight.size }, "shutdown: replies still in flight were abandoned");
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 2000).unref())]);
    },
  };
}
