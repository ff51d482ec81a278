/**
 * The stat client's result model: what every parser produces and every renderer consumes.
 * Server quirks (hash-map order, omitted months, missing token kinds) are resolved here, so
 * nothing downstream sees them.
 */
import type { Month } from "../months.js";

export const STANDARD_TOKEN_KINDS = ["access_token", "id_token", "refresh_token", "uma_token"] as const;
export type StandardTokenKind = (typeof STANDARD_TOKEN_KINDS)[number];

/**
 * Tokens issued for one grant type in one month, by token kind. The four standard kinds are
 * always present (a kind the server did not list counts as 0, as the server means it); any
 * other kind a newer server reports is kept under its own name.
 */
export type TokenCounts = Readonly<Record<StandardTokenKind, number>> & Readonly<Record<string, number>>;

/** Grant type as the server names it, e.g. `authorization_code` or `urn:ietf:params:oauth:grant-type:uma-ticket`. */
export type GrantType = string;

export interface MonthStats {
  readonly month: Month;
  /** Monthly active users: a HyperLogLog estimate (about 0.6% standard error). */
  readonly mau: number;
  readonly tokens: Readonly<Record<GrantType, TokenCounts>>;
}

export type ServerFamily = "gluu4" | "janssen";

export interface StatResult {
  /** Months with data, in calendar order. */
  readonly months: readonly MonthStats[];
  /** Months asked for that the server returned nothing for: "no data", never zero. */
  readonly noData: readonly Month[];
  /** When the oldest figure in this result was fetched from the server (ms since epoch). */
  readonly fetchedAt: number;
  /**
   * When the newest figure was fetched. With `fetchedAt` it identifies the data: any month
   * fetched again makes it later. Absent from results not made by the stat service.
   */
  readonly latestFetchedAt?: number;
}

export function tokenCounts(partial: Readonly<Record<string, number>>): TokenCounts {
  return { access_token: 0, id_token: 0, refresh_token: 0, uma_token: 0, ...partial };
}
