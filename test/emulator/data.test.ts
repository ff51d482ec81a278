import { describe, expect, it } from "vitest";
import { DEFAULT_GRANT_TYPES, generateData } from "../../src/emulator/index.js";
import { STANDARD_TOKEN_KINDS } from "../../src/gluu/model.js";
import { month, monthKey } from "../../src/months.js";

const end = month(2025, 11);

describe("generateData", () => {
  it("gives the months asked, consecutive, ending with endMonth", () => {
    const data = generateData({ months: 24, endMonth: end });
    expect(data.map((d) => monthKey(d.month))).toEqual(
      Array.from({ length: 24 }, (_, i) => {
        const index = 2023 * 12 + 11 + i;
        return `${Math.floor(index / 12)}${String((index % 12) + 1).padStart(2, "0")}`;
      }),
    );
    expect(generateData({ months: 0, endMonth: end })).toEqual([]);
  });

  it("repeats exactly for a seed and differs between seeds", () => {
    expect(generateData({ months: 24, endMonth: end, seed: 5 })).toEqual(
      generateData({ months: 24, endMonth: end, seed: 5 }),
    );
    expect(generateData({ months: 24, endMonth: end, seed: 5 })).not.toEqual(
      generateData({ months: 24, endMonth: end, seed: 6 }),
    );
  });

  it("stays plausible for many seeds: thousands to hundreds of thousands, growing, whole numbers", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const data = generateData({ months: 24, endMonth: end, seed });
      for (const d of data) {
        expect(Number.isInteger(d.mau)).toBe(true);
        expect(d.mau).toBeGreaterThanOrEqual(1_000);
        expect(d.mau).toBeLessThan(1_000_000);
        for (const counts of Object.values(d.tokens)) {
          for (const value of Object.values(counts)) {
            expect(Number.isInteger(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(0);
          }
          // Every grant type present was used that month.
          expect(Object.values(counts).some((v) => v > 0)).toBe(true);
        }
        const code = d.tokens.authorization_code;
        expect(code).toBeDefined();
        if (code) {
          expect(code.id_token / code.access_token).toBeGreaterThan(0.9);
          expect(code.id_token).toBeLessThanOrEqual(code.access_token);
          expect(code.access_token).toBeGreaterThan(d.mau);
        }
      }
      const year = (from: number): number => data.slice(from, from + 12).reduce((s, d) => s + d.mau, 0);
      expect(year(12)).toBeGreaterThan(year(0));
    }
  });

  it("uses the default grant types, the device flow only in the later months", () => {
    const data = generateData({ months: 24, endMonth: end, seed: 2 });
    const seen = new Set(data.flatMap((d) => Object.keys(d.tokens)));
    expect([...seen].sort()).toEqual([...DEFAULT_GRANT_TYPES].sort());
    const device = "urn:ietf:params:oauth:grant-type:device_code";
    expect(data.slice(0, 12).some((d) => device in d.tokens)).toBe(false);
    expect(data.slice(12).every((d) => device in d.tokens)).toBe(true);
    const uma = data[0]?.tokens["urn:ietf:params:oauth:grant-type:uma-ticket"];
    expect(uma?.uma_token).toBeGreaterThan(0);
    expect(uma?.access_token).toBe(0);
  });

  it("fills the four standard kinds so the model's invariant holds", () => {
    for (const d of generateData({ months: 3, endMonth: end })) {
      for (const counts of Object.values(d.tokens)) {
        expect(Object.keys(counts).sort()).toEqual([...STANDARD_TOKEN_KINDS].sort());
      }
    }
  });

  it("accepts other grant type names", () => {
    const data = generateData({
      months: 2,
      endMonth: end,
      grantTypes: ["client_credentials", "custom:grant"],
    });
    for (const d of data)
      expect(Object.keys(d.tokens).sort()).toEqual(["client_credentials", "custom:grant"]);
  });

  it("shrinks a partial last month, users less than tokens", () => {
    const full = generateData({ months: 3, endMonth: end, seed: 9 });
    const partial = generateData({ months: 3, endMonth: end, seed: 9, lastMonthFraction: 0.25 });
    const f = full[2];
    const p = partial[2];
    expect(partial.slice(0, 2)).toEqual(full.slice(0, 2));
    if (!f || !p) throw new Error("missing month");
    const userShare = p.mau / f.mau;
    const tokenShare =
      (p.tokens.authorization_code?.access_token ?? 0) / (f.tokens.authorization_code?.access_token ?? 1);
    expect(userShare).toBeGreaterThan(0.25);
    expect(userShare).toBeLessThan(0.6);
    expect(tokenShare).toBeCloseTo(0.25, 2);
  });
});
