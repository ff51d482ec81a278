/** The commands' logger: to stderr (stdout carries the output), quiet unless LOG_LEVEL says, secrets redacted. */
import { type Env, secretsOf } from "../config/index.js";
import { createLogger, type Logger } from "../log.js";

export function cliLogger(env: Env): Logger {
  return createLogger({
    level: process.env.LOG_LEVEL ?? "warn",
    destination: process.stderr,
    secrets: secretsOf(env),
  });
}
