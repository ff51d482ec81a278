/**
 * The state store, shared by the monthly post and the stat service: which summaries were
 * delivered (the exactly-once record), the delivery history shown by `/gluu-stats history`, and
 * (so closed months survive restarts) the stat cache. Two implementations: a file under
 * STATE_DIR (default) and Redis (REDIS_URL, shared by replicas). Both are tested against the
 * same contract.
 */
import { z } from "zod";
import { type MonthKey, parseMonthKey } from "../months.js";
import type { SharedSampleStore } from "./samples.js";
import type { SharedCacheStore } from "./stat-cache.js";

/** One summary for one channel: the unit of exactly-once. `month` is `yyyyMM`. */
export interface DeliveryKey {
  readonly channel: string;
  readonly month: string;
}

export type DeliveryState =
  /** Recorded before the post: a crash after this leaves a trace to reconcile on restart. */
  | { readonly status: "pending"; readonly since: number; readonly owner: string }
  /** Slack accepted the post. */
  | { readonly status: "posted"; readonly at: number; readonly ts: string; readonly link?: string }
  /** Gave up after the retry window. */
  | { readonly status: "failed"; readonly at: number; readonly error: string };

export type HistoryTrigger = "scheduled" | "catch-up" | "manual" | "forced";
export type HistoryOutcome = "posted" | "failed" | "skipped";

export interface HistoryEntry {
  readonly id: string;
  readonly month: string;
  readonly channel: string;
  readonly at: number;
  readonly trigger: HistoryTrigger;
  readonly outcome: HistoryOutcome;
  readonly error?: string;
  /** Permalink of the Slack message, when it was posted. */
  readonly link?: string;
  readonly attempts?: number;
}

export interface StateStore {
  getDelivery(key: DeliveryKey): Promise<DeliveryState | undefined>;
  /**
   * Atomically sets `pending` for `key` when it has no state, or when its pending state is
   * older than `staleMs` (its owner died); true when this caller now owns the delivery.
   */
  claimDelivery(key: DeliveryKey, owner: string, now: number, staleMs: number): Promise<boolean>;
  setDelivery(key: DeliveryKey, state: DeliveryState): Promise<void>;
  /** Drops a delivery's state (`post --force`). */
  clearDelivery(key: DeliveryKey): Promise<void>;
  /** Every delivery still pending: what a restart must reconcile. */
  pendingDeliveries(): Promise<Array<{ key: DeliveryKey; state: DeliveryState & { status: "pending" } }>>;
  appendHistory(entry: HistoryEntry): Promise<void>;
  /** Newest first. The store keeps at least the last 500 entries. */
  history(limit: number): Promise<HistoryEntry[]>;
  /** Closed months of the stat cache live here too, so a restart does not ask for them again. */
  readonly statCache: SharedCacheStore;
  /** The MAU of months in progress, sampled hourly: their curve (samples.ts). */
  readonly samples: SharedSampleStore;
  close(): Promise<void>;
}

export class StateCorruptError extends Error {
  override readonly name = "StateCorruptError";
}

/* Validation of stored state, shared by both stores: what is read back from a file or from Redis
 * was written by another process, maybe another release, maybe a human, so it is checked before
 * it can steer the exactly-once logic. The stat cache's schema is in stat-cache.ts. */

/** The store keeps (at least, and at most) this many history entries. */
export const HISTORY_CAP = 500;

export const monthKeySchema = z
  .string()
  .refine((k) => parseMonthKey(k) !== undefined, "expected a yyyyMM month key")
  .transform((k) => k as MonthKey);

export const deliveryStateSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("pending"), since: z.number(), owner: z.string() }),
  z.object({ status: z.literal("posted"), at: z.number(), ts: z.string(), link: z.string().optional() }),
  z.object({ status: z.literal("failed"), at: z.number(), error: z.string() }),
]);

export const historyEntrySchema = z.object({
  id: z.string(),
  month: z.string(),
  channel: z.string(),
  at: z.number(),
  trigger: z.enum(["scheduled", "catch-up", "manual", "forced"]),
  outcome: z.enum(["posted", "failed", "skipped"]),
  error: z.string().optional(),
  link: z.string().optional(),
  attempts: z.number().int().nonnegative().optional(),
});

/** The first few problems, one line: enough to find the bad value in a file or a key. */
export function describeIssues(error: z.ZodError, max = 3): string {
  const shown = error.issues
    .slice(0, max)
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`);
  const more = error.issues.length > max ? ` (and ${error.issues.length - max} more)` : "";
  return shown.join("; ") + more;
}
