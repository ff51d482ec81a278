/**
 * `format=openmetrics`: the Prometheus text format 0.0.4 exactly as the servers write it with
 * the Java simpleclient (`CollectorRegistry` + five `Counter`s + `TextFormat.write004`).
 *
 * What a real answer looks like, and this writer reproduces:
 * - five counter families, HELP and TYPE lines first: `monthly_active_users{month}` and
 *   `access_token`, `id_token`, `refresh_token`, `uma_token` with `{month, grantType}`;
 * - every label followed by a comma, the brace on the same line: `{month="202111",}`;
 * - values as Java doubles (`144.0`, `1.0E7`), `0.0` for a token kind never counted;
 * - families in the registry's identity-hash order (different on every server start), the
 *   samples of a family in its children `ConcurrentHashMap`'s order.
 */
import { type MonthStats, STANDARD_TOKEN_KINDS } from "../gluu/model.js";
import {
  type OpenMetricsFamily as Family,
  familyHead,
  OPENMETRICS_HELP as HELP,
  type OpenMetricsLabels,
  sampleLine,
} from "../report/openmetrics.js";
import { concurrentHashMapOrder, javaListHash } from "./java-order.js";
import { shuffled } from "./random.js";
import { responseItems } from "./stat-response.js";

/**
 * Which simpleclient writer to imitate:
 * - `classic` (default; the servers' version and the seed document): family name as given,
 *   `{a="x",b="y",}`;
 * - `suffixed` (simpleclient 0.10+): counters named `<name>_total` in HELP, TYPE and samples,
 *   plus `<name>_created` gauges (creation time in seconds) after all families;
 * - `suffixed-no-comma` (later 0.x releases): as `suffixed`, without the comma after the
 *   last label.
 */
export type OpenMetricsVariant = "classic" | "suffixed" | "suffixed-no-comma";

export interface OpenMetricsOptions {
  /** Random source: shuffles families, months, grant types and samples instead of Java's order. */
  shuffle?: () => number;
  variant?: OpenMetricsVariant;
  /** Counter creation time for the `_created` gauges of the suffixed variants; default now. */
  createdAtMs?: number;
}

/**
 * The order of the seed document's sample. The real order depends on identity hash codes and
 * so changes with every server start; this one is at least an order a server produced.
 */
const SEED_FAMILY_ORDER: readonly Family[] = [
  "refresh_token",
  "id_token",
  "monthly_active_users",
  "access_token",
  "uma_token",
];

interface Sample {
  labels: OpenMetricsLabels;
  value: number;
}

/** Java simpleclient text 0.0.4 as the servers write it; see the module comment. */
export function writeOpenMetrics(stats: MonthStats[], opts: OpenMetricsOptions = {}): string {
  const random = opts.shuffle;
  const variant = opts.variant ?? "classic";
  const items = responseItems(stats, random);

  // Children are created in this order: per month its MAU child, then per grant type one
  // child in each token counter; each counter's ConcurrentHashMap then reorders its own.
  const mauKeys: string[][] = [];
  const tokenKeys: string[][] = [];
  const mau = new Map<string, number>();
  const tokens = new Map<string, Readonly<Record<string, number>>>();
  for (const item of items) {
    const value = item.stats.mau;
    if (value < 0) throw new RangeError("Amount to increment must be non-negative.");
    mauKeys.push([item.key]);
    mau.set(item.key, value);
    for (const grantType of item.grantTypes) {
      const key = [item.key, grantType];
      tokenKeys.push(key);
      const counts: Readonly<Record<string, number>> = item.stats.tokens[grantType] ?? {};
      for (const kind of STANDARD_TOKEN_KINDS) {
        if ((counts[kind] ?? 0) < 0) throw new RangeError("Amount to increment must be non-negative.");
      }
      tokens.set(key.join("\u0000"), counts);
    }
  }
  const mauOrder = random ? shuffled(mauKeys, random) : concurrentHashMapOrder(mauKeys, javaListHash);
  const tokenOrder = random ? shuffled(tokenKeys, random) : concurrentHashMapOrder(tokenKeys, javaListHash);
  const families = random ? shuffled(SEED_FAMILY_ORDER, random) : [...SEED_FAMILY_ORDER];

  const samplesOf = (family: Family): Sample[] => {
    if (family === "monthly_active_users") {
      return mauOrder.map(([month = ""]) => ({ labels: [["month", month]], value: mau.get(month) ?? 0 }));
    }
    return tokenOrder.map(([month = "", grantType = ""]) => ({
      labels: [
        ["month", month],
        ["grantType", grantType],
      ],
      value: tokens.get(`${month}\u0000${grantType}`)?.[family] ?? 0,
    }));
  };

  const trailingComma = variant !== "suffixed-no-comma";
  const suffixed = variant !== "classic";
  const created = (opts.createdAtMs ?? Date.now()) / 1000;
  let out = "";
  const createdFamilies: Array<{ name: string; help: string; samples: Sample[] }> = [];
  for (const family of families) {
    const name = suffixed ? `${family}_total` : family;
    const samples = samplesOf(family);
    out += familyHead(name, HELP[family], "counter");
    for (const s of samples) out += sampleLine(name, s.labels, s.value, trailingComma);
    if (suffixed) {
      createdFamilies.push({
        name: `${family}_created`,
        help: HELP[family],
        samples: samples.map((s) => ({ labels: s.labels, value: created })),
      });
    }
  }
  // write004 collects the OpenMetrics-only samples in a TreeMap and writes them last as gauges.
  createdFamilies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const f of createdFamilies) {
    out += familyHead(f.name, f.help, "gauge");
    for (const s of f.samples) out += sampleLine(f.name, s.labels, s.value, trailingComma);
  }
  return out;
}
