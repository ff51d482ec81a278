/**
 * `doctor`: checks each link of the chain a stat request needs, in order, and prints the fix for
 * the first that breaks. It never sends a request that would use up the Gluu 4.x interval.
 */

import { ConfigError, type Env, type GluuConfig, gluuConfig, gluuWarnings } from "../config/index.js";
import { errorText } from "../errors/index.js";
import { fetchDiscovery } from "../gluu/discovery.js";
import { isGluuError, StatClient } from "../gluu/index.js";

export interface Check {
  readonly ok: boolean;
  readonly label: string;
  readonly detail?: string;
  /** Worth fixing, but the chain works: printed with "!", and doctor still passes. */
  readonly warning?: boolean;
}

export type Printer = (check: Check) => void;

export const printCheck =
  (write: (line: string) => void): Printer =>
  (check) =>
    write(
      `${check.warning ? "!" : check.ok ? "✓" : "✗"} ${check.label}${check.detail ? `\n    ${check.detail.replace(/\n/g, "\n    ")}` : ""}`,
    );

function explain(err: unknown): string {
  if (isGluuError(err) || err instanceof ConfigError) return err.message;
  return errorText(err);
}

/** Returns true when every check passed. */
export async function gluuDoctor(env: Env, print: Printer, extra?: Partial<GluuConfig>): Promise<boolean> {
  let config: GluuConfig;
  try {
    config = { ...gluuConfig(env), ...extra };
  } catch (err) {
    print({ ok: false, label: "configuration", detail: explain(err) });
    return false;
  }
  print({ ok: true, label: `configuration: ${config.url}, client ${config.clientId}, ${config.authMethod}` });
  for (const warning of gluuWarnings(env)) print({ ok: true, warning: true, label: warning });
  if (config.tlsInsecure) {
    print({
      ok: false,
      label: "TLS verification is off (GLUU_TLS_INSECURE=true)",
      detail: "fine for a lab; in production trust the server's CA with GLUU_CA_FILE instead",
    });
  } else if (config.url.startsWith("https:")) {
    print({
      ok: true,
      label: `TLS verified${config.caFile ? ` (system CAs + ${config.caFile})` : " (system CAs)"}`,
    });
  }
  const client = new StatClient(config);
  try {
    if (config.tokenUrl) {
      print({ ok: true, label: `token endpoint (GLUU_TOKEN_URL): ${config.tokenUrl}` });
    } else {
      try {
        const d = await fetchDiscovery(client.send, config.url);
        print({ ok: true, label: `discovery: token endpoint ${d.token_endpoint}` });
      } catch (err) {
        print({ ok: false, label: "discovery", detail: explain(err) });
        return false;
      }
    }
    try {
      const token = await client.tokens.get();
      const seconds = Math.max(0, Math.round((token.expiresAt - Date.now()) / 1000));
      print({
        ok: true,
        label: `token: granted scopes "${token.scopes.join(" ")}", valid for ~${seconds} s`,
      });
    } catch (err) {
      print({ ok: false, label: "token", detail: explain(err) });
      return false;
    }
    try {
      const probe = await client.probe();
      const family = probe.endpoint.family === "gluu4" ? "Gluu Server 4.x (oxAuth)" : "Janssen / Gluu Flex";
      print({ ok: true, label: `stat endpoint: ${probe.endpoint.url} (${family})` });
      if (!probe.tokenAccepted) {
        print({
          ok: false,
          label: "stat endpoint refused the token",
          detail: `the client needs scope ${config.scope}, and the server's statAuthorizationScope must be ${config.scope}`,
        });
        return false;
      }
      print({
        ok: true,
        label: "stat endpoint accepts the token (checked without using the request interval)",
      });
      if (probe.endpoint.family === "gluu4") {
        print({
          ok: true,
          label: `Gluu 4.x allows one stat request per statWebServiceIntervalLimitInSeconds; the bot spaces its requests by GLUU_MIN_INTERVAL_S=${config.minIntervalS}`,
        });
      }
    } catch (err) {
      print({ ok: false, label: "stat endpoint", detail: explain(err) });
      return false;
    }
    return true;
  } finally {
    await client.close();
  }
}
