/**
 * The JSON shapes of the statistics endpoint:
 *
 * - Gluu 4.x: `{"response": {"202111": {monthly_active_users, token_count_per_granttype}}}`
 * - Janssen `format=jsonmonth`: the same map, each item also carrying `"month": "202111"`
 * - Janssen default: `{"response": [{"month": "202111", monthly_active_users, ...}]}`
 *
 * Objects are read into Maps (see `toMaps`) rather than plain objects because grant types and
 * token kinds are server-chosen names: a name such as `__proto__` must survive as data instead
 * of being dropped or touching a prototype.
 */
import { z } from "zod";
import type { Month, MonthKey } from "../../months.js";
import { compareMonths, isoMonth, monthKey, parseMonthKey } from "../../months.js";
import { GluuError } from "../errors.js";
import type { GrantType, MonthStats, TokenCounts } from "../model.js";
import { tokenCounts } from "../model.js";

/** How much of a body an error message may quote: enough to recognise it, never a dump. */
const EXCERPT_CHARS = 60;

/**
 * Quotes at most `max` characters of `text` from `from`, escaped so control characters and
 * quotes cannot garble a log line or a Slack message. Shared by the stat parsers so every
 * message quotes bodies the same way.
 */
export function quoteExcerpt(text: string, from = 0, max = EXCERPT_CHARS): string {
  const piece = text.slice(from, from + max);
  return `${JSON.stringify(piece)}${from + max < text.length ? "…" : ""}`;
}

/**
 * A count as the server writes it: a Java long. `-0` is accepted because it equals 0; a
 * fraction, a negative or a value beyond the double range means the body is not what we
 * think it is, so it is refused rather than rounded. Values above 2^53 arrive already rounded
 * by JSON.parse; at that size the loss is far below the MAU estimate's own error.
 */
const count = z
  .number()
  .refine((n) => Number.isInteger(n) && n >= 0, { message: "must be a whole number of at least 0" })
  .transform((n) => Math.abs(n));

const fromMap = (value: unknown): unknown =>
  value instanceof Map ? Object.fromEntries(value as Map<string, unknown>) : value;

const item = z.preprocess(
  fromMap,
  z.object({
    month: z.union([z.string(), z.number()]).optional(),
    // The server always writes it (a Java long); without it a month's figure would be a guess.
    monthly_active_users: count,
    token_count_per_granttype: z.map(z.string(), z.map(z.string(), count)).nullish(),
  }),
);
type Item = z.output<typeof item>;

const envelope = z.preprocess(
  fromMap,
  z.object({
    response: z.unknown().optional(),
    error: z.unknown().optional(),
    error_description: z.unknown().optional(),
    reason: z.unknown().optional(),
  }),
);

const monthMap = z.map(z.string(), item);
const monthList = z.array(item);

function badResponse(message: string): GluuError {
  return new GluuError("bad_response", message);
}

/** JSON.parse reviver: every object becomes a Map so server-chosen keys stay plain data. */
function toMaps(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Map)) {
    return new Map(Object.entries(value));
  }
  return value;
}

function describePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "the body";
  return path
    .map((p) => {
      const s = String(p);
      // Short segments (25 fits token_count_per_granttype): server-chosen keys must not smuggle
      // much of a body into a message.
      return s.length > 25 ? `${s.slice(0, 25)}…` : s;
    })
    .join(".");
}

function shapeError(error: z.ZodError, prefix: readonly PropertyKey[]): GluuError {
  const issue = error.issues[0];
  const where = describePath([...prefix, ...(issue?.path ?? [])]);
  const what = issue?.message ?? "is not what a Gluu or Janssen server sends";
  return badResponse(
    `The statistics response has an unexpected shape: ${where} ${what.replace(/^Invalid input: /, "")}. ` +
      "Check that the server is a supported Gluu Server 4.x or Janssen version.",
  );
}

function syntaxError(text: string, err: unknown): GluuError {
  // Reading a deeply nested body runs out of stack: valid JSON, perhaps, but not statistics.
  if (err instanceof RangeError) {
    return badResponse(
      `The statistics response is nested far deeper than statistics are (it starts with ${quoteExcerpt(text)}). ` +
        "Check that the server URL points at the Gluu or Janssen stat endpoint.",
    );
  }
  const detail = err instanceof Error ? err.message : "";
  // V8 names the position but also quotes the body; only the position is taken from it.
  const position = /at position (\d+)/.exec(detail)?.[1];
  // V8 words errors variously; an error at the very end of the text means it stops too early.
  const cutOff =
    /Unexpected end/.test(detail) || (position !== undefined && Number(position) >= text.trimEnd().length);
  const where = cutOff
    ? "it ends too early, as if cut off"
    : position !== undefined
      ? `the error is at character ${position}`
      : "it could not be read";
  return badResponse(
    `The statistics response is not valid JSON (${where}; it starts with ${quoteExcerpt(text)}). ` +
      "Try again; if it persists, check the server and any proxy between the bot and it.",
  );
}

