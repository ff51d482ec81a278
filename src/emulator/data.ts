/**
 * Plausible statistics for the emulator, the demo and tests: a deployment whose monthly
 * active users grow with a seasonal dip in August and December, a web login flow that
 * dominates the token counts, machine-to-machine traffic that does not follow the users,
 * an implicit flow being retired and a device flow arriving halfway through.
 */
import { type GrantType, type MonthStats, type TokenCounts, tokenCounts } from "../gluu/model.js";
import { addMonths, type Month } from "../months.js";
import { mulberry32 } from "./random.js";

export const DEFAULT_GRANT_TYPES: readonly GrantType[] = [
  "authorization_code",
  "client_credentials",
  "refresh_token",
  "implicit",
  "password",
  "urn:ietf:params:oauth:grant-type:uma-ticket",
  "urn:ietf:params:oauth:grant-type:device_code",
];

export interface GenerateDataOptions {
  /** How many months, ending with `endMonth`. */
  months: number;
  endMonth: Month;
  /** Same seed, same figures. Default 1. */
  seed?: number;
  grantTypes?: readonly GrantType[];
  /**
   * How much of the last month has passed, 0..1 (default 1: a complete month). The emulator
   * passes the elapsed share of the current month so its figures read "so far".
   */
  lastMonthFraction?: number;
}

/** Holiday months, by month of year: how much of the seasonal amplitude they lose. */
const SEASONAL_DIP: Readonly<Record<number, number>> = { 7: 0.4, 8: 1, 12: 1, 1: 0.3 };

type Kinds = { access_token?: number; id_token?: number; refresh_token?: number; uma_token?: number };

export function generateData(opts: GenerateDataOptions): MonthStats[] {
  if (!Number.isInteger(opts.months) || opts.months < 0) throw new RangeError(`months: ${opts.months}`);
  const random = mulberry32(opts.seed ?? 1);
  const between = (lo: number, hi: number): number => lo + random() * (hi - lo);
  const grantTypes = opts.grantTypes ?? DEFAULT_GRANT_TYPES;
  const fraction = Math.min(1, Math.max(0, opts.lastMonthFraction ?? 1));

  // One deployment's character, drawn once so that every month belongs to the same story.
  const baseMau = between(8_000, 90_000);
  const growth = between(0.005, 0.04);
  const season = between(0.04, 0.1);
  const loginsPerUser = between(6, 14);
  const idShare = between(0.96, 0.995);
  const refreshShare = between(0.35, 0.6);
  const machineBase = between(5_000, 150_000);
  const implicitShare = between(0.2, 0.5);
  const passwordShare = between(0.02, 0.08);
  const umaShare = between(0.01, 0.05);
  const deviceStart = Math.floor(opts.months / 2);

  const first = addMonths(opts.endMonth, -(opts.months - 1));
  const out: MonthStats[] = [];
  for (let i = 0; i < opts.months; i++) {
    const m = addMonths(first, i);
    const last = i === opts.months - 1;
    // Users come back through the month, so a partial month has more than its share of them.
    const userPart = last ? fraction ** 0.6 : 1;
    const tokenPart = last ? fraction : 1;
    const noise = (spread: number): number => 1 + (random() * 2 - 1) * spread;
    const mau = baseMau * (1 + growth) ** i * (1 - season * (SEASONAL_DIP[m.month] ?? 0)) * noise(0.015);

    const logins = mau * loginsPerUser * noise(0.05);
    const authRefresh = logins * refreshShare * noise(0.05);
    const refreshAccess = authRefresh * between(0.7, 0.9);
    const implicit = mau * implicitShare * 0.93 ** i * noise(0.1);
    const password = mau * passwordShare * noise(0.1);
    const device = i < deviceStart ? 0 : mau * 0.01 * (i - deviceStart + 1) * noise(0.2);
    const byGrant: Record<string, Kinds> = {
      authorization_code: { access_token: logins, id_token: logins * idShare, refresh_token: authRefresh },
      client_credentials: { access_token: machineBase * (1 + growth / 2) ** i * noise(0.1) },
      refresh_token: {
        access_token: refreshAccess,
        id_token: refreshAccess * between(0.4, 0.6),
        refresh_token: refreshAccess * between(0.98, 1),
      },
      // Retired gradually: a few stragglers, then gone.
      implicit: implicit < 50 ? {} : { access_token: implicit, id_token: implicit },
      password: { access_token: password, id_token: password * 0.3, refresh_token: password * 0.5 },
      "urn:ietf:params:oauth:grant-type:uma-ticket": { uma_token: mau * umaShare * noise(0.2) },
      "urn:ietf:params:oauth:grant-type:device_code": {
        access_token: device,
        id_token: device * 0.5,
        refresh_token: device * 0.9,
      },
    };

    const tokens: Record<GrantType, TokenCounts> = {};
    for (const grantType of grantTypes) {
      const kinds = byGrant[grantType] ?? { access_token: mau * between(0.01, 0.1) };
      const counts: Record<string, number> = {};
      for (const [kind, value] of Object.entries(kinds)) {
        const n = Math.round(value * tokenPart);
        if (n > 0) counts[kind] = n;
      }
      // A grant type nobody used that month is absent, as on the server.
      if (Object.keys(counts).length > 0) tokens[grantType] = tokenCounts(counts);
    }
    out.push({ month: m, mau: Math.max(0, Math.round(mau * userPart)), tokens });
  }
  return out;
}
