/**
 * Number, name and time formatting shared by every renderer (Slack, terminal, CSV headers).
 *
 * Everything here is pure and locale-fixed: figures must read the same in a Slack channel, a
 * terminal and an auditor's spreadsheet, whatever machine renders them.
 */
import { type LocalTime, localTime, MONTH_NAME_LIST, monthLabel } from "../months.js";
import type { Change, Direction, LicenseUsage } from "./summary.js";
import type { Crossing, MonthView, Pace } from "./view.js";

const COUNT_FORMAT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0, useGrouping: true });
const PERCENT_FORMAT = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
  useGrouping: true,
});

/**
 * Past this magnitude grouped digits stop being readable or meaningful (no server has 10^21
 * users), and their length would be unbounded; exponent notation keeps every rendered figure
 * short enough for the Slack budgets in blocks.ts.
 */
const GROUPED_LIMIT = 1e21;

/** Placeholder for a figure that is not a number at all; "no data" is decided by callers, not here. */
export const NOT_A_NUMBER = "n/a";

/**
 * `12,345,678`: en-US grouping, integers only (MAU and token counts are counts; a `144.0` from
 * OpenMetrics is 144). Fractions are rounded so an average can be shown with the same function.
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return NOT_A_NUMBER;
  const rounded = Math.round(n);
  // -0 would print as "-0" with some engines' grouping; a count is never negative zero.
  if (rounded === 0) return "0";
  if (Math.abs(rounded) >= GROUPED_LIMIT) return rounded.toExponential(3);
  return COUNT_FORMAT.format(rounded);
}

/** `+1,234` / `-56` / `0`: a difference between two counts. */
export function formatSignedCount(n: number): string {
  if (!Number.isFinite(n)) return NOT_A_NUMBER;
  const text = formatCount(n);
  return Math.round(n) > 0 ? `+${text}` : text;
}

/**
 * `12.5%`, or `+12.5%` with `signed`. One decimal: enough to see a 0.6% HyperLogLog wobble as
 * noise, not so many that an estimate looks exact. ASCII `-`, so a pasted value stays a number.
 */
export function formatPercent(percent: number, options: { readonly signed?: boolean } = {}): string {
  if (!Number.isFinite(percent)) return NOT_A_NUMBER;
  // Round first so that -0.04 shows as 0.0%, not -0.0%.
  const rounded = Math.round(percent * 10) / 10;
  const value = rounded === 0 ? 0 : rounded;
  const body = Math.abs(value) >= GROUPED_LIMIT ? value.toExponential(1) : PERCENT_FORMAT.format(value);
  return `${options.signed && value > 0 ? "+" : ""}${body}%`;
}

/**
 * "81 %" of the licensed limit: rounded down, so a month under the limit never reads as 100 %
 * (being over is said in words, see formatUsage).
 */
export function formatUsagePercent(usage: LicenseUsage): string {
  return `${Math.floor(usage.percent)} %`;
}

/** "7,950 (on Nov 2, 09:00)": last month at this point, its time in the team's time zone. */
export function formatPace(pace: Pace, timeZone: string): string {
  const t = localTime(pace.at, timeZone);
  const hh = String(t.hour).padStart(2, "0");
  const mm = String(t.minute).padStart(2, "0");
  return `${formatCount(pace.mau)} (on ${shortDay(t)}, ${hh}:${mm})`;
}

/** "Nov 2": a day in a sentence. */
function shortDay(t: LocalTime): string {
  return `${(MONTH_NAME_LIST[t.month - 1] ?? "").slice(0, 3)} ${t.day}`;
}

/** "80 % on Dec 12 (8,040 MAU), 100 % by Dec 1 (10,010 MAU)": when a month crossed its thresholds. */
export function formatCrossings(crossings: readonly Crossing[], timeZone: string): string {
  return crossings
    .map((c) => {
      const day = shortDay(localTime(c.at, timeZone));
      return `${c.threshold} % ${c.byThen ? "by" : "on"} ${day} (${formatCount(c.mau)} MAU)`;
    })
    .join(", ");
}

