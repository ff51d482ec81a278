/**
 * Typed configuration, derived from the validated environment. Sections are required only by
 * the commands that need them: `report` needs Gluu, `serve` needs Gluu and Slack.
 */
import { config as loadDotenv } from "dotenv";
import { type Env, parseEnv } from "./env.js";
import { type GluuConfig, serverConfigs } from "./servers.js";

export { type Cidr, parseCidr } from "./cidr.js";
export { ConfigError, type Env, parseEnv, type StatFormat } from "./env.js";
export {
  type GluuConfig,
  SERVER_SETTINGS,
  type ServerConfig,
  type ServerName,
  type ServerSet,
  SINGLE_SERVER,
  secretsOf,
  selectServer,
  serverConfigs,
  serverVariable,
} from "./servers.js";
export { gluuWarnings, scheduleWarnings, startupWarnings } from "./warnings.js";

/** Reads `.env` when present; real environment variables win over it. */
export function loadEnv(env: NodeJS.ProcessEnv = process.env, dotenvPath?: string): Env {
  if (env === process.env) loadDotenv({ path: dotenvPath, quiet: true });
  return parseEnv(env);
}

/**
 * The default server's connection settings (the only server without GLUU_SERVERS), or a
 * ConfigError naming every missing or invalid variable of every server.
 */
export function gluuConfig(env: Env): GluuConfig {
  return serverConfigs(env).servers[0].gluu;
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
