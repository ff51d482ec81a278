/**
 * The command grammar shared by the Slack `/gluu-stats` command, its buttons and the CLI: the one
 * place where text becomes a Query.
 *
 * The grammar is a few anchored regexes over normalised text rather than a parser library. It is
 * small, each form can be read next to the usage text that documents it, and no pattern can
 * backtrack badly on the (length-capped) input.
 *
 * Everything is relative to a clock passed in: "current month", "last", `nov` and "future" all
 * depend on it, and a parameter keeps the parser pure and testable at any instant.
 */
import { z } from "zod";
import type { Month } from "../months.js";
import {
  compareMonths,
  isoMonth,
  isValidTimeZone,
  MIN_YEAR,
  MONTH_NAME_LIST,
  monthAt,
  monthLabel,
  monthsBetween,
  sameMonth,
  tryAddMonths,
  tryMonth,
} from "../months.js";
import type { FileRequest, ParsedCommand, ParseResult, Query } from "./types.js";
import { MAX_RANGE_MONTHS, TREND_MONTHS } from "./types.js";
import { USAGE } from "./usage.js";

/** Longer input is refused before any other work, so the cost of a parse is bounded. */
export const MAX_INPUT_LENGTH = 200;

/** How much of the user's text an error message echoes back. */
const QUOTE_LENGTH = 40;

export interface ParseOptions {
  /** The clock, in ms since the epoch. */
  readonly now: number;
  /** IANA time zone in which the current month is reckoned, e.g. `UTC` or `Pacific/Auckland`. */
  readonly timeZone: string;
  /** Servers a first word may name (GLUU_SERVERS, those the person may see); none: one server. */
  readonly servers?: readonly string[];
}

