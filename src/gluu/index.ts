/** The stat client's public face: build one from configuration and ask it for months. */
import type { GluuConfig } from "../config/index.js";
import type { Logger } from "../log.js";
import { silentLogger } from "../log.js";
import type { StatCacheStore } from "../state/index.js";
import {
  createHttpClient,
  type HttpClient,
  httpOptionsFrom,
  observedHttp,
  type RequestObserver,
} from "./http.js";
import { StatClient } from "./stat-client.js";
import { type StatEvents, StatService } from "./stat-service.js";

export { GluuError, type GluuErrorCode, isGluuError } from "./errors.js";
export type { Endpoint, RequestObserver } from "./http.js";
export type { MonthStats, ServerFamily, StatResult, TokenCounts } from "./model.js";
export { FormatFallbackError, StatClient } from "./stat-client.js";
export { type StatEvents, StatService } from "./stat-service.js";

export interface GluuStack {
  readonly client: StatClient;
  readonly service: StatService;
  close(): Promise<void>;
}

export function createGluuStack(
  config: GluuConfig,
  deps: {
    log?: Logger;
    store?: StatCacheStore;
    now?: () => number;
    http?: HttpClient;
    /** Told of every request to the server and of the cache's answers (metrics). */
    observe?: { readonly requests: RequestObserver; readonly stats: StatEvents };
  } = {},
): GluuStack {
  const log = deps.log ?? silentLogger;
  if (config.tlsInsecure) {
    log.warn(
      "GLUU_TLS_INSECURE=true: the Gluu server's certificate is NOT verified; use GLUU_CA_FILE instead outside a lab",
    );
  }
  const http = deps.observe
    ? observedHttp(deps.http ?? createHttpClient(httpOptionsFrom(config)), deps.observe.requests)
    : deps.http;
  const client = new StatClient(config, { http, now: deps.now, log });
  const service = new StatService(client, {
    store: deps.store,
    now: deps.now,
    minIntervalMs: config.minIntervalS * 1000,
    closeGraceMs: config.closeGraceMs,
    log,
    ...(deps.observe ? { events: deps.observe.stats } : {}),
  });
  return {
    client,
    service,
    async close() {
      service.close();
      await client.close();
    },
  };
}
