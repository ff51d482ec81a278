/**
 * The statistics endpoint's decision logic, one function per family, following the order of
 * checks in the servers' `StatWS.stat` (oxAuth 4.x and jans-auth-server):
 *
 * Gluu 4.x: parameters (JAX-RS decoding; a malformed escape is a 500) → token (401) →
 * `month` present (400) → second URL-decoding of `month` (500 if malformed) → at least one
 * 6-character token (400) → interval limit (403) → interval consumed → answer (200, or 500
 * when writing fails).
 *
 * Janssen: parameters → token (401) → exactly one of `month` and a complete
 * `start-month`/`end-month` pair (400) → second decoding of `month` (500) → months, where an
 * unparseable range bound is a 500 (`LocalDate.parse` throws outside the endpoint's
 * try/catch) and an empty result a 400 → answer. No interval limit.
 *
 * Pure: state (tokens, the last processed time) comes in and goes out as values.
 */
import type { MonthStats } from "../gluu/model.js";
import { monthKey } from "../months.js";
import { javaIsBlank, javaTrim, javaUrlDecode, MalformedEscapeError, parseJavaParams } from "./java-text.js";
import { orgJson, writeJson } from "./json.js";
import { type OpenMetricsVariant, writeOpenMetrics } from "./openmetrics.js";

export type Family = "gluu4" | "janssen";

export interface IssuedToken {
  readonly scopes: readonly string[];
  /** ms since epoch; the token is valid up to and including this instant. */
  readonly expiresAt: number;
}

export interface StatContext {
  readonly family: Family;
  /** The raw query (GET) or form body (POST), undecoded. */
  readonly rawParams: string;
  readonly authorization: string | undefined;
  readonly now: number;
  readonly token: (value: string) => IssuedToken | undefined;
  readonly statAuthorizationScope: string;
  readonly errorReasonEnabled: boolean;
  /** Gluu 4.x only; 0 disables the limit (the real server treats 0 as its default, 60). */
  readonly intervalLimitS: number;
  /** When the last request was processed (Gluu 4.x interval); undefined before the first. */
  readonly lastProcessedAt: number | undefined;
  readonly data: readonly MonthStats[];
  /** Random source for the order of months, grant types and families; Java's order if absent. */
  readonly shuffle?: () => number;
  readonly openMetricsVariant?: OpenMetricsVariant;
  /**
   * Gluu 4.x only: imitate an older `createOpenMetricsResponse`, which registered the metric
   * families once per month, so that an answer with a second month makes the registry throw:
   * a 500 after the interval was used. (Its other quirks, the `month_<yyyyMM>` label name and
   * a missing null check, are not imitated.)
   */
  readonly openMetricsRegistryPerMonth?: boolean;
}

export type StatOutcomeKind =
  | "ok"
  | "unauthorized"
  | "bad_request"
  | "interval_limited"
  | "malformed_escape"
  | "bad_range"
  | "write_failed";

export interface StatOutcome {
  readonly status: number;
  readonly kind: StatOutcomeKind;
  readonly body: string;
  /** Always application/json, OpenMetrics included: the endpoint `@Produces` JSON. */
  readonly contentType: string;
  /** Set when the request was processed: the months asked, deduplicated. */
  readonly months?: readonly string[];
  /** Gluu 4.x: the new "last processed" time when this request consumed the interval. */
  readonly processedAt?: number;
}

const JSON_TYPE = "application/json";

const GLUU4_MONTH_ERROR = "`month` parameter can't be blank and should be in format yyyyMM (e.g. 202012)";
const JANSSEN_PARAMS_ERROR =
  "`month` or `start-month`/`end-month` parameter(s) can't be blank and should be in format yyyyMM (e.g. 202012)";
const JANSSEN_MONTHS_ERROR =
  "Unable to identify months. Check `month` or `start-month`/`end-month` parameter(s). It can't be blank and should be in format yyyyMM (e.g. 202012). start-month must be before end-month";

/** The token error catalog's text for the errors this endpoint uses (`access_denied` has none). */
const TOKEN_ERROR_DESCRIPTIONS: Readonly<Record<string, string>> = {
  invalid_request:
    "The request is missing a required parameter, includes an unsupported parameter or parameter value, repeats a parameter, includes multiple credentials, utilizes more than one mechanism for authenticating the client, or is otherwise malformed.",
  invalid_client:
    "Client authentication failed (e.g. unknown client, no client authentication included, or unsupported authentication method). The authorization server MAY return an HTTP 401 (Unauthorized) status code to indicate which HTTP authentication schemes are supported. If the client attempted to authenticate via the Authorization request header field, the authorization server MUST respond with an HTTP 401 (Unauthorized) status code, and include the WWW-Authenticate response header field matching the authentication scheme used by the client.",
  invalid_grant:
    "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
  unsupported_grant_type: "The authorization grant type is not supported by the authorization server.",
};

