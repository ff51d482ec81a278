import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  barCells,
  cleanText,
  formatChange,
  formatCount,
  formatInstant,
  formatPercent,
  formatSignedCount,
  grantTypeLabel,
  grantTypeLabels,
  tokenKindLabel,
  truncate,
  truncateUnits,
} from "../../src/report/format.js";

describe("formatCount", () => {
  it.each([
    [0, "0"],
    [-0, "0"],
    [7, "7"],
    [999, "999"],
    [1000, "1,000"],
    [12_345_678, "12,345,678"],
    [2 ** 53 - 1, "9,007,199,254,740,991"],
    [-1234, "-1,234"],
    [144.0, "144"],
    [1234.5, "1,235"],
  ])("formats %s as %s", (n, expected) => {
    expect(formatCount(n)).toBe(expected);
  });

  it("keeps absurd magnitudes short and non-numbers visible", () => {
    expect(formatCount(1e308)).toBe("1.000e+308");
    expect(formatCount(Number.NaN)).toBe("n/a");
    expect(formatCount(Number.POSITIVE_INFINITY)).toBe("n/a");
  });

  it("signs differences", () => {
    expect(formatSignedCount(1234)).toBe("+1,234");
    expect(formatSignedCount(-56)).toBe("-56");
    expect(formatSignedCount(0)).toBe("0");
  });
});

describe("formatPercent", () => {
  it.each([
    [11.106, {}, "11.1%"],
    [11.106, { signed: true }, "+11.1%"],
    [-3, { signed: true }, "-3.0%"],
    [-0.04, { signed: true }, "0.0%"],
    [0, {}, "0.0%"],
    [12_345.67, {}, "12,345.7%"],
  ])("formats %s %o as %s", (p, options, expected) => {
    expect(formatPercent(p, options)).toBe(expected);
  });

  it("formats a change with arrow, amount and percentage", () => {
    expect(formatChange({ absolute: 1234, percent: 11.106, direction: "up" })).toBe("▲ +1,234 (+11.1%)");
    expect(formatChange({ absolute: -30, percent: -25, direction: "down" })).toBe("▼ -30 (-25.0%)");
    expect(formatChange({ absolute: 5, percent: undefined, direction: "up" })).toBe("▲ +5 (from 0)");
    expect(formatChange({ absolute: 0, percent: 0, direction: "flat" })).toBe("= no change");
  });
});

describe("grantTypeLabel", () => {
  it.each([
    ["authorization_code", "Authorization code"],
    ["client_credentials", "Client credentials"],
    ["refresh_token", "Refresh token"],
    ["implicit", "Implicit"],
    ["password", "Password"],
    ["urn:ietf:params:oauth:grant-type:uma-ticket", "UMA ticket"],
    ["urn:ietf:params:oauth:grant-type:device_code", "Device code"],
    ["urn:ietf:params:oauth:grant-type:token-exchange", "Token exchange"],
    ["urn:openid:params:grant-type:ciba", "CIBA"],
    ["urn:example:params:grant-type:magic_link", "Magic link"],
    ["urn:example:grant-type:", "Grant type"],
    ["custom-grant_v2", "Custom grant v2"],
    ["", "Unnamed grant type"],
    [":::", ":::"],
    ["evil\u001b[2Jname", "Evil [2Jname"],
  ])("names %j %j", (raw, label) => {
    expect(grantTypeLabel(raw)).toBe(label);
  });

  it("is never empty and never contains control characters, whatever the server sends", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (raw) => {
        const label = grantTypeLabel(raw);
        expect(label.length).toBeGreaterThan(0);
        expect(label).not.toMatch(/\p{Cc}/u);
      }),
    );
  });

  it("tells apart grant types that would read the same", () => {
    const labels = grantTypeLabels([
      "device_code",
      "urn:ietf:params:oauth:grant-type:device_code",
      "password",
    ]);
    expect(labels.get("device_code")).toBe("Device code (device_code)");
    expect(labels.get("urn:ietf:params:oauth:grant-type:device_code")).toBe(
      "Device code (urn:ietf:params:oauth:grant-type:device_code)",
    );
    expect(labels.get("password")).toBe("Password");
  });
});

describe("tokenKindLabel", () => {
  it.each([
    ["access_token", "Access"],
    ["id_token", "ID"],
    ["refresh_token", "Refresh"],
    ["uma_token", "UMA"],
    ["tx_token", "Tx"],
    ["logout_status_jwt", "Logout status jwt"],
    ["", "Unnamed token kind"],
  ])("names %j %j", (raw, label) => {
    expect(tokenKindLabel(raw)).toBe(label);
  });
});

describe("text helpers", () => {
  it("truncates by code point and never splits a surrogate pair", () => {
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("abc", 3)).toBe("abc");
    expect(truncate("😀😀😀😀", 3)).toBe("😀😀…");
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 20 }),
        fc.integer({ min: 1, max: 20 }),
        (text, max) => {
          const cut = truncate(text, max);
          expect(Array.from(cut).length).toBeLessThanOrEqual(max);
          expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
        },
      ),
    );
  });

  it("truncates by UTF-16 units for Slack, where an astral character counts twice", () => {
    expect(truncateUnits("𐀀".repeat(75), 150)).toBe("𐀀".repeat(75));
    expect(truncateUnits("𐀀".repeat(100), 150)).toBe(`${"𐀀".repeat(74)}…`);
    expect(truncateUnits("𐀀".repeat(100), 151)).toBe(`${"𐀀".repeat(75)}…`);
    expect(truncateUnits(`a${"𐀀".repeat(100)}`, 150)).toBe(`a${"𐀀".repeat(74)}…`);
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.integer({ min: 1, max: 40 }),
        (text, max) => {
          expect(truncateUnits(text, max).length).toBeLessThanOrEqual(max);
        },
      ),
    );
  });

  it("removes control and format characters and line breaks", () => {
    expect(cleanText("a\nb\tc\u202Ed\u0000e")).toBe("a b c d e");
  });

  it("fills bars in proportion, with at least one cell for any month with users", () => {
    expect(barCells(100, 100, 30)).toBe(30);
    expect(barCells(50, 100, 30)).toBe(15);
    expect(barCells(1, 1_000_000, 30)).toBe(1);
    expect(barCells(0, 100, 30)).toBe(0);
    expect(barCells(5, 0, 30)).toBe(0);
  });
});

describe("formatInstant", () => {
  const instant = Date.UTC(2021, 11, 2, 9, 4);

  it("formats in the given time zone", () => {
    expect(formatInstant(instant, "UTC")).toBe("Dec 2, 2021, 09:04 UTC");
    expect(formatInstant(instant, "Asia/Tokyo")).toBe("Dec 2, 2021, 18:04 GMT+9");
  });

  it("falls back to UTC for an invalid zone and says so for an invalid instant", () => {
    expect(formatInstant(instant, "Not/AZone")).toBe("Dec 2, 2021, 09:04 UTC");
    expect(formatInstant(Number.NaN, "UTC")).toBe("an unknown time");
  });
});
