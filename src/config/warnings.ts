/**
 * Settings that are valid but probably not what was meant. They do not stop start-up (a lab
 * may want exactly this); `serve` logs each at warn level and `doctor` prints each.
 */
import { type Env, parseEnv } from "./env.js";
import { hostOf, isPlainHttpToNetwork } from "./issuer.js";

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
 * Monthly-post settings changed from their defaults while no monthly post is configured. A value
 * equal to the default is not a choice worth a warning: `.env.example` spells every default out,
 * so a copied example would warn about settings nobody chose. Any other value was set on purpose.
 */
export function scheduleWarnings(env: Env): string[] {
  if (env.REPORT_CHANNEL.length > 0) return [];
  // A server's own GLUU_<NAME>_REPORT_CHANNEL is a monthly post too.
  const own = Object.entries(env.serverVariables).some(
    ([name, value]) => name.endsWith("_REPORT_CHANNEL") && value.trim() !== "",
  );
  if (own) return [];
  const defaults = parseEnv({});
  return MONTHLY_ONLY.filter((name) => env[name] !== defaults[name]).map(
    (name) =>
      `${name}: has no effect without REPORT_CHANNEL, since there is no monthly post; set REPORT_CHANNEL to the channel ID to post in, or remove ${name}`,
  );
}

/** Settings read only by the licence alerts. */
export const ALERT_ONLY = ["ALERT_THRESHOLDS", "ALERT_CRON"] as const;

/** Alert settings changed from their defaults while no alert channel is configured. */
export function alertWarnings(env: Env): string[] {
  if (env.ALERT_CHANNEL.length > 0) return [];
  const defaults = parseEnv({});
  return ALERT_ONLY.filter((name) => String(env[name]) !== String(defaults[name])).map(
    (name) =>
      `${name}: has no effect without ALERT_CHANNEL, since no licence alert is posted; set ALERT_CHANNEL to the channel ID to alert in, or remove ${name}`,
  );
}

/** Every start-up warning, one line each, starting with the variable's name. */
export function startupWarnings(env: Env): string[] {
  return [...gluuWarnings(env), ...scheduleWarnings(env), ...alertWarnings(env)];
}
