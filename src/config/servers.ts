/**
 * The Gluu servers the bot serves. Without GLUU_SERVERS: one server from the GLUU_* variables,
 * as before. With `GLUU_SERVERS=prod,staging`: each server's settings come from
 * `GLUU_<NAME>_<SETTING>`, and an unprefixed `GLUU_<SETTING>` is the default for every server
 * (except the three that identify a server: URL, CLIENT_ID, CLIENT_SECRET, and its display NAME).
 *
 * Every problem is collected before failing, each under the full name of the variable to fix, so
 * one start-up attempt shows all of them. A variable that looks per-server but names no configured
 * server is a problem too: a typo must not silently leave a server unconfigured.
 */
import { readFileSync } from "node:fs";
import type { z } from "zod";
import { isMonthName } from "../query/parse.js";
import { ConfigError, type Env, envSchema, type StatFormat } from "./env.js";

/** A configured server's name: lower-case letters, digits and `-`, as in GLUU_SERVERS. */
export type ServerName = string & { readonly __serverName: true };

export const SERVER_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

/**
 * Words `/gluu-stats` reads as a question: a server may not be called one, since the first word
 * of a command names the server (`/gluu-stats staging trend`). A name must also start with a
 * letter, so `2021` stays a year.
 */
const COMMAND_WORDS = new Set([
  "all",
  "help",
  "usage",
  "history",
  "post",
  "trend",
  "export",
  "last",
  "previous",
  "current",
  "now",
  "this",
  "public",
  "csv",
  "chart",
  "png",
  "curve",
  "month-curve",
]);

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

export interface ServerConfig {
  readonly name: ServerName;
  /** What replies call it: GLUU_<NAME>_NAME, else the name (one server: GLUU_NAME, else the host). */
  readonly displayName: string;
  readonly gluu: GluuConfig;
  /** The licensed MAU (GLUU_MAU_LIMIT or the server's own). */
  readonly mauLimit: number | undefined;
  /** Where its monthly summary goes: its own REPORT_CHANNEL, else the global one. */
  readonly reportChannels: readonly string[];
  /** Narrow the global ALLOWED_* rules for this server; empty: no narrowing. */
  readonly allowedUserIds: readonly string[];
  readonly allowedChannelIds: readonly string[];
}

export interface ServerSet {
  /** In GLUU_SERVERS order; the first is the default. */
  readonly servers: readonly [ServerConfig, ...ServerConfig[]];
  /** False with GLUU_SERVERS: commands may then name a server. */
  readonly single: boolean;
}

/** The name of the one server of a set-up without GLUU_SERVERS (state written before belongs to it). */
export const SINGLE_SERVER = "default" as ServerName;

/** The per-server settings, as `<SETTING>` in `GLUU_<NAME>_<SETTING>`. */
export const SERVER_SETTINGS = [
  "URL",
  "CLIENT_ID",
  "CLIENT_SECRET",
  "TOKEN_URL",
  "STAT_URL",
  "CA_FILE",
  "TLS_INSECURE",
  "AUTH_METHOD",
  "SCOPE",
  "MIN_INTERVAL_S",
  "STAT_FORMAT",
  "TIMEOUT_MS",
  "MAX_BODY_BYTES",
  "CLOSE_GRACE_MIN",
  "MAU_LIMIT",
  "NAME",
  "REPORT_CHANNEL",
  "ALLOWED_USER_IDS",
  "ALLOWED_CHANNEL_IDS",
] as const;
type Setting = (typeof SERVER_SETTINGS)[number];

/** Each server must have its own; an unprefixed one next to GLUU_SERVERS is ambiguous. */
const OWN_ONLY: ReadonlySet<Setting> = new Set(["URL", "CLIENT_ID", "CLIENT_SECRET", "NAME"]);

/** Not inherited either: the global ALLOWED_* rules apply anyway, a server's own only narrow them. */
const NOT_INHERITED: ReadonlySet<Setting> = new Set([...OWN_ONLY, "ALLOWED_USER_IDS", "ALLOWED_CHANNEL_IDS"]);

/** The global variable a setting defaults from. */
function globalName(setting: Setting): string {
  return setting === "REPORT_CHANNEL" || setting.startsWith("ALLOWED_") ? setting : `GLUU_${setting}`;
}

