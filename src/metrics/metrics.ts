/**
 * What the bot tells Prometheus, through prom-client: its own registry (never the global one,
 * so two bots in one process, as in tests, keep their counts apart), Node's default process
 * metrics, and the product's own series with the `gluu_stats_` prefix and a `server` label.
 *
 * Counters are bumped by the edges (listeners, the stat service, the HTTP client, the monthly
 * poster) through the narrow observer each of them declares; gauges are read at scrape time
 * from what the stat service already holds in memory, so a scrape never asks the Gluu server.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { addMonths, isoMonth, type Month, monthAt } from "../months.js";

/** What a command ended as. */
export type CommandOutcome = "answered" | "error" | "refused" | "usage";
/** Where a reply went, or what stopped it. */
export type ReplyOutcome = "in_ack" | "response_url" | "interim" | "failed";
/** Slash command, or a button under a reply. */
export type CommandSource = "command" | "button";

/** What the MAU gauge reads: the months the stat service holds, and its last good answer. */
export interface CachedFigures {
  cachedMau(month: Month): number | undefined;
  readonly lastSuccessAt: number | undefined;
}

/** The MAU gauge covers the current month and the 12 before it. */
export const MAU_MONTHS = 13;

export class BotMetrics {
  readonly registry = new Registry();
  private readonly commands: Counter<"server" | "kind" | "source" | "outcome">;
  private readonly replies: Counter<"server" | "outcome">;
  private readonly upstream: Counter<"server" | "endpoint" | "code">;
  private readonly cacheHits: Counter<"server">;
  private readonly cacheMisses: Counter<"server">;
  private readonly waits: Counter<"server">;
  private readonly posts: Counter<"server" | "outcome">;
  private readonly alerts: Counter<"server" | "outcome">;
  private readonly checks: Counter<"server" | "outcome">;

  constructor(
    private readonly server: string,
    figures: () => CachedFigures | undefined,
    opts: { readonly now?: () => number; readonly timeZone?: string } = {},
  ) {
    const now = opts.now ?? Date.now;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.commands = new Counter({
      name: "gluu_stats_commands_total",
      help: "Slash commands and button presses, by what was asked and how it ended.",
      labelNames: ["server", "kind", "source", "outcome"],
      registers,
    });
    this.replies = new Counter({
      name: "gluu_stats_replies_total",
      help: "Replies sent: in the ack, at the response_url, interim replies, and deliveries that failed.",
      labelNames: ["server", "outcome"],
      registers,
    });
    this.upstream = new Counter({
      name: "gluu_stats_upstream_requests_total",
      help: "Requests to the Gluu server, by endpoint and HTTP status (or failure code).",
      labelNames: ["server", "endpoint", "code"],
      registers,
    });
    this.cacheHits = new Counter({
      name: "gluu_stats_cache_hits_total",
      help: "Months answered from the cache without a request.",
      labelNames: ["server"],
      registers,
    });
    this.cacheMisses = new Counter({
      name: "gluu_stats_cache_misses_total",
      help: "Months that needed a request to the Gluu server.",
      labelNames: ["server"],
      registers,
    });
    this.waits = new Counter({
      name: "gluu_stats_rate_limit_waits_total",
      help: "Requests the Gluu server refused for its interval (403); each one is retried after a wait.",
      labelNames: ["server"],
      registers,
    });
    this.posts = new Counter({
      name: "gluu_stats_monthly_posts_total",
      help: "Monthly summary deliveries, by outcome.",
      labelNames: ["server", "outcome"],
      registers,
    });
    this.alerts = new Counter({
      name: "gluu_stats_license_alerts_total",
      help: "Licence alert deliveries (one per channel, month and threshold reached), by outcome.",
      labelNames: ["server", "outcome"],
      registers,
    });
    this.checks = new Counter({
      name: "gluu_stats_license_checks_total",
      help: "Licence checks of the month in progress, by outcome (checked, no-data, unreachable).",
      labelNames: ["server", "outcome"],
      registers,
    });
    new Gauge({
      name: "gluu_stats_last_successful_fetch_timestamp_seconds",
      help: "When the Gluu server last answered a statistics request with figures (Unix time).",
      labelNames: ["server"],
      registers,
      collect() {
        const at = figures()?.lastSuccessAt;
        this.reset();
        if (at !== undefined) this.set({ server }, at / 1000);
      },
    });
    const timeZone = opts.timeZone ?? "UTC";
    new Gauge({
      name: "gluu_stats_monthly_active_users",
      help: "Monthly active users of the cached months (the current month so far), at most the last 13.",
      labelNames: ["server", "month"],
      registers,
      collect() {
        this.reset();
        const source = figures();
        if (!source) return;
        const current = monthAt(now(), timeZone);
        for (let i = 0; i < MAU_MONTHS; i++) {
          const m = addMonths(current, -i);
          const mau = source.cachedMau(m);
          if (mau !== undefined) this.set({ server, month: isoMonth(m) }, mau);
        }
      },
    });
  }

  command(kind: string, source: CommandSource, outcome: CommandOutcome): void {
    this.commands.inc({ server: this.server, kind, source, outcome });
  }

  reply(outcome: ReplyOutcome): void {
    this.replies.inc({ server: this.server, outcome });
  }

  request(endpoint: string, code: number | string): void {
    this.upstream.inc({ server: this.server, endpoint, code: String(code) });
  }

  lookedUp(hits: number, misses: number): void {
    if (hits > 0) this.cacheHits.inc({ server: this.server }, hits);
    if (misses > 0) this.cacheMisses.inc({ server: this.server }, misses);
  }

  refused(): void {
    this.waits.inc({ server: this.server });
  }

  /**
   * Another Gluu server of GLUU_SERVERS: its requests, cache lookups and interval waits under its
   * own `server` label, so one server's trouble is not read as another's.
   */
  forServer(server: string): Pick<BotMetrics, "request" | "lookedUp" | "refused"> {
    return {
      request: (endpoint, code) => this.upstream.inc({ server, endpoint, code: String(code) }),
      lookedUp: (hits, misses) => {
        if (hits > 0) this.cacheHits.inc({ server }, hits);
        if (misses > 0) this.cacheMisses.inc({ server }, misses);
      },
      refused: () => this.waits.inc({ server }),
    };
  }

  monthlyPost(outcome: string): void {
    this.posts.inc({ server: this.server, outcome });
  }

  licenseAlert(outcome: string): void {
    this.alerts.inc({ server: this.server, outcome });
  }

  licenseCheck(outcome: string): void {
    this.checks.inc({ server: this.server, outcome });
  }

  /** The exposition, in Prometheus' text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
