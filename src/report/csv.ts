/**
 * CSV for auditors (RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a
 * comma, quote or line break, quotes doubled; a header row; months as ISO `2021-11`).
 *
 * Two layouts, because one cannot serve both questions an auditor asks:
 * - `renderCsv`: one row per month. MAU is the billed figure and must never be repeated on
 *   several rows (a spreadsheet SUM would multiply it), so token counts appear here only as
 *   totals per token kind, in fixed columns.
 * - `renderTokensCsv`: the detail, long format, one row per month × grant type × token kind.
 *   Grant types are open-ended server strings, so they are values in a column, never headers.
 * Numbers are plain digits without grouping (`12345678`): a `,` would need quoting and reads
 * as a decimal separator in many locales. A month without data has an empty MAU, never 0.
 */
import { STANDARD_TOKEN_KINDS } from "../gluu/model.js";
import { isoMonth } from "../months.js";
import type { BillingExport, SeriesRow } from "./summary.js";
import { tokenTotals } from "./summary.js";

const CRLF = "\r\n";

/** Lone surrogates cannot be written as UTF-8; they become U+FFFD rather than corrupt the file. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/**
 * One text cell. A server string starting with `=`, `+`, `-`, `@`, tab or CR would run as a
 * formula when the file is opened in a spreadsheet (OWASP "CSV injection"); a leading `'` keeps
 * it text. Only text cells are guarded: numbers are written by us.
 */
export function csvText(value: string): string {
  const safe = wellFormed(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A number cell: plain digits; empty for "no value" and for anything that is not a finite number. */
export function csvNumber(value: number | undefined): string {
  return value !== undefined && Number.isFinite(value) ? String(value) : "";
}

function record(cells: readonly string[]): string {
  return cells.join(",") + CRLF;
}

/**
 * One row per month: `month,status,mau,tokens_total,access_token,id_token,refresh_token,uma_token`
 * and, after those, a column per other token kind any month reports (sorted by name); with a
 * licensed limit (GLUU_MAU_LIMIT), `licensed_mau,licensed_percent` last.
 */
export function renderCsv(rows: readonly SeriesRow[]): string {
  const totals = rows.map((r) => (r.stats ? tokenTotals(r.stats) : undefined));
  const standard: readonly string[] = STANDARD_TOKEN_KINDS;
  const extra = [
    ...new Set(
      totals.flatMap((t) => (t ? t.kinds.map((k) => k.kind).filter((k) => !standard.includes(k)) : [])),
    ),
  ].sort();
  const kinds = [...standard, ...extra];
  const limit = rows.find((r) => r.usage)?.usage?.limit;
  const licensed = (r: SeriesRow) =>
    limit === undefined
      ? []
      : [csvNumber(limit), r.usage ? csvNumber(Math.round(r.usage.percent * 10) / 10) : ""];
  let out = record([
    "month",
    "status",
    "mau",
    "tokens_total",
    ...kinds.map(csvText),
    ...(limit === undefined ? [] : ["licensed_mau", "licensed_percent"]),
  ]);
  rows.forEach((r, i) => {
    const t = totals[i];
    if (!r.stats || !t) {
      out += record([isoMonth(r.month), "no data", "", "", ...kinds.map(() => ""), ...licensed(r)]);
      return;
    }
    const byKind = new Map(t.kinds.map((k) => [k.kind, k.count]));
    out += record([
      isoMonth(r.month),
      "ok",
      csvNumber(r.stats.mau),
      csvNumber(t.total),
      ...kinds.map((k) => csvNumber(byKind.get(k) ?? 0)),
      ...licensed(r),
    ]);
  });
  return out;
}

/**
 * Long format: `month,grant_type,token_kind,count`, grant types as the server names them (raw,
 * so they match the server's own reports), largest first within a month. Months without data
 * have no rows here; `renderCsv` lists them.
 */
export function renderTokensCsv(rows: readonly SeriesRow[]): string {
  let out = record(["month", "grant_type", "token_kind", "count"]);
  for (const r of rows) {
    if (!r.stats) continue;
    for (const g of tokenTotals(r.stats).grantTypes) {
      for (const k of g.kinds) {
        out += record([isoMonth(r.month), csvText(g.grantType), csvText(k.kind), csvNumber(k.count)]);
      }
    }
  }
  return out;
}

/**
 * The billing export as CSV, for people outside Slack: a `month,mau` row per month (a month
 * without data has an empty `mau`, never 0), then the average, the maximum and the
 * `mau-signature` rows the exporter prints, so the file can be checked against it on its own.
 */
export function renderBillingCsv(exp: BillingExport): string {
  let out = record(["month", "mau"]);
  for (const r of exp.rows) out += record([isoMonth(r.month), csvNumber(r.mau)]);
  out += record(["average", csvNumber(exp.average === undefined ? undefined : Math.round(exp.average))]);
  out += record(["maximum", csvNumber(exp.maximum?.mau)]);
  out += record(["mau-signature", csvText(exp.signature)]);
  return out;
}
