/**
 * Health and readiness probes, the same in both modes:
 * - GET /healthz: the process is up and the app started (200; 503 before start and while
 *   stopping), with the last Gluu outcome and the state of the link to Slack in the body;
 * - GET /readyz: 200 only while Slack can reach the bot (HTTP mode: listening; Socket Mode: the
 *   WebSocket is connected), else 503 with a one-line reason.
 * - GET /metrics: Prometheus' text format (see metrics/), when the bot has metrics.
 * /readyz and /metrics answer only who `mayRead` lets in (see probe-access.ts), else 403.
 * HTTP mode serves them through Bolt's customRoutes; Socket Mode through {@link startProbeServer}.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CustomRoute } from "@slack/bolt";
import type { Outcome } from "../gluu/stat-service.js";
import type { Logger } from "../log.js";
import type { StoreHealthState } from "../state/index.js";
import { type ListenAt, listen } from "./listen.js";

export type LinkState = "starting" | "listening" | "connecting" | "connected" | "reconnecting" | "stopped";

/** How the bot is linked to Slack right now. */
export interface LinkStatus {
  readonly mode: "http" | "socket";
  readonly state: LinkState;
  /** Epoch ms of the last change of state. */
  readonly since: number;
  /** Socket Mode, while reconnecting: failed attempts so far and the last error. */
  readonly attempts?: number;
  readonly error?: string;
}

export interface ProbeSources {
  /** True from the end of start-up until stop() begins. */
  readonly started: () => boolean;
  readonly link: () => LinkStatus;
  /** Last outcome of a call to the Gluu server. */
  readonly health: () => Outcome | undefined;
  /** The state store's health, when the bot has one (REPORT_CHANNEL or REDIS_URL). */
  readonly store?: () => (StoreHealthState & { readonly where: string }) | undefined;
  readonly now: () => number;
  /** The exposition for /metrics; the route exists only when given. */
  readonly metrics?: { text(): Promise<string>; readonly contentType: string };
  /** Whether a request may read /readyz and /metrics; everyone when absent. */
  readonly mayRead?: (req: IncomingMessage) => boolean;
}

function storeBody(store: (StoreHealthState & { readonly where: string }) | undefined) {
  if (!store) return {};
  return {
    state: {
      ok: store.ok,
      where: store.where,
      ...(store.since !== undefined ? { since: new Date(store.since).toISOString() } : {}),
      ...(store.error !== undefined ? { error: store.error } : {}),
    },
  };
}

export function isReady(link: LinkStatus): boolean {
  return link.state === "listening" || link.state === "connected";
}

function linkBody(link: LinkStatus): Record<string, unknown> {
  return {
    mode: link.mode,
    state: link.state,
    since: new Date(link.since).toISOString(),
    ...(link.attempts !== undefined ? { attempts: link.attempts } : {}),
    ...(link.error !== undefined ? { error: link.error } : {}),
  };
}

/** Why /readyz says no, as one sentence. */
export function notReadyReason(link: LinkStatus, started: boolean, now: number): string {
  const down = Math.max(0, Math.round((now - link.since) / 1000));
  switch (link.state) {
    case "reconnecting":
      return `Socket Mode connection to Slack down for ${down} s${link.error ? ` (${link.error})` : ""}; reconnecting`;
    case "connecting":
      return "connecting to Slack (Socket Mode)";
    case "stopped":
      return "shutting down";
    default:
      return started ? "not ready" : "starting";
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** The route's handler, behind the access check. */
function guarded(src: ProbeSources, handler: CustomRoute["handler"]): CustomRoute["handler"] {
  return (req, res) => {
    if (src.mayRead && !src.mayRead(req)) {
      sendJson(res, 403, { error: "forbidden: allow this address in METRICS_ALLOW or send METRICS_TOKEN" });
      return;
    }
    handler(req, res);
  };
}

export function probeRoutes(src: ProbeSources): CustomRoute[] {
  const { metrics } = src;
  const metricsRoute: CustomRoute[] = metrics
    ? [
        {
          path: "/metrics",
          method: ["GET"],
          handler: guarded(src, (_req, res) => {
            metrics.text().then(
              (text) => {
                res.writeHead(200, { "content-type": metrics.contentType });
                res.end(text);
              },
              (err: unknown) =>
                sendJson(res, 500, { error: `metrics could not be collected: ${String(err)}` }),
            );
          }),
        },
      ]
    : [];
  return [
    ...metricsRoute,
    {
      path: "/healthz",
      method: ["GET"],
      handler: (_req, res) => {
        const last = src.health();
        const started = src.started();
        sendJson(res, started ? 200 : 503, {
          ready: started,
          gluu: last
            ? { ok: last.ok, at: new Date(last.at).toISOString(), error: last.error?.code }
            : { ok: null },
          slack: linkBody(src.link()),
          ...storeBody(src.store?.()),
        });
      },
    },
    {
      path: "/readyz",
      method: ["GET"],
      handler: guarded(src, (_req, res) => {
        const link = src.link();
        const started = src.started();
        const store = src.store?.();
        if (started && isReady(link) && store?.ok !== false) {
          sendJson(res, 200, { ready: true, slack: linkBody(link), ...storeBody(store) });
          return;
        }
        const reason =
          started && isReady(link) && store
            ? `the state store (${store.where}) is not answering${store.since !== undefined ? ` for ${Math.max(0, Math.round((src.now() - store.since) / 1000))} s` : ""}`
            : notReadyReason(link, started, src.now());
        sendJson(res, 503, { ready: false, reason, slack: linkBody(link), ...storeBody(store) });
      }),
    },
  ];
}

/** Answers a request by the route of its exact path and method, or 404. */
export function serveRoutes(
  routes: readonly CustomRoute[],
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const method = (req.method ?? "GET").toUpperCase();
    const route = routes.find(
      (r) => r.path === path && (Array.isArray(r.method) ? r.method : [r.method]).includes(method),
    );
    if (!route) {
      res.writeHead(404);
      res.end();
      return;
    }
    route.handler(Object.assign(req, { params: {} }), res);
  };
}

export interface ProbeServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves the probe routes in Socket Mode. Bolt's SocketModeReceiver can serve customRoutes on
 * `installerOptions.port`, but (5.1.0, receivers/SocketModeReceiver.js `start()`) it listens on
 * all interfaces with no host option, does not wait for the listen nor handle its `error` (a
 * port in use becomes an uncaught exception), and keeps the server private, so with PORT=0 the
 * port cannot be known. Two exact-path GET routes do not need a router; this small server
 * listens where asked, reports bind errors through start-up, and closes with the app.
 */
export async function startProbeServer(
  routes: readonly CustomRoute[],
  at: ListenAt,
  log: Logger,
): Promise<ProbeServer> {
  const server = createServer(serveRoutes(routes));
  await listen(server, at, log);
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections from probes would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
