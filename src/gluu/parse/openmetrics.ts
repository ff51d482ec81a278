/**
 * `format=openmetrics`: the Prometheus text exposition format 0.0.4 as the Java simpleclient
 * writes it (`TextFormat.write004`), read by a small tokenizer rather than per-line regexes
 * because a label set may span lines (the seed documentation shows `...,\n} 0.0`).
 *
 * Rules beyond the specification, each chosen so a wrong figure is never reported silently:
 * - Counted samples are `monthly_active_users{month}` and `<kind>{month, grantType}`, with an
 *   optional `_total` suffix (newer Java clients); `<name>_created` samples are ignored. Any
 *   family with both labels is a token kind and kept under its name (e.g. `device_token`);
 *   other samples are ignored. A standard kind without those labels is an error.
 * - A counted value that is NaN, infinite or negative is an error, not a skipped sample:
 *   skipping would turn a broken figure into 0 or into "no data". `-0.0` equals 0 and is
 *   accepted. Values are doubles and are rounded to integers; above 2^53 they are already
 *   imprecise on the server's side, far below the MAU estimate's own error.
 * - The server writes `monthly_active_users` for every month it has entries, so a month that
 *   only has token samples means an incomplete body and is an error, as is a sample repeated.
 * - The last sample must end with a line feed, as the specification requires and the Java
 *   writer always does: a body cut inside a number (`14` of `144.0`) would otherwise parse.
 * - Timestamps (int64 ms, or OpenMetrics float seconds) and `# {...}` exemplars are skipped.
 *   Go's hexadecimal float notation is not accepted: no Java writer produces it.
 */
import type { Month } from "../../months.js";
import { compareMonths, isoMonth, parseMonthKey } from "../../months.js";
import { GluuError } from "../errors.js";
import type { GrantType, MonthStats, TokenCounts } from "../model.js";
import { STANDARD_TOKEN_KINDS, tokenCounts } from "../model.js";
import { quoteExcerpt } from "./json.js";

/** One sample line: `name{labels} value [timestamp]`. */
export interface Sample {
  readonly name: string;
  /** Label name → unescaped value; empty when the sample has no label set. */
  readonly labels: ReadonlyMap<string, string>;
  /** As written: NaN and ±Infinity included. */
  readonly value: number;
  /** Offset of the sample's first character, for error messages. */
  readonly at: number;
}

const LF = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const EQUALS = 61;
const LBRACE = 123;
const RBRACE = 125;

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;
const NAN = /^nan$/i;

const MAU_FAMILY = "monthly_active_users";
const STANDARD_KINDS: ReadonlySet<string> = new Set(STANDARD_TOKEN_KINDS);

function isBlank(c: number): boolean {
  // CR counts as a blank so CRLF bodies read like LF ones.
  return c === SPACE || c === TAB || c === CR;
}

function isNameStart(c: number, metric: boolean): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (metric && c === 58);
}

function isNameChar(c: number, metric: boolean): boolean {
  return isNameStart(c, metric) || (c >= 48 && c <= 57);
}

/** Go's strconv.ParseFloat, minus hexadecimal floats; undefined when not a number. */
export function parseGoFloat(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  const inf = INFINITY.exec(token);
  if (inf) return inf[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (NAN.test(token)) return Number.NaN;
  return undefined;
}

/** Server-chosen names go into messages shortened, so a message never carries much of a body. */
function shortName(name: string): string {
  return name.length > 30 ? `${name.slice(0, 30)}…` : name;
}

function lineAndColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < at; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: at - lineStart + 1 };
}

function lineNumber(text: string, at: number): number {
  return lineAndColumn(text, at).line;
}

function syntaxError(text: string, at: number, problem: string): GluuError {
  const { line, column } = lineAndColumn(text, at);
  const lineEnd = text.indexOf("\n", at);
  const rest = text.slice(at, lineEnd === -1 ? text.length : lineEnd);
  const near = at >= text.length ? "at the end of the body" : `near ${quoteExcerpt(rest, 0, 40)}`;
  return new GluuError(
    "bad_response",
    `The OpenMetrics statistics response could not be read at line ${line}, column ${column}: ${problem} (${near}). ` +
      "It may have been cut off or changed on the way; try again, and if it persists report it with the server version.",
  );
}

function contentError(text: string, at: number, problem: string): GluuError {
  return new GluuError(
    "bad_response",
    `The OpenMetrics statistics response is unusable at line ${lineNumber(text, at)}: ${problem}. ` +
      "Try again; if it persists, report it with the server version.",
  );
}

/**
 * Tokenizes a text exposition into its samples; comments and blank lines are skipped. Throws
 * GluuError("bad_response") naming the line and column of the first syntax error.
 */
