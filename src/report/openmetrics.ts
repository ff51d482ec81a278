/**
 * `--format openmetrics`: the figures in the Prometheus text format 0.0.4 the servers' own
 * stat endpoint writes (same families, HELP texts, label style and Java-style values), so a
 * tool that already reads the server's answer reads the bot's too. Unlike a server, months and
 * grant types come in calendar and alphabetical order, so two runs diff cleanly.
 */
import { type MonthStats, STANDARD_TOKEN_KINDS, type StandardTokenKind } from "../gluu/model.js";
import { monthKey } from "../months.js";
import { goDouble } from "./java-double.js";

export type OpenMetricsFamily = "monthly_active_users" | StandardTokenKind;

export const OPENMETRICS_HELP: Readonly<Record<OpenMetricsFamily, string>> = {
  monthly_active_users: "Monthly active users",
  access_token: "Access Token",
  id_token: "Id Token",
  refresh_token: "Refresh Token",
  uma_token: "UMA Token",
};

export type OpenMetricsLabels = ReadonlyArray<readonly [string, string]>;

function escapeLabelValue(s: string): string {
  return s.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function escapeHelp(s: string): string {
  return s.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

export function familyHead(name: string, help: string, type: "counter" | "gauge"): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/** `name{a="x",b="y",} 1.0`: the servers' simpleclient puts a comma after every label. */
export function sampleLine(
  name: string,
  labels: OpenMetricsLabels,
  value: number,
  trailingComma = true,
): string {
  const parts = labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  const body = trailingComma ? parts.map((l) => `${l},`).join("") : parts.join(",");
  return `${name}{${body}} ${goDouble(value)}\n`;
}

/** MAU first, then the four token counters, each in calendar order of month. */
export function writeOpenMetrics(stats: readonly MonthStats[]): string {
  const months = [...stats].sort((a, b) => monthKey(a.month).localeCompare(monthKey(b.month)));
  let out = familyHead("monthly_active_users", OPENMETRICS_HELP.monthly_active_users, "counter");
  for (const s of months) out += sampleLine("monthly_active_users", [["month", monthKey(s.month)]], s.mau);
  for (const kind of STANDARD_TOKEN_KINDS) {
    out += familyHead(kind, OPENMETRICS_HELP[kind], "counter");
    for (const s of months) {
      for (const grantType of Object.keys(s.tokens).sort()) {
        const value = s.tokens[grantType]?.[kind] ?? 0;
        out += sampleLine(
          kind,
          [
            ["month", monthKey(s.month)],
            ["grantType", grantType],
          ],
          value,
        );
      }
    }
  }
  return out;
}
