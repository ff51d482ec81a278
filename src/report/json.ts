/**
 * JSON renderings: `renderJson` for scripts (stable: sorted keys, calendar order, `null` for no
 * data, so two runs over the same data diff clean), and `renderExporterJson`, the exact shape
 * Gluu's official stat-exporter prints, for whoever compares the two.
 */
import { isoMonth, monthKey } from "../months.js";
import type { BillingExport, Change, SeriesSummary } from "./summary.js";
import type { ComparisonView } from "./view.js";

export interface JsonMeta {
  readonly host?: string;
  /** ms since epoch; written as ISO 8601 UTC. */
  readonly fetchedAt?: number;
}

function sortedObject<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  // fromEntries defines own properties, so a grant type named `__proto__` stays a plain key.
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function isoInstant(ms: number | undefined): string | null {
  if (ms === undefined || !Number.isFinite(ms)) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The summary of a month or a range as stable JSON, ending in a newline. */
export function renderJson(summary: SeriesSummary, meta: JsonMeta = {}): string {
  const value = {
    host: meta.host ?? null,
    fetchedAt: isoInstant(meta.fetchedAt),
    months: summary.rows.map((r) => ({
      month: isoMonth(r.month),
      hasData: r.stats !== undefined,
      inProgress: r.inProgress === true,
      mau: r.stats?.mau ?? null,
      ...(summary.limit !== undefined
        ? { licensedPercent: r.usage?.percent ?? null, overLicensed: r.usage?.over ?? null }
        : {}),
      change: r.change
        ? { absolute: r.change.absolute, percent: r.change.percent ?? null, direction: r.change.direction }
        : null,
      tokens: r.stats
        ? sortedObject(
            Object.entries(r.stats.tokens).map(
              ([g, counts]) => [g, sortedObject(Object.entries(counts))] as const,
            ),
          )
        : null,
    })),
    average: summary.average ?? null,
    averageOver: "months with data",
    maximum: summary.maximum ? { month: isoMonth(summary.maximum.month), mau: summary.maximum.mau } : null,
    withData: summary.withData,
    ...(summary.limit !== undefined
      ? { licensedMau: summary.limit, overLicensed: (summary.overLimit ?? []).map(isoMonth) }
      : {}),
  };
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * The official exporter's output, as Jackson's default pretty printer writes it:
 * `{ "data" : { "202306" : 1 }, "mau-signature" : "…" }` over several lines. Months come in
 * calendar order (the exporter's are in hash-map order; the content is the same).
 */
export function renderExporterJson(exp: BillingExport): string {
  const data = exp.rows.flatMap((r) =>
    r.mau === undefined ? [] : [`    "${monthKey(r.month)}" : ${r.mau}`],
  );
  const body = data.length > 0 ? `{\n${data.join(",\n")}\n  }` : "{ }";
  return `{\n  "data" : ${body},\n  "mau-signature" : "${exp.signature}"\n}\n`;
}

/** `report all --format json`: one entry per server, then the sum of separate servers. */
export function renderComparisonJson(view: ComparisonView): string {
  const change = (c: Change | undefined) =>
    c ? { absolute: c.absolute, percent: c.percent ?? null, direction: c.direction } : null;
  const value = {
    month: isoMonth(view.month),
    inProgress: view.current,
    fetchedAt: isoInstant(view.fetchedAt),
    servers: view.rows.map((r) => ({
      server: r.name,
      name: r.displayName,
      available: r.unavailable === undefined,
      unavailable: r.unavailable ?? null,
      hasData: r.stats !== undefined,
      mau: r.stats?.mau ?? null,
      change: change(r.change),
      tokens: r.tokens ?? null,
      ...(r.usage
        ? { licensedMau: r.usage.limit, licensedPercent: r.usage.percent, overLicensed: r.usage.over }
        : {}),
    })),
    sumOfSeparateServers: view.sum
      ? {
          servers: view.sum.servers,
          mau: view.sum.mau,
          tokens: view.sum.tokens,
          change: change(view.sum.change),
        }
      : null,
  };
  return `${JSON.stringify(value, null, 2)}\n`;
}