/** "8,123 MAU = 81 % of the licensed 10,000", and "over" when it is. */
export function formatUsage(mau: number, usage: LicenseUsage): string {
  const line = `${formatCount(mau)} MAU = ${formatUsagePercent(usage)} of the licensed ${formatCount(usage.limit)}`;
  return usage.over ? `${line}: over the limit` : line;
}

/** The arrow shown before a change; `=` rather than an arrow so "flat" never reads as a trend. */
export function directionSymbol(direction: Direction): string {
  switch (direction) {
    case "up":
      return "▲";
    case "down":
      return "▼";
    case "flat":
      return "=";
  }
}

/** `▲ +1,234 (+11.1%)`; `(from 0)` when the previous month had no users to take a percentage of. */
export function formatChange(change: Change): string {
  if (change.direction === "flat") return "= no change";
  const pct = change.percent === undefined ? "from 0" : formatPercent(change.percent, { signed: true });
  return `${directionSymbol(change.direction)} ${formatSignedCount(change.absolute)} (${pct})`;
}

/** `▲ +11.1%` for table columns: the percentage, or the absolute change when there is none. */
export function formatShortChange(change: Change | undefined): string {
  if (!change) return "";
  const amount =
    change.percent === undefined
      ? formatSignedCount(change.absolute)
      : formatPercent(change.percent, { signed: true });
  return `${directionSymbol(change.direction)} ${amount}`;
}

/**
 * Filled cells of a bar proportional to `value / max`. Any month with users gets at least one
 * cell, so a small month never looks like an empty one.
 */
export function barCells(value: number, max: number, width: number): number {
  if (!(max > 0) || !(value > 0) || !Number.isFinite(value) || !Number.isFinite(max)) return 0;
  return Math.min(width, Math.max(1, Math.round((value / max) * width)));
}

// ---------------------------------------------------------------------------------------------
// Names that come from the server
// ---------------------------------------------------------------------------------------------

/**
 * Removes what must never reach a terminal or a Slack message from server-provided text:
 * control characters (ANSI escapes could rewrite a terminal), format characters (bidi overrides
 * could make one grant type look like another), lone surrogates (invalid in the JSON sent to
 * Slack), and line breaks that would break a table row.
 */
export function cleanText(text: string): string {
  return text
    .replace(/\p{C}+/gu, " ")
    .replace(/\s+/gu, " ")
    .trim();
}

/** Length in code points: what a reader counts, and what the text tables pad by. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Shortens to at most `max` code points, ending in `…` when cut. Cuts between code points, never
 * inside a surrogate pair, so the result is always well-formed. Callers escape after truncating,
 * so an entity such as `&amp;` is never cut in half.
 */
