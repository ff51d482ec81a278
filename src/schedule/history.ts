/**
 * The delivery history as people read it: what was recorded, and in front of it what is being
 * posted right now (claimed, not yet recorded). Between "posted in Slack" and "recorded" a
 * delivery is only a pending claim; without it, `/gluu-stats history` said "nothing posted"
 * right after the summary appeared in the channel.
 */

import { monthKey } from "../months.js";
import type { HistoryLine } from "../report/view.js";
import { type DeliveryKey, type HistoryEntry, parseSubject, type StateStore } from "../state/index.js";

export interface InFlightDelivery {
  readonly key: DeliveryKey;
  readonly since: number;
}

/** Deliveries in flight first (newest first), then the recorded history; at most `limit`. */
export function historyLines(
  recorded: readonly HistoryEntry[],
  inFlight: readonly InFlightDelivery[],
  limit = 12,
): HistoryLine[] {
  const posting: HistoryLine[] = [...inFlight]
    .sort((a, b) => b.since - a.since)
    .map((d) => ({
      ...subjectOf(d.key.month),
      channel: d.key.channel,
      at: d.since,
      trigger: "in flight",
      outcome: "posting",
    }));
  return [...posting, ...recorded.map((e) => ({ ...e, ...subjectOf(e.month) }))].slice(0, limit);
}

/** The stored key as the month and, for an alert, its threshold; for a file, which one. */
function subjectOf(key: string): { month: string; alert?: number; file?: "chart" | "csv" } {
  const s = parseSubject(key);
  if (!s) return { month: key };
  switch (s.kind) {
    case "summary":
      return { month: key };
    case "alert":
      return { month: monthKey(s.month), alert: s.threshold };
    case "file":
      return { month: monthKey(s.month), file: s.file };
  }
}

/** Reads both from the store. */
export async function readHistory(store: StateStore, limit = 12): Promise<HistoryLine[]> {
  const [recorded, pending] = await Promise.all([store.history(limit), store.pendingDeliveries()]);
  return historyLines(
    recorded,
    pending.map((p) => ({ key: p.key, since: p.state.since })),
    limit,
  );
}