/** The rule of each setting, taken from the single-server schema so both forms agree. */
const shape = envSchema.shape;
const RULES = {
  URL: shape.GLUU_URL,
  CLIENT_ID: shape.GLUU_CLIENT_ID,
  CLIENT_SECRET: shape.GLUU_CLIENT_SECRET,
  TOKEN_URL: shape.GLUU_TOKEN_URL,
  STAT_URL: shape.GLUU_STAT_URL,
  CA_FILE: shape.GLUU_CA_FILE,
  TLS_INSECURE: shape.GLUU_TLS_INSECURE,
  AUTH_METHOD: shape.GLUU_AUTH_METHOD,
  SCOPE: shape.GLUU_SCOPE,
  MIN_INTERVAL_S: shape.GLUU_MIN_INTERVAL_S,
  STAT_FORMAT: shape.GLUU_STAT_FORMAT,
  TIMEOUT_MS: shape.GLUU_TIMEOUT_MS,
  MAX_BODY_BYTES: shape.GLUU_MAX_BODY_BYTES,
  CLOSE_GRACE_MIN: shape.GLUU_CLOSE_GRACE_MIN,
  MAU_LIMIT: shape.GLUU_MAU_LIMIT,
  NAME: shape.GLUU_NAME,
  REPORT_CHANNEL: shape.REPORT_CHANNEL,
  ALLOWED_USER_IDS: shape.ALLOWED_USER_IDS,
  ALLOWED_CHANNEL_IDS: shape.ALLOWED_CHANNEL_IDS,
} satisfies Record<Setting, z.ZodType>;

type Values = { [S in Setting]: z.output<(typeof RULES)[S]> };

/** `prod-eu` → `PROD_EU`, as it appears in variable names. */
export function variablePart(name: string): string {
  return name.toUpperCase().replaceAll("-", "_");
}

export function serverVariable(name: string, setting: Setting): string {
  return `GLUU_${variablePart(name)}_${setting}`;
}

export interface ServerDeps {
  /** Reads a CA file (tests pass their own). */
  readonly readFile?: (path: string) => string;
}

/**
 * The servers of `env`, or a ConfigError naming every problem. `env.serverVariables` holds the
 * GLUU_* variables the schema does not know (the per-server ones and any typo).
 */
export function serverConfigs(env: Env, deps: ServerDeps = {}): ServerSet {
  const readFile = deps.readFile ?? ((path: string) => readFileSync(path, "utf8"));
  const names = env.GLUU_SERVERS;
  if (names.length === 0) return singleServer(env, readFile);
  const named = nameProblems(names);
  const problems = [...named.problems, ...strayVariables(env, names)];
  for (const setting of OWN_ONLY) {
    const global = globalName(setting);
    if (env[global as keyof Env] !== undefined) {
      problems.push(
        `${global}: not used next to GLUU_SERVERS (it is not clear which server it belongs to); set ${names.map((n) => serverVariable(n, setting)).join(", ")} instead`,
      );
    }
  }
  const servers: ServerConfig[] = [];
  // A refused name's variables are not its own: nothing more to say about them.
  for (const name of names.filter((n) => !named.refused.has(n))) {
    const { values, invalid } = serverValues(env, name, problems);
    const gluu = gluuOf(values, (s) => serverVariable(name, s), readFile, problems);
    if (!gluu || invalid) continue;
    servers.push({
      name: name as ServerName,
      displayName: values.NAME ?? name,
      gluu,
      mauLimit: values.MAU_LIMIT,
      reportChannels: values.REPORT_CHANNEL,
      allowedUserIds: values.ALLOWED_USER_IDS,
      allowedChannelIds: values.ALLOWED_CHANNEL_IDS,
    });
  }
  if (env.ALERT_CHANNEL.length > 0 && servers.length > 0 && servers.every((s) => s.mauLimit === undefined)) {
    problems.push(
      `ALERT_CHANNEL: licence alerts need a licensed limit: set GLUU_MAU_LIMIT (every server's) or ${names.map((n) => serverVariable(n, "MAU_LIMIT")).join(", ")}, or remove ALERT_CHANNEL`,
    );
  }
  const [first, ...rest] = servers;
  if (problems.length > 0 || !first) throw new ConfigError(problems);
  return { servers: [first, ...rest], single: false };
}

