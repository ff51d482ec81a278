/**
 * What a delivery is about, as written in its key's `month` field (kept under that name so
 * state written by earlier releases reads the same): `yyyyMM` for the month's summary, and
 * `yyyyMM:mau-80` for the licence alert of that month at 80 % of the limit, and `yyyyMM:file-chart`
 * / `yyyyMM:file-csv` for a file attached to the month's summary in its thread. Each kind has its
 * own keys, so the summary's catch-up never touches an alert and the other way round, and a file
 * that failed to upload never makes its summary look unposted.
 *
 * With several Gluu servers, a server other than the default writes its name in front
 * (`staging:202611`, `staging:202611:file-csv`), as the stat cache does: the default server keeps
 * the single-server keys, so a state file from a single-server release is the default's.
 */
import { type Month, monthKey, parseMonthKey } from "../months.js";

/** A file attached to a month's summary (src/files builds them; the key only needs the kind). */
export type FileKind = "chart" | "csv";
export const FILE_KINDS: readonly FileKind[] = ["chart", "csv"];

/** Absent: the default server (the first of GLUU_SERVERS, or the only one). */
interface OfServer {
  readonly server?: string;
}

export type DeliverySubject = OfServer &
  (
    | { readonly kind: "summary"; readonly month: Month }
    | { readonly kind: "alert"; readonly month: Month; readonly threshold: number }
    | { readonly kind: "file"; readonly month: Month; readonly file: FileKind }
  );

export function subjectKey(s: DeliverySubject): string {
  const scope = s.server === undefined ? "" : `${s.server}:`;
  switch (s.kind) {
    case "summary":
      return `${scope}${monthKey(s.month)}`;
    case "alert":
      return `${scope}${monthKey(s.month)}:mau-${s.threshold}`;
    case "file":
      return `${scope}${monthKey(s.month)}:file-${s.file}`;
  }
}

/** Undefined for keys no release writes (a hand-edited file): those are left alone. */
export function parseSubject(key: string): DeliverySubject | undefined {
  const match = /^(?:([a-z][a-z0-9-]{0,19}):)?(\d{6})(?::mau-([1-9]\d{0,3})|:file-(chart|csv))?$/.exec(key);
  const month = match ? parseMonthKey(match[2] ?? "") : undefined;
  if (!match || !month) return undefined;
  const server = match[1] !== undefined ? { server: match[1] } : {};
  if (match[3] !== undefined) return { kind: "alert", month, threshold: Number(match[3]), ...server };
  if (match[4] === "chart" || match[4] === "csv") return { kind: "file", month, file: match[4], ...server };
  return { kind: "summary", month, ...server };
}