export function truncate(text: string, max: number): string {
  if (max <= 0) return "";
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join("")}…`;
}

/**
 * Like `truncate`, but counting UTF-16 code units, as Slack's length limits are checked here:
 * an astral character (emoji, `𐀀`) is one code point but two units.
 */
export function truncateUnits(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  let out = "";
  for (const ch of text) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

const GRANT_TYPE_LABELS: ReadonlyMap<string, string> = new Map([
  ["authorization_code", "Authorization code"],
  ["client_credentials", "Client credentials"],
  ["refresh_token", "Refresh token"],
  ["implicit", "Implicit"],
  ["password", "Password"],
  ["urn:ietf:params:oauth:grant-type:uma-ticket", "UMA ticket"],
  ["urn:ietf:params:oauth:grant-type:device_code", "Device code"],
  ["urn:ietf:params:oauth:grant-type:token-exchange", "Token exchange"],
  ["urn:ietf:params:oauth:grant-type:jwt-bearer", "JWT bearer"],
  ["urn:ietf:params:oauth:grant-type:saml2-bearer", "SAML 2.0 bearer"],
  ["urn:openid:params:grant-type:ciba", "CIBA"],
]);

const TOKEN_KIND_LABELS: ReadonlyMap<string, string> = new Map([
  ["access_token", "Access"],
  ["id_token", "ID"],
  ["refresh_token", "Refresh"],
  ["uma_token", "UMA"],
]);

/** `my-custom_grant` → `My custom grant`; empty when nothing readable is left. */
function humanise(segment: string): string {
  const words = segment
    .replace(/[-_.+]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return words ? `${words.charAt(0).toUpperCase()}${words.slice(1)}` : "";
}

/** The last non-empty segment of a URN or URL-like name: what distinguishes it from its siblings. */
function lastSegment(name: string): string {
  const segments = name.split(/[:/#]/).filter((s) => s.trim() !== "");
  return segments[segments.length - 1] ?? "";
}

/**
 * A readable name for a grant type as the server names it. Known ones come from a table; an
 * unknown URN is named by its last segment; anything else is humanised. Never empty: a grant
 * type with no readable characters still needs a row label.
 */
export function grantTypeLabel(grantType: string): string {
  const known = GRANT_TYPE_LABELS.get(grantType);
  if (known) return known;
  const cleaned = cleanText(grantType);
  return humanise(lastSegment(cleaned)) || cleaned || "Unnamed grant type";
}

/** `access_token` → `Access`; an unknown kind drops its `_token` suffix and is humanised. */
export function tokenKindLabel(kind: string): string {
  const known = TOKEN_KIND_LABELS.get(kind);
  if (known) return known;
  const cleaned = cleanText(kind);
  return humanise(cleaned.replace(/[-_]token$/i, "")) || cleaned || "Unnamed token kind";
}

/**
 * Labels for a set of grant types, unique within the set: when two raw names read the same
 * (`device_code` and the device-code URN both become "Device code"), each gets its raw name in
 * parentheses, so a reader can tell the rows apart.
 */
export function grantTypeLabels(grantTypes: readonly string[]): ReadonlyMap<string, string> {
  const byLabel = new Map<string, string[]>();
  for (const g of grantTypes) {
    const label = grantTypeLabel(g);
    const same = byLabel.get(label);
    if (same) same.push(g);
    else byLabel.set(label, [g]);
  }
  const out = new Map<string, string>();
  for (const [label, raws] of byLabel) {
    for (const raw of raws) {
      out.set(raw, raws.length > 1 ? `${label} (${cleanText(raw) || "empty name"})` : label);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

const instantFormats = new Map<string, Intl.DateTimeFormat>();

/** Cached per zone: building a formatter costs far more than using one. */
function instantFormat(timeZone: string): Intl.DateTimeFormat {
  const cached = instantFormats.get(timeZone);
  if (cached) return cached;
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  });
  instantFormats.set(timeZone, f);
  return f;
}

/**
 * `Dec 2, 2021, 10:04 GMT+1`: when figures were fetched, in the team's time zone. An invalid
 * zone falls back to UTC rather than failing a whole report over a footnote.
 */
export function formatInstant(ms: number, timeZone: string): string {
  if (!Number.isFinite(ms)) return "an unknown time";
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return "an unknown time";
  try {
    return instantFormat(timeZone).format(date);
  } catch {
    return instantFormat("UTC").format(date);
  }
}

/** "December 2026, day 2 of 31" for the month in progress; the month's name otherwise. */
export function monthTitle(view: Pick<MonthView, "month" | "current" | "progress">): string {
  const name = monthLabel(view.month);
  if (!view.current) return name;
  return view.progress ? `${name}, day ${view.progress.day} of ${view.progress.days}` : `${name} (so far)`;
}

/** A file attached to a summary, as the history names it. */
export const FILE_LABEL = { chart: "chart (PNG)", csv: "billing export (CSV)" } as const;

/** What the sum row is called: it adds separate servers, it does not count people. */
export function sumLabel(servers: number): string {
  return `Sum of ${servers} separate servers`;
}

export const SUM_NOTE =
  "The sum adds each server's own count: a person who signs in on two servers is counted on both.";
