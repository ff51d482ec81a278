/**
 * The pure half of `npm run emulator`: flags and environment → options, and the text printed
 * at start. main.ts does the IO.
 */

import { parseArgs } from "node:util";
import { errorText } from "../errors/index.js";
import type { Family } from "./stat-endpoint.js";

export interface CliOptions {
  family: Family;
  host: string;
  port: number;
  intervalLimitS: number;
  errorReasonEnabled: boolean;
  seed: number;
  tokenLifetimeS: number;
  clientId: string;
  clientSecret: string;
  authMethod: "client_secret_basic" | "client_secret_post";
  order: "shuffle" | "java";
  tls?: { keyPath: string; certPath: string };
}

export type CliParse =
  | { kind: "run"; options: CliOptions }
  | { kind: "help" }
  | { kind: "error"; message: string };

export const USAGE = `Usage: npm run emulator -- [options]

Runs a Gluu Server 4.x or Janssen statistics endpoint emulator with fake demo data.

Options (environment variable in brackets):
  --family gluu4|janssen     server family, default gluu4            [EMULATOR_FAMILY]
  --host <address>           default 127.0.0.1                       [EMULATOR_HOST]
  --port <n>                 default 8080, or 8443 with TLS          [EMULATOR_PORT]
  --interval <seconds>       Gluu 4.x interval limit, default 60; 0 off [EMULATOR_INTERVAL]
  --tls-key <file>           PEM key: serve HTTPS (with --tls-cert)  [EMULATOR_TLS_KEY]
  --tls-cert <file>          PEM certificate                         [EMULATOR_TLS_CERT]
  --error-reason             add "reason" to error bodies            [EMULATOR_ERROR_REASON=true]
  --seed <n>                 data and response order, default 1      [EMULATOR_SEED]
  --token-lifetime <seconds> default 299                             [EMULATOR_TOKEN_LIFETIME]
  --client-id <id>           default stat-client                     [EMULATOR_CLIENT_ID]
  --client-secret <secret>   default stat-secret                     [EMULATOR_CLIENT_SECRET]
  --auth-method basic|post   client authentication, default basic    [EMULATOR_AUTH_METHOD]
  --order shuffle|java       answer order, default shuffle           [EMULATOR_ORDER]
  -h, --help
`;

type Env = Readonly<Record<string, string | undefined>>;