function singleServer(env: Env, readFile: (path: string) => string): ServerSet {
  const problems = strayVariables(env, []);
  const values: Values = {
    URL: env.GLUU_URL,
    CLIENT_ID: env.GLUU_CLIENT_ID,
    CLIENT_SECRET: env.GLUU_CLIENT_SECRET,
    TOKEN_URL: env.GLUU_TOKEN_URL,
    STAT_URL: env.GLUU_STAT_URL,
    CA_FILE: env.GLUU_CA_FILE,
    TLS_INSECURE: env.GLUU_TLS_INSECURE,
    AUTH_METHOD: env.GLUU_AUTH_METHOD,
    SCOPE: env.GLUU_SCOPE,
    MIN_INTERVAL_S: env.GLUU_MIN_INTERVAL_S,
    STAT_FORMAT: env.GLUU_STAT_FORMAT,
    TIMEOUT_MS: env.GLUU_TIMEOUT_MS,
    MAX_BODY_BYTES: env.GLUU_MAX_BODY_BYTES,
    CLOSE_GRACE_MIN: env.GLUU_CLOSE_GRACE_MIN,
    MAU_LIMIT: env.GLUU_MAU_LIMIT,
    NAME: env.GLUU_NAME,
    REPORT_CHANNEL: env.REPORT_CHANNEL,
    ALLOWED_USER_IDS: env.ALLOWED_USER_IDS,
    ALLOWED_CHANNEL_IDS: env.ALLOWED_CHANNEL_IDS,
  };
  const gluu = gluuOf(values, globalName, readFile, problems);
  if (!gluu || problems.length > 0) throw new ConfigError(problems);
  return {
    servers: [
      {
        name: SINGLE_SERVER,
        displayName: values.NAME ?? new URL(gluu.url).host,
        gluu,
        mauLimit: values.MAU_LIMIT,
        reportChannels: values.REPORT_CHANNEL,
        // The global rules are the rules; nothing narrows them.
        allowedUserIds: [],
        allowedChannelIds: [],
      },
    ],
    single: true,
  };
}

function nameProblems(names: readonly string[]): { problems: string[]; refused: Set<string> } {
  const out: string[] = [];
  const refused = new Set<string>();
  const seen = new Set<string>();
  for (const name of names) {
    if (!SERVER_NAME_PATTERN.test(name)) {
      refused.add(name);
      out.push(
        `GLUU_SERVERS: “${name}” is not a server name: lower-case letters, digits and -, at most 20 characters, not starting or ending with -`,
      );
      continue;
    }
    if (isMonthName(name)) {
      out.push(
        `GLUU_SERVERS: “${name}” cannot name a server: a command's first word names its server, and “${name}” is a month (\`/gluu-stats ${name}\` asks for it)`,
      );
      refused.add(name);
      continue;
    }
    if (COMMAND_WORDS.has(name) || !/^[a-z]/.test(name)) {
      out.push(
        `GLUU_SERVERS: “${name}” cannot name a server: a command's first word names its server, and “${name}” already means something there (a name starts with a letter and is not a command word such as trend or help)`,
      );
      refused.add(name);
      continue;
    }
    // prod-eu and prod_eu would share their variables.
    const part = variablePart(name);
    if (seen.has(part)) {
      out.push(`GLUU_SERVERS: “${name}” is listed twice`);
      refused.add(name);
    }
    seen.add(part);
  }
  // A name whose variables read like a global setting (token → GLUU_TOKEN_URL), or like another
  // server's (a → GLUU_A_TOKEN_URL, a-token → GLUU_A_TOKEN_URL).
  const owners = new Map<string, string>();
  for (const key of Object.keys(envSchema.shape)) owners.set(key, "a global setting");
  for (const name of names) {
    if (refused.has(name)) continue;
    const global = Object.keys(envSchema.shape).find((k) => k.startsWith(`GLUU_${variablePart(name)}_`));
    if (global) {
      out.push(
        `GLUU_SERVERS: the server name “${name}” makes its variables read like the global ${global}; choose another name`,
      );
      refused.add(name);
      continue;
    }
    for (const setting of SERVER_SETTINGS) {
      const variable = serverVariable(name, setting);
      const owner = owners.get(variable);
      if (owner !== undefined && owner !== `server ${name}`) {
        out.push(
          `GLUU_SERVERS: the server name “${name}” makes ${variable}, which is already ${owner}; choose another name`,
        );
        refused.add(name);
        break;
      }
      owners.set(variable, `server ${name}`);
    }
  }
  return { problems: [...new Set(out)], refused };
}

/** GLUU_<X>_<SETTING> where X is no configured server. */
function strayVariables(env: Env, names: readonly string[]): string[] {
  const known = new Set(names.flatMap((n) => SERVER_SETTINGS.map((s) => serverVariable(n, s))));
  const out: string[] = [];
  for (const variable of Object.keys(env.serverVariables).sort()) {
    if (known.has(variable)) continue;
    const setting = SERVER_SETTINGS.find((s) => variable.endsWith(`_${s}`) && variable.length > s.length + 6);
    const listed = names.length > 0 ? `GLUU_SERVERS lists ${names.join(", ")}` : "GLUU_SERVERS is not set";
    out.push(
      setting
        ? `${variable}: names no configured server (${listed}); fix the name or add the server to GLUU_SERVERS`
        : `${variable}: not a setting of gluu-stats (${listed}); see .env.example`,
    );
  }
  return out;
}

