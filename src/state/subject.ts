/**
 * What a delivery is about, as written in its key's `month` field (kept under that name so
 * state written by earlier releases reads the same): `yyyyMM` for the month's summary, and
 * `yyyyMM:mau-80` for the licence alert of that month at 80 % of the limit. Each kind has its
 * own keys, so the summary's catch-up never touches an alert and the other way round.
 */
import { type Month, monthKey, parseMonthKey } from "../months.js";

export type DeliverySubject =
  | { readonly kind: "summary"; readonly month: Month }
  | { readonly kind: "alert"; readonly month: Month; readonly threshold: number };

export function subjectKey(s: DeliverySubject): string {
  return s.kind === "summary" ? monthKey(s.month) : `${monthKey(s.month)}:mau-${s.threshold}`;
}

/** Undefined for keys no release writes (a hand-edited file): those are left alone. */
export function parseSubject(key: string): DeliverySubject | undefined {
  const match = /^(\d{6})(?::mau-([1-9]\d{0,3}))?$/.exec(key);
  const month = match ? parseMonthKey(match[1] ?? "") : undefined;
  if (!match || !month) return undefined;
  return match[2] === undefined
    ? { kind: "summary", month }
    : { kind: "alert", month, threshold: Number(match[2]) };
}
