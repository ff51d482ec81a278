/**
 * Logging. Secrets never reach a log line: the client secret, access tokens, Slack tokens and
 * the signing secret are never put into log objects in the first place, and the redaction
 * below is the second line of defence for objects that come from libraries (request options,
 * headers).
 */
import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger } from "pino";

export const REDACT_PATHS = [
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
  "*.clientSecret",
  "*.client_secret",
  "*.secret",
  "*.token",
  "*.access_token",
  "*.accessToken",
  "*.authorization",
  "*.Authorization",
  "*.signingSecret",
  "*.botToken",
  "*.appToken",
  "headers.authorization",
  "*.headers.authorization",
];

export function createLogger(level = "info", destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: "gluu-stats" },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything: for pure library use and tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: "silent" });
