/**
 * The delivery history as people read it: what was recorded, and in front of it what is being
 * posted right now (claimed, not yet recorded). Between "posted in Slack" and "recorded" a
 * delivery is only a pending claim; without it, `/gluu-stats history` said "nothing posted"
 * right after the summary appeared in the channel.
 */

import { monthKey } from "../months.js";
import type { HistoryLine } from "../report/view.js";
import {
  type DeliveryKey,
  HISTORY_CAP,
  type HistoryEntry,
  parseSubject,
  type StateStore,
} from "../state/index.js";

/** With several Gluu servers: whose deliveries, and how each line names its server. */
export interface HistoryScope {
  /** Only this server's deliveries (`server` undefined: the default server's). */
  readonly only?: { readonly server: string | undefined };
  /** The name shown on each line; absent with one server, where lines name none. */
  readonly label?: (server: string | undefined) => string;
}

export interface InFlightDelivery {
  readonly key: DeliveryKey;
  readonly since: number;
}

/** Deliveries in flight first (newest first), then the recorded history; at most `limit`. */
export function historyLines(
  recorded: readonly HistoryEntry[],
  inFlight: readonly InFlightDelivery[],
  limit = 12,
  scope: HistoryScope = {},
): HistoryLine[] {
  const { only, label } = scope;
  const mine = (key: string) => !only || parseSubject(key)?.server === only.server;
  const posting: HistoryLine[] = [...inFlight]
    .filter((d) => mine(d.key.month))
    .sort((a, b) => b.since - a.since)
    .map((d) => ({
      ...subjectOf(d.key.month, label),
      channel: d.key.channel,
      at: d.since,
      trigger: "in flight",
      outcome: "posting",
    }));
  const done = recorded.filter((e) => mine(e.month)).map((e) => ({ ...e, ...subjectOf(e.month, label) }));
  return [...posting, ...done].slice(0, limit);
}

/** The stored key as the month and, for an alert, its threshold; for a file, which one. */
function subjectOf(
  key: string,
  label: HistoryScope["label"],
): { month: string; alert?: number; file?: "chart" | "csv"; server?: string } {
  const s = parseSubject(key);
  if (!s) return { month: key };
  const server = label ? { server: label(s.server) } : {};
  switch (s.kind) {
    case "summary":
      return { month: monthKey(s.month), ...server };
    case "alert":
      return { month: monthKey(s.month), alert: s.threshold, ...server };
    case "file":
      return { month: monthKey(s.month), file: s.file, ...server };
  }
}

/** Reads both from the store; for one server, from the whole kept history. */
export async function readHistory(
  store: StateStore,
  limit = 12,
  scope: HistoryScope = {},
): Promise<HistoryLine[]> {
  const [recorded, pending] = await Promise.all([
    store.history(scope.only ? HISTORY_CAP : limit),
    store.pendingDeliveries(),
  ]);
  return historyLines(
    recorded,
    pending.map((p) => ({ key: p.key, since: p.state.since })),
    limit,
    scope,
  );
}
