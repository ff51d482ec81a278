/** Builders for report tests: plain model values, written the way the stat client produces them. */
import type { MonthStats, TokenCounts } from "../../src/gluu/model.js";
import { tokenCounts } from "../../src/gluu/model.js";
import type { Month } from "../../src/months.js";

export function m(year: number, month: number): Month {
  return { year, month };
}

export function stats(
  month: Month,
  mau: number,
  tokens: Readonly<Record<string, Readonly<Record<string, number>>>> = {},
): MonthStats {
  const out = new Map<string, TokenCounts>();
  for (const [g, counts] of Object.entries(tokens)) out.set(g, tokenCounts(counts));
  return { month, mau, tokens: Object.fromEntries(out) };
}

/** Every text a Slack message shows, for assertions that must not depend on layout. */
export function allText(message: { readonly text: string; readonly blocks: readonly unknown[] }): string {
  const parts: string[] = [message.text];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k === "text" && typeof x === "string") parts.push(x);
        else walk(x);
      }
    }
  };
  walk(message.blocks);
  return parts.join("\n");
}

/** A standalone figure 0 (not the 0 inside 2021, 10:04 or 0.6%). */
export const STANDALONE_ZERO = /(?<![\d.,:])0(?![\d.,:])/;

export const FETCHED_AT = Date.UTC(2021, 11, 2, 9, 4);