export function parseCli(argv: readonly string[], env: Env): CliParse {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        family: { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        interval: { type: "string" },
        "tls-key": { type: "string" },
        "tls-cert": { type: "string" },
        "error-reason": { type: "boolean" },
        seed: { type: "string" },
        "token-lifetime": { type: "string" },
        "client-id": { type: "string" },
        "client-secret": { type: "string" },
        "auth-method": { type: "string" },
        order: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    return { kind: "error", message: errorText(err) };
  }
  if (values.help) return { kind: "help" };

  const pick = (flag: string, variable: string): string | undefined => {
    const v = values[flag];
    return typeof v === "string" ? v : env[variable];
  };

  const family = pick("family", "EMULATOR_FAMILY") ?? "gluu4";
  if (family !== "gluu4" && family !== "janssen") {
    return { kind: "error", message: `--family must be gluu4 or janssen, not "${family}"` };
  }
  const keyPath = pick("tls-key", "EMULATOR_TLS_KEY");
  const certPath = pick("tls-cert", "EMULATOR_TLS_CERT");
  if ((keyPath === undefined) !== (certPath === undefined)) {
    return { kind: "error", message: "--tls-key and --tls-cert go together" };
  }

  const numbers: Array<[string, string, string, number, number]> = [
    ["port", "port", "EMULATOR_PORT", keyPath ? 8443 : 8080, 65535],
    ["interval", "interval", "EMULATOR_INTERVAL", 60, Number.MAX_SAFE_INTEGER],
    ["seed", "seed", "EMULATOR_SEED", 1, 2 ** 32 - 1],
    ["token-lifetime", "token-lifetime", "EMULATOR_TOKEN_LIFETIME", 299, Number.MAX_SAFE_INTEGER],
  ];
  const n: Record<string, number> = {};
  for (const [name, flag, variable, fallback, max] of numbers) {
    const raw = pick(flag, variable);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > max) {
      return { kind: "error", message: `--${name} must be a whole number from 0 to ${max}, not "${raw}"` };
    }
    n[name] = value;
  }

  const method = pick("auth-method", "EMULATOR_AUTH_METHOD") ?? "basic";
  if (method !== "basic" && method !== "post") {
    return { kind: "error", message: `--auth-method must be basic or post, not "${method}"` };
  }
  const order = pick("order", "EMULATOR_ORDER") ?? "shuffle";
  if (order !== "shuffle" && order !== "java") {
    return { kind: "error", message: `--order must be shuffle or java, not "${order}"` };
  }
  const reasonEnv = env.EMULATOR_ERROR_REASON?.toLowerCase();

  return {
    kind: "run",
    options: {
      family,
      host: pick("host", "EMULATOR_HOST") ?? "127.0.0.1",
      port: n.port ?? 8080,
      intervalLimitS: n.interval ?? 60,
      errorReasonEnabled: values["error-reason"] === true || reasonEnv === "true" || reasonEnv === "1",
      seed: n.seed ?? 1,
      tokenLifetimeS: n["token-lifetime"] ?? 299,
      clientId: pick("client-id", "EMULATOR_CLIENT_ID") ?? "stat-client",
      clientSecret: pick("client-secret", "EMULATOR_CLIENT_SECRET") ?? "stat-secret",
      authMethod: method === "basic" ? "client_secret_basic" : "client_secret_post",
      order,
      ...(keyPath !== undefined && certPath !== undefined ? { tls: { keyPath, certPath } } : {}),
    },
  };
}

/** What to print once listening: where things are, the demo credentials, commands to try. */
export function banner(
  o: CliOptions,
  url: string,
  paths: { stat: string; token: string },
  months: { last: string; yearBefore: string },
): string {
  const { stat: statPath, token: tokenPath } = paths;
  const name = o.family === "gluu4" ? "Gluu Server 4.x (oxAuth)" : "Janssen / Gluu Flex";
  const k = o.tls ? "-k " : "";
  const auth =
    o.authMethod === "client_secret_basic"
      ? `-u '${o.clientId}:${o.clientSecret}' -d 'grant_type=client_credentials&scope=jans_stat'`
      : `-d 'grant_type=client_credentials&scope=jans_stat&client_id=${o.clientId}&client_secret=${o.clientSecret}'`;
  const interval =
    o.family === "janssen"
      ? "none (Janssen)"
      : o.intervalLimitS === 0
        ? "off"
        : `${o.intervalLimitS} s between processed stat requests, server-wide (403 otherwise)`;
  return [
    `${name} statistics emulator at ${url}`,
    `  discovery  ${url}/.well-known/openid-configuration`,
    `  token      ${url}${tokenPath}`,
    `  stat       ${url}${statPath}`,
    `  client     ${o.clientId} / ${o.clientSecret}  (${o.authMethod}; fake demo credentials)`,
    `  interval   ${interval}`,
    "",
    "Try:",
    `  TOKEN=$(curl -s ${k}${auth} ${url}${tokenPath} | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    `  curl -s ${k}-H "Authorization: Bearer $TOKEN" '${url}${statPath}?month=${months.yearBefore}%20${months.last}'`,
    `  curl -s ${k}-H "Authorization: Bearer $TOKEN" '${url}${statPath}?month=${months.last}&format=openmetrics'`,
    ...(o.family === "janssen"
      ? [
          `  curl -s ${k}-H "Authorization: Bearer $TOKEN" '${url}${statPath}?start-month=${months.yearBefore}&end-month=${months.last}&format=jsonmonth'`,
        ]
      : []),
    "",
    "Ctrl-C stops it.",
  ].join("\n");
}
