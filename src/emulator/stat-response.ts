/**
 * The server's `StatResponse` before serialisation: a hash map of month → item, each item with
 * a hash map of grant type → token counts. Both writers walk it in the same order, so JSON and
 * OpenMetrics answers to one request agree.
 */
import type { MonthStats } from "../gluu/model.js";
import { monthKey } from "../months.js";
import { hashMapOrder, javaStringHash } from "./java-order.js";
import { shuffled } from "./random.js";

export interface ResponseItem {
  /** `yyyyMM` */
  readonly key: string;
  readonly stats: MonthStats;
  /** Grant types in the order the server's map yields them. */
  readonly grantTypes: readonly string[];
}

/**
 * Orders months and grant types as Java's HashMap does (the server's `new HashMap<>()`),
 * or shuffles them with `random` when given, for tests that must not depend on any order.
 * A month given twice keeps its first position and its last value, as `Map.put` does.
 */
export function responseItems(stats: readonly MonthStats[], random?: () => number): ResponseItem[] {
  const byKey = new Map<string, MonthStats>();
  for (const s of stats) byKey.set(monthKey(s.month), s);
  const keys = [...byKey.keys()];
  const monthOrder = random ? shuffled(keys, random) : hashMapOrder(keys, javaStringHash);
  return monthOrder.map((key) => {
    const s = byKey.get(key) as MonthStats;
    const grantTypes = Object.keys(s.tokens);
    return {
      key,
      stats: s,
      grantTypes: random ? shuffled(grantTypes, random) : hashMapOrder(grantTypes, javaStringHash),
    };
  });
}