// The options come from code and configuration, not from users: a bad value is a bug to surface
// loudly, so this is the one thing in the module allowed to throw.
const optionsSchema = z.object({
  now: z.number(),
  timeZone: z.string().refine(isValidTimeZone, { message: "not a valid IANA time zone" }),
  servers: z.array(z.string()).readonly().optional(),
});

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };
type Failure = { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = (message: string): Failure => ({ ok: false, message });

/** One side of a command before the clock is applied: a month name on its own still lacks a year. */
type Spec =
  | { readonly kind: "month"; readonly month: Month }
  | { readonly kind: "year"; readonly year: number }
  | { readonly kind: "name"; readonly monthOfYear: number };

const HELP_WORDS = new Set(["help", "?", "usage"]);
const TREND_WORDS = new Set(["trend", "12m", "12 months", "last 12 months"]);
const RELATIVE_WORDS = new Map<string, number>([
  ["current", 0],
  ["this month", 0],
  ["last", -1],
  ["last month", -1],
  ["previous", -1],
  ["previous month", -1],
  ["prev", -1],
]);

/** Full names, three-letter abbreviations and `sept`, lower case, to month of year. */
const MONTH_BY_NAME: ReadonlyMap<string, number> = new Map([
  ...MONTH_NAME_LIST.map((name, i) => [name.toLowerCase(), i + 1] as const),
  ...MONTH_NAME_LIST.map((name, i) => [name.slice(0, 3).toLowerCase(), i + 1] as const),
  ["sept", 9],
]);

/** Whether `word` names a month (`may`, `dec`, `sept`): a command's first word cannot be a server then. */
export function isMonthName(word: string): boolean {
  return MONTH_BY_NAME.has(word.toLowerCase());
}

/**
 * The single-month forms, tried in order. A year always has four digits, which is what keeps
 * `11/2021` and `2021/11` apart; a bare `20211` is refused rather than guessed at.
 */
const MONTH_FORMS: readonly RegExp[] = [
  /^(?<year>\d{4})[-/. ](?<month>\d{1,2})$/, // 2021-11, 2021/11, 2021-1
  /^(?<year>\d{4})(?<month>\d{2})$/, // 202111, the server's own form
  /^(?<month>\d{1,2})[-/. ](?<year>\d{4})$/, // 11/2021, 11-2021
  /^(?<name>[a-z]+)\.?[ ,/-]*(?<year>\d{4})$/, // nov 2021, November 2021, nov-2021, Sept. 2021
  /^(?<year>\d{4})[ ,/-]*(?<name>[a-z]+)$/, // 2021 nov
  /^(?<year>\d{4})$/, // a whole year
  /^(?<name>[a-z]+)\.?$/, // nov: the most recent November
];

// `..` (or an ellipsis, which NFKC turns into `...`), a word, or a dash with spaces round it: an
// unspaced `-` belongs to the month forms (`2021-11`, `nov-2021`).
const RANGE_SEPARATOR = /\s*\.{2,3}\s*|\s+(?:to|through|thru|until)\s+|\s+-\s+/;

/** Which queries a trailing `public` makes sense for: the rest are replies to one person or posts. */
const CAN_BE_PUBLIC: Readonly<Record<Query["kind"], boolean>> = {
  month: true,
  range: true,
  trend: true,
  export: true,
  help: false,
  history: false,
  post: false,
  curve: true,
  compare: true,
};

/**
 * Parses the text of a `/gluu-stats` command, a button value or CLI arguments.
 *
 * Never throws on any text: every problem becomes `ok: false` with a one-sentence message and
 * the usage. Throws only on invalid `opts`, which is a programming or configuration error.
 */
export function parseCommand(text: string, opts: ParseOptions): ParseResult {
  const { now, timeZone, servers } = optionsSchema.parse(opts);
  const current = monthAt(now, timeZone);
  if (text.length > MAX_INPUT_LENGTH) {
    return failure(
      `That command is ${text.length} characters long; keep it to ${MAX_INPUT_LENGTH} or fewer.`,
    );
  }
  const normalised = normalise(text);
  // The first word may name a server: `staging 2021-11`, `prod trend`.
  const [first = "", ...rest] = normalised.split(" ");
  const server = servers?.includes(first) ? first : undefined;
  const outcome = parseNormalised(server ? rest.join(" ") : normalised, current);
  if (!outcome.ok) return failure(outcome.message);
  if (server && outcome.value.query.kind === "compare") {
    return failure(`“all” compares every server; leave out “${server}”: \`/gluu-stats all\`.`);
  }
  return { ok: true, command: server ? { ...outcome.value, server } : outcome.value };
}

/**
 * The canonical text of a query: parseCommand gives the same query back (used as Slack button
 * values). `trend` and `export` carry no months, and the current month is the empty command, so
 * those follow the clock at the time they are parsed again.
 */
export function formatQuery(q: Query): string {
  switch (q.kind) {
    case "month":
      return q.current ? "" : isoMonth(q.month);
    case "range":
      return `${isoMonth(q.from)}..${isoMonth(q.to)}`;
    case "post":
      return `post ${isoMonth(q.month)}`;
    case "trend":
    case "export":
    case "help":
    case "history":
      return q.kind;
    case "curve":
      return "month-curve";
    case "compare":
      return `all ${isoMonth(q.month)}`;
  }
}

/** formatQuery plus the file and the `public` flag: the full canonical command. */
export function formatCommand(c: ParsedCommand): string {
  const query = formatQuery(c.query);
  const text = c.file ? `${query} ${c.file}`.trim() : query;
  const withPublic = !c.public ? text : text === "" ? "public" : `${text} public`;
  return c.server ? `${c.server} ${withPublic}`.trim() : withPublic;
}

function failure(message: string): ParseResult {
  return { ok: false, message, usage: USAGE };
}

function normalise(text: string): string {
  return (
    text
      // Full-width digits and letters, the ellipsis, no-break spaces: what phones and IMEs send.
      .normalize("NFKC")
      .toLowerCase()
      // En and em dashes are how people write a span of months.
      .replace(/[\u2012-\u2015]/g, "..")
      .replace(/\s+/g, " ")
      .trim()
  );
}

function parseNormalised(text: string, current: Month): Outcome<ParsedCommand> {
  const first = takePublic(text === "" ? [] : text.split(" "));
  const { rest: beforeFile, file } = takeFile(first.rest);
  // `export public csv` and `export csv public` mean the same.
  const second =
    first.isPublic || !file ? { rest: beforeFile, isPublic: first.isPublic } : takePublic(beforeFile);
  const { rest, isPublic } = second;
  const query = parseQuery(rest.join(" "), current);
  if (!query.ok) return query;
  if (isPublic && !CAN_BE_PUBLIC[query.value.kind]) {
    return fail(`“public” does not go with ${query.value.kind}; leave it off.`);
  }
  if (file) {
    const misfit = fileMisfit(file, query.value.kind);
    if (misfit) return fail(misfit);
    return ok({ query: query.value, public: isPublic, file });
  }
  return ok({ query: query.value, public: isPublic });
}

/** `csv` at the end asks for the export as a file; `chart` (or `png`) for a series drawn as one. */
function takeFile(words: readonly string[]): { rest: readonly string[]; file?: FileRequest } {
  const last = words.at(-1);
  if (last === "csv") return { rest: words.slice(0, -1), file: "csv" };
  if (last === "chart" || last === "png") return { rest: words.slice(0, -1), file: "chart" };
  return { rest: words };
}

/** Why this file does not go with this question; undefined when it does. */
function fileMisfit(file: FileRequest, kind: Query["kind"]): string | undefined {
  if (file === "csv") {
    return kind === "export" ? undefined : "“csv” goes with the billing export: `/gluu-stats export csv`.";
  }
  return kind === "trend" || kind === "range"
    ? undefined
    : "“chart” draws several months: `/gluu-stats trend chart`, `/gluu-stats 2021 chart` or `/gluu-stats 2021-01..2021-06 chart`.";
}

/** The usage puts `public` last, but `public 2021-11` is just as unambiguous, so either end counts. */
function takePublic(words: readonly string[]): { rest: readonly string[]; isPublic: boolean } {
  if (words.at(-1) === "public") return { rest: words.slice(0, -1), isPublic: true };
  if (words[0] === "public") return { rest: words.slice(1), isPublic: true };
  return { rest: words, isPublic: false };
}

function parseQuery(text: string, current: Month): Outcome<Query> {
  if (text === "") return ok(monthQuery(current, current));
  if (HELP_WORDS.has(text)) return ok({ kind: "help" });
  if (text === "history") return ok({ kind: "history" });
  if (text === "month-curve" || text === "curve") return ok({ kind: "curve" });
  if (TREND_WORDS.has(text)) return lastTwelve("trend", current);
  if (text === "export") return lastTwelve("export", current);
  if (text === "post" || text.startsWith("post ")) return parsePost(text.slice(4).trim(), current);
  if (text === "all" || text.startsWith("all ")) return parseCompare(text.slice(3).trim(), current);

  const range = splitRange(text);
  if (range === "malformed") return fail(MALFORMED_RANGE);
  if (range) return parseRange(range.from, range.to, current);

  const spec = parseSpec(text, current);
  return spec.ok ? resolveSingle(spec.value, current) : spec;
}

/** `all`, `all 2021-11`, `all nov`, `all current`: one month, by default the previous one. */
function parseCompare(arg: string, current: Month): Outcome<Query> {
  const single = oneMonth(arg, current, COMPARE_ONE_MONTH);
  return single.ok ? ok({ kind: "compare", ...single.value }) : single;
}

function parsePost(arg: string, current: Month): Outcome<Query> {
  const single = oneMonth(arg, current, POST_ONE_MONTH);
  return single.ok ? ok({ kind: "post", month: single.value.month }) : single;
}

/** The one month `post` and `all` take: the previous month when none is given; `refusal` for a year or range. */
function oneMonth(
  arg: string,
  current: Month,
  refusal: string,
): Outcome<{ readonly month: Month; readonly current: boolean }> {
  if (arg === "") {
    const previous = tryAddMonths(current, -1);
    return previous ? ok({ month: previous, current: false }) : fail(tooEarly());
  }
  if (splitRange(arg) !== undefined) return fail(refusal);
  const spec = parseSpec(arg, current);
  if (!spec.ok) return spec;
  if (spec.value.kind === "year") return fail(refusal);
  const single = resolveSingle(spec.value, current);
  if (!single.ok) return single;
  // resolveSingle gives a month for anything but a year, which was refused above.
  return single.value.kind === "month"
    ? ok({ month: single.value.month, current: single.value.current })
    : fail(refusal);
}

function lastTwelve(kind: "trend" | "export", current: Month): Outcome<Query> {
  const to = tryAddMonths(current, -1);
  const from = to && tryAddMonths(to, -(TREND_MONTHS - 1));
  if (!to || !from) {
    return fail(
      `There are not yet ${TREND_MONTHS} complete months since January ${MIN_YEAR}; ask for a range instead.`,
    );
  }
  return ok({ kind, from, to });
}

function splitRange(text: string): { from: string; to: string } | "malformed" | undefined {
  const parts = text.replace(/^from /, "").split(RANGE_SEPARATOR);
  if (parts.length === 1) return undefined;
  const [from, to] = parts;
  if (parts.length > 2 || !from || !to) return "malformed";
  return { from, to };
}

/** Parses one side of a command: a month in any form, a year, a bare month name or `last`. */
function parseSpec(text: string, current: Month): Outcome<Spec> {
  const relative = RELATIVE_WORDS.get(text);
  if (relative !== undefined) {
    const m = tryAddMonths(current, relative);
    return m ? ok({ kind: "month", month: m }) : fail(tooEarly());
  }
  for (const form of MONTH_FORMS) {
    const groups = form.exec(text)?.groups;
    if (groups) return specFromParts(text, groups);
  }
  return fail(notUnderstood(text));
}

function specFromParts(text: string, parts: Record<string, string | undefined>): Outcome<Spec> {
  let monthOfYear: number | undefined;
  if (parts.name !== undefined) {
    monthOfYear = MONTH_BY_NAME.get(parts.name);
    if (monthOfYear === undefined) return fail(notUnderstood(text));
  } else if (parts.month !== undefined) {
    monthOfYear = Number(parts.month);
    if (monthOfYear < 1 || monthOfYear > 12) {
      return fail(`There is no month ${monthOfYear} in ${quote(text)}; months run from 1 to 12.`);
    }
  }
  if (parts.year === undefined) {
    return monthOfYear === undefined ? fail(notUnderstood(text)) : ok({ kind: "name", monthOfYear });
  }
  const year = Number(parts.year);
  if (year < MIN_YEAR) return fail(tooEarly(text));
  if (monthOfYear === undefined) return ok({ kind: "year", year });
  // Four digits and 1..12 were both checked above, so this cannot miss; the guard is for the type.
  const m = tryMonth(year, monthOfYear);
  return m ? ok({ kind: "month", month: m }) : fail(notUnderstood(text));
}

function resolveSingle(spec: Spec, current: Month): Outcome<Query> {
  const future = checkNotFuture(spec, current);
  if (future) return future;
  switch (spec.kind) {
    case "month":
      return ok(monthQuery(spec.month, current));
    case "year":
      return rangeQuery(januaryOf(spec.year), endOfYear(spec.year, current), current);
    case "name": {
      const m = latestNamed(spec.monthOfYear, current);
      return m ? ok(monthQuery(m, current)) : fail(tooEarly());
    }
  }
}

/**
 * A bare month name in a range takes the year that makes the range run forwards: `jan 2021 to
 * jun` ends in June 2021, `nov to feb` starts in the November before the latest February.
 */
function parseRange(fromText: string, toText: string, current: Month): Outcome<Query> {
  const fromSpec = parseSpec(fromText, current);
  if (!fromSpec.ok) return fromSpec;
  const toSpec = parseSpec(toText, current);
  if (!toSpec.ok) return toSpec;
  const future = checkNotFuture(fromSpec.value, current) ?? checkNotFuture(toSpec.value, current);
  if (future) return future;

  const start = concreteStart(fromSpec.value);
  let to: Month | undefined;
  switch (toSpec.value.kind) {
    case "month":
      to = toSpec.value.month;
      break;
    case "year":
      to = endOfYear(toSpec.value.year, current);
      break;
    case "name":
      to = start
        ? firstNamedFrom(toSpec.value.monthOfYear, start)
        : latestNamed(toSpec.value.monthOfYear, current);
      break;
  }
  // Only a name after a start in December 9999 has no next occurrence: that is the future too.
  if (!to)
    return fail(
      `${quote(toText)} is in the future; the latest month with figures is ${monthLabel(current)}.`,
    );
  const from =
    start ?? (fromSpec.value.kind === "name" ? latestNamed(fromSpec.value.monthOfYear, to) : undefined);
  if (!from) return fail(tooEarly());
  const futureEnd = checkNotFuture({ kind: "month", month: to }, current);
  if (futureEnd) return futureEnd;
  return rangeQuery(from, to, current);
}

/** The checks every range shares, including the one a year becomes; one month is a month query. */
function rangeQuery(from: Month, to: Month, current: Month): Outcome<Query> {
  const count = monthsBetween(from, to);
  if (count < 1) {
    return fail(
      `That range runs backwards, from ${monthLabel(from)} to ${monthLabel(to)}; put the earlier month first.`,
    );
  }
  if (count > MAX_RANGE_MONTHS) {
    return fail(`That range covers ${count} months; ask for at most ${MAX_RANGE_MONTHS} at a time.`);
  }
  if (count === 1) return ok(monthQuery(from, current));
  return ok({ kind: "range", from, to });
}

function monthQuery(m: Month, current: Month): Query {
  return { kind: "month", month: m, current: sameMonth(m, current) };
}

function checkNotFuture(spec: Spec, current: Month): Failure | undefined {
  const latest = `the latest month with figures is ${monthLabel(current)}.`;
  if (spec.kind === "month" && compareMonths(spec.month, current) > 0) {
    return fail(`${monthLabel(spec.month)} is in the future; ${latest}`);
  }
  if (spec.kind === "year" && spec.year > current.year) {
    return fail(`${spec.year} is in the future; ${latest}`);
  }
  return undefined;
}

function concreteStart(spec: Spec): Month | undefined {
  switch (spec.kind) {
    case "month":
      return spec.month;
    case "year":
      return januaryOf(spec.year);
    case "name":
      return undefined;
  }
}

function januaryOf(year: number): Month {
  return { year, month: 1 };
}

/** December, or the current month for the current year: a year so far. */
function endOfYear(year: number, current: Month): Month {
  return year === current.year ? current : { year, month: 12 };
}

/** The latest month with this name at or before `limit`; undefined before MIN_YEAR. */
function latestNamed(monthOfYear: number, limit: Month): Month | undefined {
  return tryMonth(monthOfYear <= limit.month ? limit.year : limit.year - 1, monthOfYear);
}

/** The first month with this name at or after `start`; undefined after MAX_YEAR. */
function firstNamedFrom(monthOfYear: number, start: Month): Month | undefined {
  return tryMonth(monthOfYear >= start.month ? start.year : start.year + 1, monthOfYear);
}

const MALFORMED_RANGE = "A range needs one month on each side, e.g. `2021-01..2021-06`.";
const POST_ONE_MONTH = "`post` takes a single month, e.g. `post 2021-11`.";
const COMPARE_ONE_MONTH = "`all` compares the servers for a single month, e.g. `all 2021-11`.";

function tooEarly(text?: string): string {
  const what = text === undefined ? "That" : quote(text);
  return `${what} is before January ${MIN_YEAR}, the earliest month with figures; pick a later month.`;
}

function notUnderstood(text: string): string {
  const quoted = quote(text);
  const what = quoted === "“”" ? "that" : quoted;
  return `I didn't understand ${what}; try a month such as \`2021-11\`, a range such as \`2021-01..2021-06\`, or \`help\`.`;
}

/**
 * The user's text as an error message may echo it. It is shown in Slack mrkdwn, where `<`, `>`
 * and `&` start links, mentions and entities and a backtick opens code; control and format
 * characters (bidi overrides among them) could garble the message. Dropping them all is enough
 * for an echo. Truncated by code point so a surrogate pair is never split.
 */
function quote(text: string): string {
  const cleaned = text
    .replace(/[<>&`\p{C}]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
  const chars = Array.from(cleaned);
  const shown = chars.length > QUOTE_LENGTH ? `${chars.slice(0, QUOTE_LENGTH - 1).join("")}…` : cleaned;
  return `“${shown}”`;
}