/**
 * `ErrorResponseFactory.errorAsJson`: the catalog's description (the error code itself when the
 * catalog has no entry), `reason` only when the server option `errorReasonEnabled` is on,
 * pretty-printed by org.json.
 */
export function errorBody(error: string, reason: string, errorReasonEnabled: boolean): string {
  const body: Record<string, string> = {
    error,
    error_description: TOKEN_ERROR_DESCRIPTIONS[error] ?? error,
  };
  if (errorReasonEnabled && reason.trim() !== "") body.reason = reason;
  return orgJson(body, 4);
}

export function handleStat(ctx: StatContext): StatOutcome {
  let params: Map<string, string>;
  try {
    params = parseJavaParams(ctx.rawParams);
  } catch (err) {
    if (err instanceof MalformedEscapeError) return serverError("malformed_escape");
    throw err;
  }

  const denied = authorize(ctx);
  if (denied) return denied;

  const asked = ctx.family === "gluu4" ? gluu4Months(params.get("month"), ctx) : janssenMonths(params, ctx);
  if ("outcome" in asked) return asked.outcome;
  const months = asked.months;

  if (ctx.family === "gluu4" && ctx.intervalLimitS > 0 && ctx.lastProcessedAt !== undefined) {
    // allowToRun: at least the interval since the last processed request, to the millisecond.
    if (ctx.now - ctx.lastProcessedAt < ctx.intervalLimitS * 1000) {
      return {
        status: 403,
        kind: "interval_limited",
        body: errorBody("access_denied", "Interval request limit exceeded.", ctx.errorReasonEnabled),
        contentType: JSON_TYPE,
      };
    }
  }
  // Gluu 4.x records the time before building the answer, so even a failed answer uses it.
  const processed =
    ctx.family === "gluu4" ? { months: unique(months), processedAt: ctx.now } : { months: unique(months) };

  const position = new Map(processed.months.map((m, i) => [m, i]));
  // Months without entries are left out of the response, never answered with zeros; the
  // server fills its response map in the order the months were asked.
  const stats = ctx.data
    .filter((s) => position.has(monthKey(s.month)))
    .sort((a, b) => (position.get(monthKey(a.month)) ?? 0) - (position.get(monthKey(b.month)) ?? 0));

  const format = (params.get("format") ?? "").toLowerCase();
  let body: string;
  try {
    if (format === "openmetrics") {
      if (ctx.family === "gluu4" && ctx.openMetricsRegistryPerMonth && stats.length > 1) {
        throw new Error("Collector already registered that provides name: monthly_active_users");
      }
      body = writeOpenMetrics(stats, {
        ...(ctx.shuffle ? { shuffle: ctx.shuffle } : {}),
        variant: ctx.openMetricsVariant ?? "classic",
        createdAtMs: ctx.now,
      });
    } else {
      const shape = ctx.family === "gluu4" ? "gluu4" : format === "jsonmonth" ? "jsonmonth" : "flat";
      body = writeJson(stats, shape, ctx.shuffle ? { shuffle: ctx.shuffle } : {});
    }
  } catch {
    return { ...serverError("write_failed"), ...processed };
  }
  return { status: 200, kind: "ok", body, contentType: JSON_TYPE, ...processed };
}

function unique(months: readonly string[]): string[] {
  return [...new Set(months)];
}

/** `StatWS.validateAuthorization`: any failure is a 401 `access_denied`. */
function authorize(ctx: StatContext): StatOutcome | undefined {
  const unauthorized = (reason: string): StatOutcome => ({
    status: 401,
    kind: "unauthorized",
    body: errorBody("access_denied", reason, ctx.errorReasonEnabled),
    contentType: JSON_TYPE,
  });
  const value = bearerValue(ctx.authorization);
  const token = value ? ctx.token(value) : undefined;
  if (!token) return unauthorized("Can't find grant for authorization.");
  if (ctx.now > token.expiresAt) return unauthorized("Token expired.");
  // The server tests the space-joined scope string with contains(): a substring match.
  if (!token.scopes.join(" ").includes(ctx.statAuthorizationScope)) {
    return unauthorized(`${ctx.statAuthorizationScope} scope is required for token.`);
  }
  return undefined;
}

/**
 * `TokenService.getToken`: any known scheme prefix, matched case-insensitively, the rest
 * trimmed. `Basic` is among the schemes, so a Basic credential is looked up as a token too
 * (and not found).
 */
