/**
 * The Bolt app: HTTP mode (Slack requests at POST /slack/events) or Socket Mode (for bots behind
 * a firewall). Both serve GET /healthz and GET /readyz (see probes.ts): HTTP mode through Bolt's
 * customRoutes, Socket Mode on its own port. Builds the App, registers the listeners (see
 * listeners/), starts, and in Socket Mode keeps the connection up (see socket-connection.ts).
 */

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, LogLevel, SocketModeReceiver } from "@slack/bolt";
import { errorText } from "../errors/index.js";
import type { Outcome } from "../gluu/stat-service.js";
import { boltLogger, type Logger } from "../log.js";
import type { StoreHealthState } from "../state/index.js";
import { slackClientOptions } from "./client.js";
import { SlackHttpReceiver } from "./http-receiver.js";
import { InFlight } from "./in-flight.js";
import { type ListenerDeps, registerListeners } from "./listeners/index.js";
import { NewerBlocks } from "./newer-blocks.js";
import {
  type LinkStatus,
  type ProbeServer,
  type ProbeSources,
  probeRoutes,
  serveRoutes,
  startProbeServer,
} from "./probes.js";
import { MemorySeenRequests, type SeenRequests } from "./redelivery.js";
import { type Backoff, connectionLogger, SocketConnection } from "./socket-connection.js";

export { COMMAND } from "./listeners/commands/index.js";

export type SlackMode =
  | { readonly kind: "http"; readonly signingSecret: string; readonly port: number; readonly host?: string }
  | {
      readonly kind: "socket";
      readonly appToken: string;
      /** Where /healthz and /readyz listen; none when undefined. */
      readonly port?: number;
      readonly host?: string;
    };

export interface SlackAppOptions {
  readonly mode: SlackMode;
  readonly botToken: string;
  /** Web API base URL (GovSlack, tests); default Slack's. */
  readonly apiUrl?: string;
  readonly log: Logger;
  /** `newerBlocks`: shared with the monthly post where there is one; else the app's own. */
  readonly deps: Omit<ListenerDeps, "track" | "newerBlocks"> & { readonly newerBlocks?: NewerBlocks };
  /** Requests already answered, so a re-sent one is not answered twice. Default: in memory. */
  readonly seen?: SeenRequests;
  /** Last outcome of a call to the Gluu server, for /healthz. */
  readonly health: () => Outcome | undefined;
  /** The state store's health and where it is, for /healthz and /readyz. */
  readonly storeHealth?: () => (StoreHealthState & { readonly where: string }) | undefined;
  readonly now?: () => number;
  /** Socket Mode reconnection back-off; default {@link RECONNECT_BACKOFF}. */
  readonly reconnect?: Backoff;
  /** /metrics, and who may read it and /readyz (see probes.ts). */
  readonly probes?: Pick<ProbeSources, "metrics" | "mayRead">;
}

/** How long one apps.connections.open may take before the attempt counts as failed. */
const CONNECTIONS_OPEN_TIMEOUT_MS = 10_000;

export interface RunningSlackApp {
  readonly app: App;
  /** The port listened on (useful with port 0): Slack's and the probes' in HTTP mode, the probes' in Socket Mode. */
  readonly port: number | undefined;
  /** The link to Slack, as /readyz reports it. */
  link(): LinkStatus;
  readonly inFlight: InFlight;
  /** Stops taking requests, finishes the replies in flight (up to `graceMs`), then resolves. */
  stop(graceMs?: number): Promise<void>;
}

export async function startSlackApp(opts: SlackAppOptions): Promise<RunningSlackApp> {
  const now = opts.now ?? Date.now;
  const started = { value: false };
  const inFlight = new InFlight();
  const deps: ListenerDeps = {
    ...opts.deps,
    newerBlocks: opts.deps.newerBlocks ?? new NewerBlocks(opts.log),
    track: inFlight.track,
  };
  const clientOptions = slackClientOptions(opts.apiUrl);
  const logger = boltLogger(opts.log);
  const common = {
    token: opts.botToken,
    logger,
    logLevel: LogLevel.INFO,
    clientOptions,
    deferInitialization: true,
    // Bolt's conversation store keeps per-conversation state we never use, at a cost on every request.
    convoStore: false as const,
    // Bolt's self-filter drops message events the bot itself sent; the bot takes none (only
    // commands, buttons and app_home_opened, whose user is a person), and the filter is one more
    // middleware on every request.
    ignoreSelf: false,
  };
  let httpLink: LinkStatus = { mode: "http", state: "starting", since: now() };
  let connection: SocketConnection | undefined;
  const link = (): LinkStatus => connection?.status ?? httpLink;
  const routes = probeRoutes({
    started: () => started.value,
    link,
    health: opts.health,
    ...(opts.storeHealth ? { store: opts.storeHealth } : {}),
    ...opts.probes,
    now,
  });

  let app: App;
  if (opts.mode.kind === "http") {
    const receiver = new SlackHttpReceiver({
      signingSecret: opts.mode.signingSecret,
      path: "/slack/events",
      otherwise: serveRoutes(routes),
      logger: common.logger,
      log: opts.log,
    });
    app = new App({ ...common, receiver });
  } else {
    const quiet = connectionLogger(logger, (text) => connection?.noteCause(text));
    const receiver = new SocketModeReceiver({
      appToken: opts.mode.appToken,
      logger: quiet,
      // SocketConnection reconnects; the client's own reconnection can kill the process (see there).
      autoReconnectEnabled: false,
      installerOptions: {
        // apps.connections.open: one try per attempt (SocketConnection spaces them), bounded in time.
        // No logger here (a copy taken before App adds its own): the client's Web API client then
        // logs through `quiet` too.
        clientOptions: {
          ...clientOptions,
          retryConfig: { retries: 0 },
          timeout: CONNECTIONS_OPEN_TIMEOUT_MS,
        },
      },
    });
    connection = new SocketConnection(receiver.client, { log: opts.log, now, backoff: opts.reconnect });
    app = new App({ ...common, socketMode: true, receiver });
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
  let probes: ProbeServer | undefined;
  if (opts.mode.kind === "http") {
    const server = (await app.start({ port: opts.mode.port, host: opts.mode.host })) as Server;
    port = (server.address() as AddressInfo).port;
    httpLink = { mode: "http", state: "listening", since: now() };
  } else {
    // Probes first: a bot that cannot reach Slack at start-up can still be looked at meanwhile.
    if (opts.mode.port !== undefined) {
      probes = await startProbeServer(routes, { port: opts.mode.port, host: opts.mode.host }, opts.log);
      port = probes.port;
    }
    try {
      await connection?.start(() => app.start());
    } catch (err) {
      await probes?.close();
      throw err;
    }
  }
  started.value = true;

  return {
    app,
    port,
    inFlight,
    link,
    async stop(graceMs = 10_000) {
      started.value = false;
      httpLink = { mode: "http", state: "stopped", since: now() };
      connection?.stop();
      // Stop taking requests first; keep-alive sockets may hold close() open, so do not wait on it forever.
      const stopped = app.stop().catch((err: unknown) => {
        opts.log.warn({ err: errorText(err) }, "stopping the Slack receiver");
      });
      const drained = await inFlight.drain(graceMs);
      if (!drained)
        opts.log.warn({ pending: inFlight.size }, "shutdown: replies still in flight were abandoned");
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 2000).unref())]);
      await connection?.settled();
      await probes?.close();
    },
  };
}
