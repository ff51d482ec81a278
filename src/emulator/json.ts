/**
 * JSON as the two Java serialisers on the servers write it.
 *
 * - Stat answers go through Jackson: compact, bean properties in declaration order, maps in
 *   their iteration order (see stat-response.ts).
 * - Error bodies, token responses and the discovery document go through org.json's
 *   `JSONObject`, which keeps its keys in a `HashMap`: so `error_description` may well come
 *   before `error`. Error bodies and discovery are pretty-printed with `toString(4)`.
 */
import type { MonthStats } from "../gluu/model.js";
import { hashMapOrder, javaStringHash } from "./java-order.js";
import { shuffled } from "./random.js";
import { responseItems } from "./stat-response.js";

export type StatJsonShape = "gluu4" | "jsonmonth" | "flat";

/**
 * A stat answer as JSON.
 *
 * - `gluu4`: Gluu 4.x, `{"response":{"202111":{"monthly_active_users":…,"token_count_per_granttype":{…}}}}`
 * - `jsonmonth`: Janssen `format=jsonmonth`: the same map, each item starting with `"month"`.
 * - `flat`: Janssen's default: `{"response":[{"month":"202111",…}]}`.
 *
 * Token kinds counted zero times are left out: the servers create a counter on the first
 * token of a kind, so a kind that never occurred is absent rather than 0. Extra kinds beyond
 * the standard four (Janssen counts `logout_status_jwt`) are written like the others.
 *
 * Order: Java's HashMap order for months, grant types and kinds; `opts.shuffle` shuffles
 * each of them instead.
 */
export function writeJson(
  stats: MonthStats[],
  shape: StatJsonShape,
  opts: { shuffle?: () => number } = {},
): string {
  const random = opts.shuffle;
  const items = responseItems(stats, random).map((item) => {
    const grantTypes = item.grantTypes.map((grantType) => {
      const counts: Readonly<Record<string, number>> = item.stats.tokens[grantType] ?? {};
      const kinds = Object.keys(counts).filter((kind) => (counts[kind] ?? 0) !== 0);
      const ordered = random ? shuffled(kinds, random) : hashMapOrder(kinds, javaStringHash);
      const body = ordered.map((kind) => `${JSON.stringify(kind)}:${jacksonNumber(counts[kind] ?? 0)}`);
      return `${JSON.stringify(grantType)}:{${body.join(",")}}`;
    });
    const month = shape === "gluu4" ? "" : `"month":${JSON.stringify(item.key)},`;
    const body = `{${month}"monthly_active_users":${jacksonNumber(item.stats.mau)},"token_count_per_granttype":{${grantTypes.join(",")}}}`;
    return { key: item.key, body };
  });
  if (shape === "flat") return `{"response":[${items.map((i) => i.body).join(",")}]}`;
  return `{"response":{${items.map((i) => `${JSON.stringify(i.key)}:${i.body}`).join(",")}}}`;
}

/** The servers' counters are Java longs: always integers on the wire. */
function jacksonNumber(n: number): string {
  return Number.isInteger(n) ? n.toFixed(0) : String(Math.trunc(n));
}

export type OrgJsonValue =
  | string
  | number
  | boolean
  | null
  | OrgJsonValue[]
  | { [key: string]: OrgJsonValue };

/**
 * org.json's `toString()` (indent 0, compact) or `toString(indent)`, followed by the
 * servers' `.replace("\\/", "/")`. Object keys come out in HashMap order.
 */
export function orgJson(value: OrgJsonValue, indentFactor = 0): string {
  return write(value, indentFactor, 0);
}

function write(value: OrgJsonValue, indentFactor: number, indent: number): string {
  if (value === null) return "null";
  if (typeof value === "string") return orgQuote(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const nl = indentFactor > 0 ? "\n" : "";
  const colon = indentFactor > 0 ? ": " : ":";
  const inner = indent + indentFactor;
  if (Array.isArray(value)) {
    // org.json writes a one-element array on one line.
    if (value.length === 0) return "[]";
    if (value.length === 1) return `[${write(value[0] as OrgJsonValue, indentFactor, indent)}]`;
    const parts = value.map((v) => `${nl}${" ".repeat(inner)}${write(v, indentFactor, inner)}`);
    return `[${parts.join(",")}${nl}${" ".repeat(indent)}]`;
  }
  const keys = hashMapOrder(Object.keys(value), javaStringHash);
  if (keys.length === 0) return "{}";
  if (keys.length === 1) {
    const key = keys[0] as string;
    return `{${orgQuote(key)}${colon}${write(value[key] as OrgJsonValue, indentFactor, indent)}}`;
  }
  const parts = keys.map(
    (key) =>
      `${nl}${" ".repeat(inner)}${orgQuote(key)}${colon}${write(value[key] as OrgJsonValue, indentFactor, inner)}`,
  );
  return `{${parts.join(",")}${nl}${" ".repeat(indent)}}`;
}

/** `JSONObject.quote` (minus the `\/`, which the servers replace back). */
function orgQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\b") out += "\\b";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || (c >= 0x80 && c < 0xa0) || (c >= 0x2000 && c < 0x2100)) {
      out += `\\u${c.toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return `${out}"`;
}