/** One server's values: its own variable, else the global default (not for OWN_ONLY settings). */
function serverValues(env: Env, name: string, problems: string[]): { values: Values; invalid: boolean } {
  const values: Partial<Record<Setting, unknown>> = {};
  let invalid = false;
  for (const setting of SERVER_SETTINGS) {
    const variable = serverVariable(name, setting);
    const own = env.serverVariables[variable];
    if (own === undefined) {
      // Unset: the rule's own empty value (undefined, or [] for a list).
      values[setting] = NOT_INHERITED.has(setting)
        ? RULES[setting].safeParse(undefined).data
        : env[globalName(setting) as keyof Env];
      continue;
    }
    const parsed = RULES[setting].safeParse(own);
    if (parsed.success) {
      values[setting] = parsed.data;
    } else {
      invalid = true;
      // Never echo the value: it may be a secret. The value stays out, so it is not also "missing".
      values[setting] = INVALID;
      for (const issue of parsed.error.issues) problems.push(`${variable}: ${issue.message}`);
    }
  }
  // Every setting holds its rule's output, the global parsed by the same rule, or INVALID (which
  // only gluuOf's presence checks look at, and the result is discarded).
  return { values: values as Values, invalid };
}

/** Marks a value that did not parse: present, so not reported as missing as well. */
const INVALID = Symbol("invalid");

function gluuOf(
  values: Values,
  nameOf: (setting: Setting) => string,
  readFile: (path: string) => string,
  problems: string[],
): GluuConfig | undefined {
  const before = problems.length;
  if (!values.URL)
    problems.push(
      `${nameOf("URL")}: missing; the issuer URL of the Gluu/Janssen server, e.g. https://idp.example.com`,
    );
  if (!values.CLIENT_ID)
    problems.push(`${nameOf("CLIENT_ID")}: missing; the client ID of the statistics client`);
  if (!values.CLIENT_SECRET)
    problems.push(`${nameOf("CLIENT_SECRET")}: missing; the secret of the statistics client`);
  let ca: string | undefined;
  if (typeof values.CA_FILE === "string") {
    try {
      ca = readFile(values.CA_FILE);
      if (!ca.includes("-----BEGIN CERTIFICATE-----")) {
        problems.push(
          `${nameOf("CA_FILE")}: ${values.CA_FILE} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
        );
      }
    } catch {
      problems.push(`${nameOf("CA_FILE")}: cannot read ${values.CA_FILE}; give the path of a PEM file`);
    }
  }
  if (problems.length > before || !values.URL || !values.CLIENT_ID || !values.CLIENT_SECRET) return undefined;
  return {
    url: values.URL,
    clientId: values.CLIENT_ID,
    clientSecret: values.CLIENT_SECRET,
    tokenUrl: values.TOKEN_URL,
    statUrl: values.STAT_URL,
    ca,
    caFile: values.CA_FILE,
    tlsInsecure: values.TLS_INSECURE,
    authMethod: values.AUTH_METHOD,
    scope: values.SCOPE,
    minIntervalS: values.MIN_INTERVAL_S,
    statFormat: values.STAT_FORMAT,
    timeoutMs: values.TIMEOUT_MS,
    maxBodyBytes: values.MAX_BODY_BYTES,
    closeGraceMs: values.CLOSE_GRACE_MIN * 60_000,
  };
}

/**
 * The server a command names (`--server`, or the first word in Slack), or why there is none.
 * Without a name: the default (first) server.
 */
export function selectServer(
  set: ServerSet,
  name: string | undefined,
): { readonly ok: true; readonly server: ServerConfig } | { readonly ok: false; readonly message: string } {
  if (name === undefined) return { ok: true, server: set.servers[0] };
  if (set.single) {
    return { ok: false, message: `there is one Gluu server (GLUU_SERVERS is not set): leave out “${name}”` };
  }
  const server = set.servers.find((s) => s.name === name.toLowerCase());
  if (server) return { ok: true, server };
  return {
    ok: false,
    message: `no server “${name}”; the servers are ${set.servers.map((s) => s.name).join(", ")}`,
  };
}

/** Every secret of the configuration, for the logger to redact. */
export function secretsOf(env: Env): string[] {
  return [
    env.GLUU_CLIENT_SECRET,
    env.SLACK_BOT_TOKEN,
    env.SLACK_APP_TOKEN,
    env.SLACK_SIGNING_SECRET,
    env.METRICS_TOKEN,
    // Each server's own secret (GLUU_SERVERS), and anything else named like one.
    ...Object.entries(env.serverVariables)
      .filter(([name]) => name.endsWith("_CLIENT_SECRET"))
      .map(([, value]) => value),
  ].filter((s): s is string => typeof s === "string");
}
