/**
 * Typed configuration, derived from the validated environment. Sections are required only by
 * the commands that need them: `report` needs Gluu, `serve` needs Gluu and Slack.
 */
import { readFileSync } from "node:fs";
import { config as loadDotenv } from "dotenv";
import { ConfigError, type Env, parseEnv, type StatFormat } from "./env.js";

export { type Cidr, parseCidr } from "./cidr.js";
export { ConfigError, type Env, parseEnv, type StatFormat } from "./env.js";
export { gluuWarnings, scheduleWarnings, startupWarnings } from "./warnings.js";

export interface GluuConfig {
  /** Issuer base URL without a trailing slash. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenUrl: string | undefined;
  readonly statUrl: string | undefined;
  /** PEM text trusted in addition to the system CAs. */
  readonly ca: string | undefined;
  readonly caFile: string | undefined;
  readonly tlsInsecure: boolean;
  readonly authMethod: "client_secret_basic" | "client_secret_post";
  readonly scope: string;
  readonly minIntervalS: number;
  readonly statFormat: StatFormat;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly closeGraceMs: number;
}

/** Reads `.env` when present; real environment variables win over it. */
export function loadEnv(env: NodeJS.ProcessEnv = process.env, dotenvPath?: string): Env {
  if (env === process.env) loadDotenv({ path: dotenvPath, quiet: true });
  return parseEnv(env);
}

export function gluuConfig(env: Env): GluuConfig {
  const problems: string[] = [];
  if (!env.GLUU_URL)
    problems.push(
      "GLUU_URL: missing; the issuer URL of the Gluu/Janssen server, e.g. https://idp.example.com",
    );
  if (!env.GLUU_CLIENT_ID) problems.push("GLUU_CLIENT_ID: missing; the client ID of the statistics client");
  if (!env.GLUU_CLIENT_SECRET)
    problems.push("GLUU_CLIENT_SECRET: missing; the secret of the statistics client");
  let ca: string | undefined;
  if (env.GLUU_CA_FILE) {
    try {
      ca = readFileSync(env.GLUU_CA_FILE, "utf8");
      if (!ca.includes("-----BEGIN CERTIFICATE-----")) {
        problems.push(
          `GLUU_CA_FILE: ${env.GLUU_CA_FILE} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
        );
      }
    } catch {
      problems.push(`GLUU_CA_FILE: cannot read ${env.GLUU_CA_FILE}; give the path of a PEM file`);
    }
  }
  if (problems.length > 0 || !env.GLUU_URL || !env.GLUU_CLIENT_ID || !env.GLUU_CLIENT_SECRET) {
    throw new ConfigError(problems);
  }
  return {
    url: env.GLUU_URL,
    clientId: env.GLUU_CLIENT_ID,
    clientSecret: env.GLUU_CLIENT_SECRET,
    tokenUrl: env.GLUU_TOKEN_URL,
    statUrl: env.GLUU_STAT_URL,
    ca,
    caFile: env.GLUU_CA_FILE,
    tlsInsecure: env.GLUU_TLS_INSECURE,
    authMethod: env.GLUU_AUTH_METHOD,
    scope: env.GLUU_SCOPE,
    minIntervalS: env.GLUU_MIN_INTERVAL_S,
    statFormat: env.GLUU_STAT_FORMAT,
    timeoutMs: env.GLUU_TIMEOUT_MS,
    maxBodyBytes: env.GLUU_MAX_BODY_BYTES,
    closeGraceMs: env.GLUU_CLOSE_GRACE_MIN * 60_000,
  };
}

/** Defaults for code that builds a GluuConfig itself (the demo, tests). */
export function defaultGluuConfig(
  required: Pick<GluuConfig, "url" | "clientId" | "clientSecret">,
  overrides: Partial<GluuConfig> = {},
): GluuConfig {
  return {
    tokenUrl: undefined,
    statUrl: undefined,
    ca: undefined,
    caFile: undefined,
    tlsInsecure: false,
    authMethod: "client_secret_basic",
    scope: "jans_stat",
    minIntervalS: 60,
    statFormat: "json",
    timeoutMs: 15_000,
    maxBodyBytes: 5 * 1024 * 1024,
    closeGraceMs: 2 * 60 * 60 * 1000,
    ...required,
    ...overrides,
  };
}