function toMonthStats(month: Month, entry: Item): MonthStats {
  const tokens = new Map<GrantType, TokenCounts>();
  for (const [grant, kinds] of entry.token_count_per_granttype ?? []) {
    tokens.set(grant, tokenCounts(Object.fromEntries(kinds)));
  }
  return { month, mau: entry.monthly_active_users, tokens: Object.fromEntries(tokens) };
}

function monthOf(key: string, where: string): Month {
  const month = parseMonthKey(key);
  if (month === undefined) {
    throw badResponse(
      `The statistics response names a month ${quoteExcerpt(key, 0, 20)} at ${where} that is not in yyyyMM form. ` +
        "Check that the server is a supported Gluu Server 4.x or Janssen version.",
    );
  }
  return month;
}

function fromMonthMap(response: Map<unknown, unknown>): MonthStats[] {
  const parsed = monthMap.safeParse(response);
  if (!parsed.success) throw shapeError(parsed.error, ["response"]);
  const out: MonthStats[] = [];
  for (const [key, entry] of parsed.data) {
    const month = monthOf(key, "response");
    // jsonmonth repeats the month inside the item; a disagreement means we misread the shape.
    if (entry.month !== undefined && String(entry.month) !== key) {
      throw badResponse(
        `The statistics response files month ${quoteExcerpt(String(entry.month), 0, 20)} under the key ` +
          `${key}. Check that the server is a supported Gluu Server 4.x or Janssen version.`,
      );
    }
    out.push(toMonthStats(month, entry));
  }
  return out;
}

function fromMonthList(response: unknown[]): MonthStats[] {
  const parsed = monthList.safeParse(response);
  if (!parsed.success) throw shapeError(parsed.error, ["response"]);
  const seen = new Set<MonthKey>();
  return parsed.data.map((entry, index) => {
    if (entry.month === undefined) {
      throw badResponse(
        `The statistics response lists an entry without a month (response.${index}). ` +
          "Check that the server is a supported Janssen version.",
      );
    }
    const month = monthOf(String(entry.month), `response.${index}`);
    const key = monthKey(month);
    // Two figures for one month cannot both be right; picking one would hide the problem.
    if (seen.has(key)) {
      throw badResponse(
        `The statistics response lists ${isoMonth(month)} twice. Try again; if it persists, report it with the server version.`,
      );
    }
    seen.add(key);
    return toMonthStats(month, entry);
  });
}

function errorText(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? quoteExcerpt(value, 0, 40) : undefined;
}

/**
 * Parses any JSON shape of the statistics endpoint. Months come back in calendar order;
 * months the server has no data for are simply absent. Throws GluuError("bad_response").
 */
export function parseJsonStats(body: string): MonthStats[] {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  if (text.trim() === "") {
    throw badResponse(
      "The statistics endpoint sent an empty response. Try again; if it persists, check the server logs.",
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text, toMaps);
  } catch (err) {
    throw syntaxError(text, err);
  }
  const parsed = envelope.safeParse(raw);
  if (!parsed.success) throw shapeError(parsed.error, []);
  const { response } = parsed.data;

  let months: MonthStats[];
  if (response === undefined) {
    // A 200 carrying an error object would otherwise read as "no data for any month".
    const error = errorText(parsed.data.error);
    if (error !== undefined) {
      const reason = errorText(parsed.data.reason) ?? errorText(parsed.data.error_description);
      throw badResponse(
        `The statistics endpoint answered with the error ${error}${reason === undefined ? "" : ` (${reason})`} ` +
          "instead of statistics. Check the stat client's credentials and its jans_stat scope.",
      );
    }
    months = [];
  } else if (response instanceof Map) {
    months = fromMonthMap(response);
  } else if (Array.isArray(response)) {
    months = fromMonthList(response);
  } else {
    throw badResponse(
      "The statistics response has an unexpected shape: response is neither a map of months nor a list. " +
        "Check that the server is a supported Gluu Server 4.x or Janssen version.",
    );
  }
  return months.sort((a, b) => compareMonths(a.month, b.month));
}
