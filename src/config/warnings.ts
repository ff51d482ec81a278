/**
 * Settings that are valid but probably not what was meant. They do not stop start-up (a lab
 * may want exactly this); `serve` logs each at warn level and `doctor` prints each.
 */
import type { Env } from "./env.js";
import { hostOf, isPlainHttpToNetwork } from "./issuer.js";

type RawEnv = Readonly<Record<string, string | undefined>>;

/** Same rule as parseEnv: an empty value counts as unset. */
const given = (raw: RawEnv, name: string) => (raw[name]?.trim() ?? "") !== "";

/** The Gluu URLs that carry the client secret (token) or the access token (stat). */
const GLUU_URLS = ["GLUU_URL", "GLUU_TOKEN_URL", "GLUU_STAT_URL"] as const;

/**
 * Settings read only by the monthly post. REPORT_TZ is not one: replies show times in it too.
 */
export const MONTHLY_ONLY = ["REPORT_CRON", "REPORT_RETRY_HOURS"] as const;

/** Plain http:// to a host other than this machine. */
export function gluuWarnings(env: Env): string[] {
  const out: string[] = [];
  for (const name of GLUU_URLS) {
    const url = env[name];
    if (url && isPlainHttpToNetwork(url)) {
      out.push(
        `${name}: plain http:// to ${hostOf(url)}, which is not this machine: the client secret and tokens travel unencrypted; use https://`,
      );
    }
  }
  return out;
}

/**
 * Monthly-post settings set while no monthly post is configured. Only variables present in
 * `raw` count: the defaults are always there and say nothing about what the operator meant.
 */
export function scheduleWarnings(env: Env, raw: RawEnv): string[] {
  if (env.REPORT_CHANNEL.length > 0) return [];
  return MONTHLY_ONLY.filter((name) => given(raw, name)).map(
    (name) =>
      `${name}: has no effect without REPORT_CHANNEL, since there is no monthly post; set REPORT_CHANNEL to the channel ID to post in, or remove ${name}`,
  );
}

/** Every start-up warning, one line each, starting with the variable's name. */
export function startupWarnings(env: Env, raw: RawEnv): string[] {
  return [...gluuWarnings(env), ...scheduleWarnings(env, raw)];
}