export function readSamples(text: string): Sample[] {
  const end = text.length;
  const samples: Sample[] = [];
  // The one cursor every reader below advances.
  let pos = 0;

  const fail = (at: number, problem: string): GluuError => syntaxError(text, at, problem);
  const skipBlanks = (): void => {
    while (pos < end && isBlank(text.charCodeAt(pos))) pos++;
  };
  // Inside `{...}` line feeds separate tokens too: that is how the seed sample is broken.
  const skipSpace = (): void => {
    while (pos < end) {
      const c = text.charCodeAt(pos);
      if (!isBlank(c) && c !== LF) break;
      pos++;
    }
  };
  const skipLine = (): void => {
    const lf = text.indexOf("\n", pos);
    pos = lf === -1 ? end : lf;
  };
  /** Reads a metric or label name; "" when none starts here. */
  const readName = (metric: boolean): string => {
    const start = pos;
    if (pos < end && isNameStart(text.charCodeAt(pos), metric)) {
      pos++;
      while (pos < end && isNameChar(text.charCodeAt(pos), metric)) pos++;
    }
    return text.slice(start, pos);
  };
  /** Reads up to the next blank or line feed. */
  const readToken = (): string => {
    const start = pos;
    while (pos < end) {
      const c = text.charCodeAt(pos);
      if (isBlank(c) || c === LF) break;
      pos++;
    }
    return text.slice(start, pos);
  };

  /** Reads a quoted label value, the cursor on its opening quote. */
  const readLabelValue = (): string => {
    const open = pos;
    let chunkStart = pos + 1;
    // Pieces are collected and joined once: no quadratic concatenation on long values.
    let pieces: string[] | undefined;
    for (let i = chunkStart; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        pos = i + 1;
        const last = text.slice(chunkStart, i);
        return pieces === undefined ? last : `${pieces.join("")}${last}`;
      }
      if (c === LF) throw fail(i, 'a line break inside a label value (the format writes it as "\\n")');
      if (c === BACKSLASH) {
        const next = text.charCodeAt(i + 1);
        const unescaped = next === BACKSLASH ? "\\" : next === QUOTE ? '"' : next === 110 ? "\n" : undefined;
        if (unescaped === undefined) {
          if (i + 1 >= end) break;
          throw fail(i, `an unknown escape "\\${text[i + 1]}" in a label value`);
        }
        pieces ??= [];
        pieces.push(text.slice(chunkStart, i), unescaped);
        i++;
        chunkStart = i + 1;
      }
    }
    throw fail(end, `the body ends inside the label value that starts at line ${lineNumber(text, open)}`);
  };

  /** Reads `{name="value",...}`, the cursor on `{`. */
  const readLabels = (): Map<string, string> => {
    const open = pos;
    const labels = new Map<string, string>();
    // Built only on failure: counting lines for every label set would make parsing quadratic.
    const unclosed = (): string => `in the label set opened at line ${lineNumber(text, open)}`;
    pos++;
    skipSpace();
    while (text.charCodeAt(pos) !== RBRACE) {
      if (pos >= end) throw fail(pos, `the body ends ${unclosed()}`);
      const name = readName(false);
      if (name === "") throw fail(pos, `expected a label name or "}" ${unclosed()}`);
      skipSpace();
      if (text.charCodeAt(pos) !== EQUALS) throw fail(pos, 'expected "=" after a label name');
      pos++;
      skipSpace();
      if (text.charCodeAt(pos) !== QUOTE) throw fail(pos, "expected a quoted label value");
      if (labels.has(name)) throw fail(pos, "a label name appears twice in one sample");
      labels.set(name, readLabelValue());
      skipSpace();
      const c = text.charCodeAt(pos);
      if (c === COMMA) {
        // A trailing comma before "}" is allowed: the Java writer puts one after every label.
        pos++;
        skipSpace();
      } else if (c !== RBRACE) {
        throw fail(pos, pos >= end ? `the body ends ${unclosed()}` : `expected "," or "}" ${unclosed()}`);
      }
    }
    pos++;
    return labels;
  };

  const noLabels: ReadonlyMap<string, string> = new Map();

  while (pos < end) {
    skipBlanks();
    if (pos >= end) break;
    const first = text.charCodeAt(pos);
    if (first === LF) {
      pos++;
      continue;
    }
    if (first === HASH) {
      // HELP, TYPE and any other comment: the families are recognised by their sample names.
      skipLine();
      continue;
    }

    const at = pos;
    const name = readName(true);
    if (name === "") throw fail(pos, "expected a metric name, a comment or a blank line");
    const nameEnd = pos;
    skipBlanks();

    let labels = noLabels;
    if (text.charCodeAt(pos) === LBRACE) {
      labels = readLabels();
      skipBlanks();
    } else if (pos === nameEnd) {
      throw fail(pos, 'expected a space or "{" after the metric name');
    }

    const valueAt = pos;
    const valueToken = readToken();
    if (valueToken === "") throw fail(valueAt, "expected a value");
    const value = parseGoFloat(valueToken);
    if (value === undefined) throw fail(valueAt, "the value is not a number");
    skipBlanks();

    if (pos < end && text.charCodeAt(pos) !== LF && text.charCodeAt(pos) !== HASH) {
      const stampAt = pos;
      if (!DECIMAL.test(readToken())) throw fail(stampAt, "expected a timestamp or the end of the line");
      skipBlanks();
    }
    // An OpenMetrics exemplar (`# {trace_id="..."} 1.0`) annotates the sample; it is not data.
    if (pos < end && text.charCodeAt(pos) === HASH) skipLine();
    if (pos >= end) throw fail(pos, "the last line has no line feed, so the body looks cut off");
    if (text.charCodeAt(pos) !== LF) throw fail(pos, "expected the end of the line");
    pos++;

    samples.push({ name, labels, value, at });
  }
  return samples;
}

