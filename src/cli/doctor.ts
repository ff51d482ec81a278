/**
 * `doctor`: checks each link of the chain a stat request needs, in order, and prints the fix for
 * the first that breaks. It never sends a request that would use up the Gluu 4.x interval.
 */

import {
  ConfigError,
  type Env,
  type GluuConfig,
  gluuConfig,
  gluuWarnings,
  type ServerConfig,
  serverConfigs,
  serverVariable,
} from "../config/index.js";
import { hostOf, isPlainHttpToNetwork } from "../config/issuer.js";
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
  return checkServer(config, print, gluuWarnings(env));
}

/**
 * `doctor` with GLUU_SERVERS: every server checked at once (a down one costs its timeout once,
 * not once per server), printed as one block per server in the configured order.
 */
export async function serversDoctor(env: Env, write: (line: string) => void): Promise<boolean> {
  let servers: readonly ServerConfig[];
  try {
    servers = serverConfigs(env).servers;
  } catch (err) {
    write("Gluu servers");
    printCheck(write)({ ok: false, label: "configuration", detail: explain(err) });
    return false;
  }
  const blocks = await Promise.all(
    servers.map(async (server) => {
      const lines: string[] = [];
      const ok = await checkServer(
        server.gluu,
        printCheck((l) => lines.push(l)),
        plainHttpWarnings(server),
      );
      return { server, lines, ok };
    }),
  );
  blocks.forEach(({ server, lines }, i) => {
    const shown = server.displayName !== server.name ? ` (${server.displayName})` : "";
    write(`${i > 0 ? "\n" : ""}Gluu server ${server.name}${shown}${i === 0 ? ", the default" : ""}`);
    for (const line of lines) write(line);
  });
  return blocks.every((b) => b.ok);
}

/** gluuWarnings for one server's own variables. */
function plainHttpWarnings(server: ServerConfig): string[] {
  const urls = [
    ["URL", server.gluu.url],
    ["TOKEN_URL", server.gluu.tokenUrl],
    ["STAT_URL", server.gluu.statUrl],
  ] as const;
  return urls.flatMap(([setting, url]) =>
    url && isPlainHttpToNetwork(url)
      ? [
          `${serverVariable(server.name, setting)}: plain http:// to ${hostOf(url)}, which is not this machine: the client secret and tokens travel unencrypted; use https://`,
        ]
      : [],
  );
}

/** The chain for one server: configuration, TLS, discovery, token, stat endpoint. */
async function checkServer(
  config: GluuConfig,
  print: Printer,
  warnings: readonly string[],
): Promise<boolean> {
  print({ ok: true, label: `configuration: ${config.url}, client ${config.clientId}, ${config.authMethod}` });
  for (const warning of warnings) print({ ok: true, warning: true, label: warning });
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