function bearerValue(authorization: string | undefined): string | undefined {
  if (authorization === undefined || javaIsBlank(authorization)) return undefined;
  for (const prefix of ["Basic ", "Bearer ", "AccessToken ", "Negotiate "]) {
    if (authorization.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()) {
      const token = authorization.slice(prefix.length).trim();
      return token === "" ? undefined : token;
    }
  }
  return undefined;
}

function badRequest(reason: string, ctx: StatContext): StatOutcome {
  return {
    status: 400,
    kind: "bad_request",
    body: errorBody("invalid_request", reason, ctx.errorReasonEnabled),
    contentType: JSON_TYPE,
  };
}

/** An exception the endpoint does not catch, or its own catch-all: 500, no body. */
function serverError(kind: StatOutcomeKind): StatOutcome {
  return { status: 500, kind, body: "", contentType: JSON_TYPE };
}

type MonthsOrOutcome = { months: string[] } | { outcome: StatOutcome };

/** Splits on single spaces and keeps every trimmed piece of exactly six characters. */
function sixCharacterTokens(months: string): string[] {
  return months
    .split(" ")
    .map(javaTrim)
    .filter((m) => m.length === 6);
}

/** oxAuth `StatWS.validateMonth`. */
function gluu4Months(month: string | undefined, ctx: StatContext): MonthsOrOutcome {
  if (month === undefined || javaIsBlank(month)) return { outcome: badRequest(GLUU4_MONTH_ERROR, ctx) };
  let decoded: string;
  try {
    decoded = javaUrlDecode(month);
  } catch {
    return { outcome: serverError("malformed_escape") };
  }
  const months = sixCharacterTokens(decoded);
  return months.length === 0 ? { outcome: badRequest(GLUU4_MONTH_ERROR, ctx) } : { months };
}

/** jans `StatWS.validateMonths` with `Months.isValid` / `Months.getMonths`. */
function janssenMonths(params: Map<string, string>, ctx: StatContext): MonthsOrOutcome {
  const month = params.get("month");
  const start = params.get("start-month");
  const end = params.get("end-month");
  if (!isValidRequest(month, start, end)) return { outcome: badRequest(JANSSEN_PARAMS_ERROR, ctx) };

  let decoded = month;
  if (month !== undefined && !javaIsBlank(month)) {
    try {
      decoded = javaUrlDecode(month);
    } catch {
      return { outcome: serverError("malformed_escape") };
    }
  }
  // getMonths checks validity again, on the decoded value: `month=%2B` (a space) with a
  // range falls through to the range.
  let months: string[] = [];
  if (isValidRequest(decoded, start, end)) {
    if (decoded !== undefined && !javaIsBlank(decoded)) {
      months = sixCharacterTokens(decoded);
    } else if (start !== undefined && end !== undefined) {
      const range = monthRange(start, end);
      if (range === "unparseable") return { outcome: serverError("bad_range") };
      months = range;
    }
  }
  return months.length === 0 ? { outcome: badRequest(JANSSEN_MONTHS_ERROR, ctx) } : { months };
}

function isValidRequest(
  month: string | undefined,
  start: string | undefined,
  end: string | undefined,
): boolean {
  const hasMonths = !javaIsBlank(month);
  const hasRange = !javaIsBlank(start) && !javaIsBlank(end);
  return hasMonths !== hasRange;
}

/**
 * `Months.getMonths(start, end)`: inclusive, but empty when start is not before end, so a
 * one-month range is a 400. Six characters that are not a `yyyyMM` date make
 * `LocalDate.parse` throw.
 */
function monthRange(start: string, end: string): string[] | "unparseable" {
  if (start.length !== 6 || end.length !== 6) return [];
  const a = parseYearMonth(start);
  const b = parseYearMonth(end);
  if (a === undefined || b === undefined) return "unparseable";
  const out: string[] = [];
  for (let i = a; i < b; i++) out.push(formatIndex(i));
  if (out.length > 0) out.push(formatIndex(b));
  return out;
}

/** `LocalDate.parse(s + "01", "yyyyMMdd")`: year of era 1 and up, month 01..12. */
function parseYearMonth(s: string): number | undefined {
  const match = /^(\d{4})(\d{2})$/.exec(s);
  if (!match) return undefined;
  const year = Number(match[1]);
  const m = Number(match[2]);
  if (year < 1 || m < 1 || m > 12) return undefined;
  return year * 12 + (m - 1);
}

function formatIndex(index: number): string {
  return `${String(Math.floor(index / 12)).padStart(4, "0")}${String((index % 12) + 1).padStart(2, "0")}`;
}
