/**
 * What a user asked for, after parsing: the one vocabulary shared by the Slack command, its
 * buttons and the CLI. Nothing reaches the stat client that has not become a Query first.
 */
import type { Month } from "../months.js";

export type Query =
  /** One month. `current` is true when it is the month in progress (figures "so far"). */
  | { readonly kind: "month"; readonly month: Month; readonly current: boolean }
  /** An inclusive range of at most MAX_RANGE_MONTHS months (also what a year becomes). */
  | { readonly kind: "range"; readonly from: Month; readonly to: Month }
  /** The last 12 complete months (previous month and the 11 before it). */
  | { readonly kind: "trend"; readonly from: Month; readonly to: Month }
  /** The billing export: the last 12 complete months. */
  | { readonly kind: "export"; readonly from: Month; readonly to: Month }
  | { readonly kind: "help" }
  /** Delivery history of the monthly post (issue: monthly summary post). */
  | { readonly kind: "history" }
  /** Post the monthly summary now (admins only); month defaults to the previous month. */
  | { readonly kind: "post"; readonly month: Month }
  /** The month in progress day by day against the month before, from the bot's samples. */
  | { readonly kind: "curve" }
  /**
   * `all [month]`: every server the person may see, one row each, for one month (default: the
   * previous month). Only with several Gluu servers.
   */
  | { readonly kind: "compare"; readonly month: Month; readonly current: boolean };

export interface ParsedCommand {
  readonly query: Query;
  /** A trailing `public`: answer in the channel instead of ephemerally. */
  readonly public: boolean;
  /**
   * `export csv`, `trend chart`: the answer as a file, uploaded to the person's direct messages
   * (or to the channel with `public`) instead of a reply.
   */
  readonly file?: FileRequest;
  /** The server named by the first word (several servers); absent: the default one. */
  readonly server?: string;
}

/** The files a command can ask for: the billing export as CSV, or a series as a PNG chart. */
export type FileRequest = "csv" | "chart";

export type ParseResult =
  | { readonly ok: true; readonly command: ParsedCommand }
  /** `message` is one sentence saying what was wrong; `usage` is the usage text to show with it. */
  | { readonly ok: false; readonly message: string; readonly usage: string };

export const MAX_RANGE_MONTHS = 24;
export const TREND_MONTHS = 12;
