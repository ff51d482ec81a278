/**
 * The only reader of process.env. The environment is validated once, at start-up, and a bad
 * value stops the program with a message naming each variable and what it should look like.
 */

import { z } from "zod";
import { BotError } from "../errors/index.js";
import { isValidTimeZone } from "../months.js";
import { parseCidr } from "./cidr.js";
import { issuerProblem } from "./issuer.js";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => v === "true" || v === "1" || v === "yes");

const idList = (what: string) =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(
      z.array(z.string().regex(/^[A-Z0-9]+$/, `each entry must be a Slack ${what} ID such as U0123ABCD`)),
    );

const httpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://idp.example.com" })
  .transform((u) => u.replace(/\/+$/, ""));

/** The formats the bot can ask the statistics endpoint for (GLUU_STAT_FORMAT). */
export const STAT_FORMATS = ["json", "openmetrics"] as const;
export type StatFormat = (typeof STAT_FORMATS)[number];

/** GLUU_URL: an http(s) URL that is an issuer, not an endpoint or the discovery document. */
const issuerUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://idp.example.com" })
  .superRefine((url, ctx) => {
    const problem = issuerProblem(url);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform((u) => u.replace(/\/+$/, ""));

const positiveInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every variable of the product, with its rule. `.env.example` lists the same names. */
export const envSchema = z.object({
  /** Several servers: their names, the first the default (config/servers.ts reads the rest). */
  GLUU_SERVERS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  /** What replies call the one server; default: the issuer's host. */
  GLUU_NAME: z.string().min(1).max(60, "must be at most 60 characters").optional(),
  GLUU_URL: issuerUrl.optional(),
  GLUU_CLIENT_ID: z.string().min(1).optional(),
  GLUU_CLIENT_SECRET: z.string().min(1).optional(),
  GLUU_TOKEN_URL: httpUrl.optional(),
  GLUU_STAT_URL: httpUrl.optional(),
  GLUU_CA_FILE: z.string().min(1).optional(),
  GLUU_TLS_INSECURE: bool,
  GLUU_AUTH_METHOD: z.enum(["client_secret_basic", "client_secret_post"]).default("client_secret_basic"),
  GLUU_SCOPE: z
    .string()
    .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, "must be space-separated scope names")
    .default("jans_stat"),
  GLUU_MIN_INTERVAL_S: positiveInt(0, 86_400).default(60),
  GLUU_STAT_FORMAT: z.enum(STAT_FORMATS).default("json"),
  GLUU_TIMEOUT_MS: positiveInt(100, 600_000).default(15_000),
  GLUU_MAX_BODY_BYTES: positiveInt(1024, 1024 * 1024 * 1024).default(5 * 1024 * 1024),
  GLUU_CLOSE_GRACE_MIN: positiveInt(0, 7 * 24 * 60).default(120),
  /** The licensed monthly active users: every answer shows usage against it. */
  GLUU_MAU_LIMIT: positiveInt(1, 1_000_000_000).optional(),

  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xox[bp]-/, "must be a bot token starting with xoxb-")
    .optional(),
  SLACK_SIGNING_SECRET: z.string().min(8).optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, "must be an app-level token starting with xapp-")
    .optional(),
  SLACK_API_URL: httpUrl.transform((u) => `${u}/`).optional(),
  PORT: positiveInt(0, 65_535).default(3000),
  ALLOWED_USER_IDS: idList("user"),
  ALLOWED_CHANNEL_IDS: idList("channel"),
  ADMIN_USER_IDS: idList("user"),

  REPORT_CHANNEL: idList("channel"),
  REPORT_CRON: z.string().min(1).default("0 9 1 * *"),
  REPORT_TZ: z
    .string()
    .default("UTC")
    .refine(isValidTimeZone, "must be an IANA time zone such as Europe/Berlin"),
  REPORT_RETRY_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 27)
    .default(6),
  /** Licence alerts: where, at which percentages of GLUU_MAU_LIMIT, and how often to check. */
  ALERT_CHANNEL: idList("channel"),
  ALERT_THRESHOLDS: z
    .string()
    .default("80,100")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^[1-9]\d*$/, "each entry must be a whole percentage such as 80")
            .transform(Number)
            .pipe(z.number().max(1000, "each entry must be at most 1000 (%)")),
        )
        .min(1, "must name at least one percentage, e.g. 80,100"),
    )
    .transform((list) => [...new Set(list)].sort((a, b) => a - b)),
  ALERT_CRON: z.string().min(1).default("17 * * * *"),
  STATE_DIR: z.string().min(1).default("./data"),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).optional(),

  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  /** Who may read /metrics and /readyz besides loopback (see slack/probe-access.ts). */
  METRICS_ALLOW: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(
      z.array(
        z
          .string()
          .refine(
            (c) => parseCidr(c) !== undefined,
            "each entry must be a CIDR such as 10.0.0.0/8 or fd00::/8",
          ),
      ),
    ),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
});

export type Env = z.infer<typeof envSchema> & {
  /** The GLUU_* variables the schema does not know: per-server settings (and typos of them). */
  readonly serverVariables: Readonly<Record<string, string>>;
};

export class ConfigError extends BotError<"config"> {
  override readonly name = "ConfigError";
  readonly code = "config";
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }

  /** Only somebody changing the configuration can fix it. */
  get canRetry(): boolean {
    return false;
  }
}

/** Empty strings count as unset: `.env` files often carry `NAME=` lines. */
function withoutEmpty(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== "") out[k] = v.trim();
  return out;
}

/** Rules between variables, each valid on its own. */
function crossProblems(env: Env): string[] {
  const out: string[] = [];
  // With GLUU_SERVERS a server's own GLUU_<NAME>_MAU_LIMIT counts too (config/servers.ts).
  if (env.ALERT_CHANNEL.length > 0 && env.GLUU_MAU_LIMIT === undefined && env.GLUU_SERVERS.length === 0) {
    out.push(
      "ALERT_CHANNEL: licence alerts need the licensed limit: set GLUU_MAU_LIMIT to the MAU your licence allows, or remove ALERT_CHANNEL",
    );
  }
  return out;
}

export function parseEnv(env: Readonly<Record<string, string | undefined>>): Env {
  const given = withoutEmpty(env);
  const result = envSchema.safeParse(given);
  if (result.success) {
    const serverVariables: Record<string, string> = {};
    for (const [k, v] of Object.entries(given)) {
      if (k.startsWith("GLUU_") && !(k in envSchema.shape)) serverVariables[k] = v;
    }
    const parsed: Env = { ...result.data, serverVariables };
    const problems = crossProblems(parsed);
    if (problems.length > 0) throw new ConfigError(problems);
    return parsed;
  }
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      // Never echo the value: it may be a secret.
      return `${name}: ${issue.message}`;
    }),
  );
}