interface MonthEntry {
  readonly month: Month;
  mau: number | undefined;
  readonly tokens: Map<GrantType, Map<string, number>>;
}

/**
 * Parses a text exposition of the statistics endpoint. Months come back in calendar order;
 * months the server has no data for are absent. Throws GluuError("bad_response").
 */
export function parseOpenMetricsStats(body: string): MonthStats[] {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  if (text.trim() === "") {
    // The Java writer prints HELP and TYPE lines even with no months, so empty is not "no data".
    throw new GluuError(
      "bad_response",
      "The statistics endpoint sent an empty response. Try again; if it persists, check the server logs.",
    );
  }

  // Keyed by the label as written: a valid label is exactly its month's yyyyMM key.
  const months = new Map<string, MonthEntry>();
  const entryFor = (sample: Sample, label: string): MonthEntry => {
    const known = months.get(label);
    if (known !== undefined) return known;
    const month = parseMonthKey(label);
    if (month === undefined) {
      throw contentError(
        text,
        sample.at,
        `the month label ${quoteExcerpt(label, 0, 20)} is not in yyyyMM form`,
      );
    }
    const entry: MonthEntry = { month, mau: undefined, tokens: new Map() };
    months.set(label, entry);
    return entry;
  };
  // `what` is a function so the description is only built for an error, not for every sample.
  const countOf = (sample: Sample, what: () => string): number => {
    const v = sample.value;
    if (!Number.isFinite(v) || v < 0) {
      throw contentError(text, sample.at, `${what()} is ${String(v)}, which is not a count`);
    }
    // Math.abs turns -0 (from "-0.0") into 0.
    return Math.abs(Math.round(v));
  };

  for (const sample of readSamples(text)) {
    if (sample.name.endsWith("_created")) continue;
    const family = sample.name.endsWith("_total") ? sample.name.slice(0, -"_total".length) : sample.name;
    const monthLabel = sample.labels.get("month");

    if (family === MAU_FAMILY) {
      if (monthLabel === undefined) {
        throw contentError(text, sample.at, `${shortName(sample.name)} has no month label`);
      }
      const entry = entryFor(sample, monthLabel);
      const what = (): string => `${MAU_FAMILY} for ${isoMonth(entry.month)}`;
      if (entry.mau !== undefined) throw contentError(text, sample.at, `${what()} appears twice`);
      entry.mau = countOf(sample, what);
      continue;
    }

    const grant = sample.labels.get("grantType");
    if (monthLabel === undefined || grant === undefined) {
      if (STANDARD_KINDS.has(family)) {
        throw contentError(text, sample.at, `${shortName(sample.name)} lacks the month or grantType label`);
      }
      continue;
    }
    const entry = entryFor(sample, monthLabel);
    let kinds = entry.tokens.get(grant);
    if (kinds === undefined) {
      kinds = new Map();
      entry.tokens.set(grant, kinds);
    }
    const what = (): string =>
      `${shortName(family)} for grant type ${quoteExcerpt(grant, 0, 40)} in ${isoMonth(entry.month)}`;
    if (kinds.has(family)) throw contentError(text, sample.at, `${what()} appears twice`);
    kinds.set(family, countOf(sample, what));
  }

  const out: MonthStats[] = [];
  for (const entry of months.values()) {
    if (entry.mau === undefined) {
      throw new GluuError(
        "bad_response",
        `The OpenMetrics statistics response has token counts for ${isoMonth(entry.month)} but no ` +
          `${MAU_FAMILY}, so it looks incomplete. Try again; if it persists, report it with the server version.`,
      );
    }
    const tokens = new Map<GrantType, TokenCounts>();
    for (const [grant, kinds] of entry.tokens) tokens.set(grant, tokenCounts(Object.fromEntries(kinds)));
    out.push({ month: entry.month, mau: entry.mau, tokens: Object.fromEntries(tokens) });
  }
  return out.sort((a, b) => compareMonths(a.month, b.month));
}
