/**
 * Logging. Secrets never reach a log line. Two defences:
 * 1. the bot never puts secrets into log objects, and pino redacts the keys they would live
 *    under (for objects that come from libraries: request options, headers);
 * 2. every string logged, by us or by Bolt and the Slack SDK through the adapter below, is
 *    scrubbed of the configured secret values and of anything shaped like a Slack token, since
 *    library debug lines are free text that redaction by key cannot reach.
 */
import { type Logger as BoltLogger, LogLevel } from "@slack/bolt";
import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger } from "pino";

const KEYS = [
  "clientSecret",
  "client_secret",
  "secret",
  "token",
  "access_token",
  "accessToken",
  "authorization",
  "Authorization",
  "signingSecret",
  "botToken",
  "appToken",
];
export const REDACT_PATHS = [
  ...KEYS,
  ...KEYS.map((k) => `*.${k}`),
  "*.headers.authorization",
  "*.*.authorization",
];

const SLACK_TOKEN = /\b(xox[abposer]-|xapp-)[A-Za-z0-9-]+/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
// Slack payloads logged at debug carry a verification token; Socket Mode URLs carry a ticket.
const JSON_TOKEN = /("(?:token|verification_token|client_secret|access_token)"\s*:\s*")[^"]*/g;
const URL_TICKET = /([?&]ticket=)[^&\s"']+/g;

export function scrubber(secrets: readonly string[]): (text: string) => string {
  // Short values would blank out ordinary words; real secrets are long.
  const values = [...new Set(secrets.filter((s) => s.length >= 6))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text
      .replace(SLACK_TOKEN, "$1[redacted]")
      .replace(BEARER, "$1 [redacted]")
      .replace(JSON_TOKEN, "$1[redacted]")
      .replace(URL_TICKET, "$1[redacted]");
    for (const v of values) if (out.includes(v)) out = out.split(v).join("[redacted]");
    return out;
  };
}

function scrubDeep(value: unknown, scrub: (s: string) => string, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return {
      type: value.name,
      message: scrub(value.message),
      stack: value.stack ? scrub(value.stack) : undefined,
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, scrub, depth + 1);
  return out;
}

export interface LoggerOptions {
  readonly level?: string;
  readonly destination?: DestinationStream;
  /** Values that must never appear in a log line (client secret, Slack tokens, signing secret). */
  readonly secrets?: readonly string[];
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const scrub = scrubber(opts.secrets ?? []);
  const options = {
    level: opts.level ?? "info",
    base: { app: "gluu-stats" },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger["info"]>, method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => scrubDeep(a, scrub)),
        );
      },
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that drops everything: for pure library use and tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: "silent" });

const BOLT_TO_PINO: Record<LogLevel, "debug" | "info" | "warn" | "error"> = {
  [LogLevel.DEBUG]: "debug",
  [LogLevel.INFO]: "info",
  [LogLevel.WARN]: "warn",
  [LogLevel.ERROR]: "error",
};

/** Bolt and the Slack SDK log through this, so their lines get the same scrubbing and format. */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: "slack" });
  let level = LogLevel.INFO;
  const emit =
    (at: LogLevel) =>
    (...msg: unknown[]) => {
      const text = msg
        .map((m) => (typeof m === "string" ? m : m instanceof Error ? m.message : JSON.stringify(m)))
        .join(" ");
      child[BOLT_TO_PINO[at]](text);
    };
  return {
    debug: emit(LogLevel.DEBUG),
    info: emit(LogLevel.INFO),
    warn: emit(LogLevel.WARN),
    error: emit(LogLevel.ERROR),
    // pino's level decides what is written; Bolt's own level only decides what it sends us.
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
