/**
 * `/gluu-stats all [month]` and `gluu-stats report all`: every server a person may see, side by
 * side for one month. Each server is asked through its own stat service at the same time; a
 * server that has not answered by the deadline, or that the bot knows cannot answer before it
 * (a Gluu 4.x interval still running), shows "unavailable" in its row, and its request goes on
 * filling its cache for the next time. The others are never held back by it.
 *
 * The sum row adds separate servers' MAU: a person who signs in on two servers is counted on
 * each (and each figure is a HyperLogLog estimate), so it is labelled as a sum, never as users.
 */
import { errorText } from "../errors/index.js";
import { isGluuError } from "../gluu/errors.js";
import type { StatResult } from "../gluu/model.js";
import { type Month, type MonthProgress, tryAddMonths } from "../months.js";
import { licenseUsage, mauChange, monthChange, statsOf, tokenTotals } from "../report/summary.js";
import type { ComparisonRow, ComparisonSum, ComparisonView } from "../report/view.js";
import type { AnswerStats } from "./answerer.js";

/** One server's figures for the month and the one before, or why there are none. */
export type ServerFigures =
  | { readonly ok: true; readonly result: StatResult }
  | { readonly ok: false; readonly reason: string };

export interface ComparedServer {
  readonly name: string;
  readonly displayName: string;
  readonly licensedMau?: number;
  readonly figures: ServerFigures;
}

/** The comparison from each server's figures: pure, in the servers' order. */
export function comparisonView(input: {
  readonly month: Month;
  readonly current: boolean;
  readonly progress?: MonthProgress;
  readonly timeZone: string;
  readonly servers: readonly ComparedServer[];
}): ComparisonView {
  const { month, current } = input;
  const before = tryAddMonths(month, -1);
  const rows = input.servers.map((s): ComparisonRow => {
    const base = { name: s.name, displayName: s.displayName };
    if (!s.figures.ok) return { ...base, unavailable: s.figures.reason };
    const stats = statsOf(s.figures.result, month);
    if (!stats) return { ...base, noData: true };
    const previous = before ? statsOf(s.figures.result, before) : undefined;
    const change = current ? undefined : monthChange(stats, previous);
    return {
      ...base,
      stats,
      tokens: tokenTotals(stats).total,
      ...(change ? { change } : {}),
      ...(s.licensedMau !== undefined ? { usage: licenseUsage(stats.mau, s.licensedMau) } : {}),
    };
  });
  const answered = input.servers.flatMap((s) => (s.figures.ok ? [s.figures.result.fetchedAt] : []));
  const sum = sumOf(input.servers, rows, before, current);
  return {
    kind: "comparison",
    month,
    current,
    ...(input.progress && current ? { progress: input.progress } : {}),
    rows,
    ...(sum ? { sum } : {}),
    ...(answered.length > 0 ? { fetchedAt: Math.min(...answered) } : {}),
    timeZone: input.timeZone,
  };
}

function sumOf(
  servers: readonly ComparedServer[],
  rows: readonly ComparisonRow[],
  before: Month | undefined,
  current: boolean,
): ComparisonSum | undefined {
  const added = rows.filter((r) => r.stats !== undefined);
  if (added.length < 2) return undefined;
  const mau = added.reduce((n, r) => n + (r.stats?.mau ?? 0), 0);
  const tokens = added.reduce((n, r) => n + (r.tokens ?? 0), 0);
  const previous = added.map((r) => {
    const figures = servers.find((s) => s.name === r.name)?.figures;
    return figures?.ok && before ? statsOf(figures.result, before)?.mau : undefined;
  });
  const change =
    current || previous.some((p) => p === undefined)
      ? undefined
      : mauChange(
          mau,
          previous.reduce<number>((n, p) => n + (p ?? 0), 0),
        );
  return { servers: added.length, mau, tokens, ...(change ? { change } : {}) };
}

/** A failure as the few words a row has room for. */
export function unavailableReason(err: unknown): string {
  if (!isGluuError(err)) return `unavailable (${errorText(err).slice(0, 60)})`;
  switch (err.code) {
    case "timeout":
      return "unavailable: did not answer in time";
    case "network":
      return "unavailable: cannot be reached";
    case "server":
      return "unavailable: internal server error";
    case "rate_limited":
      return "unavailable: busy with other statistics requests";
    case "bad_response":
    case "too_large":
      return "unavailable: sent an unreadable answer";
    default:
      return "unavailable: not configured right (run gluu-stats doctor)";
  }
}

/** The months a comparison needs: the month, and the one before for its change. */
export function comparisonMonths(month: Month): Month[] {
  const before = tryAddMonths(month, -1);
  return before ? [before, month] : [month];
}

export interface CompareSource {
  readonly name: string;
  readonly displayName: string;
  readonly licensedMau?: number;
  readonly stats: AnswerStats;
}

function described(s: CompareSource): Omit<ComparedServer, "figures"> {
  return {
    name: s.name,
    displayName: s.displayName,
    ...(s.licensedMau !== undefined ? { licensedMau: s.licensedMau } : {}),
  };
}

/** The comparison from the servers' caches alone, when every one of them can answer now. */
export function peekComparison(
  sources: readonly CompareSource[],
  month: Month,
): ComparedServer[] | undefined {
  const months = comparisonMonths(month);
  const out: ComparedServer[] = [];
  for (const s of sources) {
    const result = s.stats.peek?.(months);
    if (!result) return undefined;
    out.push({ ...described(s), figures: { ok: true, result } });
  }
  return out;
}

/**
 * Asks every server at once for the month and the one before. A server answers from its cache
 * when it can; one that has not answered by the deadline is shown as unavailable.
 */
export async function fetchComparison(
  sources: readonly CompareSource[],
  month: Month,
  opts: { readonly now: () => number; readonly deadlineMs: number },
): Promise<ComparedServer[]> {
  const months = comparisonMonths(month);
  const deadline = opts.now() + opts.deadlineMs;
  return Promise.all(
    sources.map(async (s): Promise<ComparedServer> => {
      const base = described(s);
      const cached = s.stats.peek?.(months);
      if (cached) return { ...base, figures: { ok: true, result: cached } };
      // On Gluu 4.x the request goes out at once and is retried on a refusal (#10), so even a
      // server whose interval looks busy may answer in time: every server gets the deadline.
      const figures = await withDeadline(s.stats.get(months), deadline - opts.now());
      if (figures) return { ...base, figures };
      const readyAt = s.stats.estimateReadyAt?.(months);
      const inS = readyAt === undefined ? 0 : Math.ceil((readyAt - opts.now()) / 1000);
      const reason =
        inS > 1
          ? `unavailable: busy, figures in about ${inS} s`
          : "unavailable: still answering; ask again in a minute";
      return { ...base, figures: { ok: false, reason } };
    }),
  );
}

/** The figures, or undefined when the deadline came first (the request goes on, filling the cache). */
async function withDeadline(pending: Promise<StatResult>, ms: number): Promise<ServerFigures | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([
      pending.then(
        (result): ServerFigures => ({ ok: true, result }),
        (err: unknown): ServerFigures => ({ ok: false, reason: unavailableReason(err) }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
