import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  billingExport,
  mauSignature,
  monthChange,
  seriesSummary,
  tokenTotals,
} from "../../src/report/summary.js";
import { m, stats } from "./helpers.js";

describe("monthChange", () => {
  it("computes the absolute and percentage change against the previous month", () => {
    const change = monthChange(stats(m(2021, 11), 12_345), stats(m(2021, 10), 11_111));
    expect(change?.absolute).toBe(1234);
    expect(change?.percent).toBeCloseTo((1234 / 11_111) * 100, 10);
    expect(change?.direction).toBe("up");
  });

  it("reports a fall as down with a negative percentage", () => {
    const change = monthChange(stats(m(2021, 11), 90), stats(m(2021, 10), 120));
    expect(change).toEqual({ absolute: -30, percent: -25, direction: "down" });
  });

  it("reports equal figures as flat", () => {
    expect(monthChange(stats(m(2021, 11), 7), stats(m(2021, 10), 7))).toEqual({
      absolute: 0,
      percent: 0,
      direction: "flat",
    });
  });

  it("has no percentage when the previous month had 0 users", () => {
    expect(monthChange(stats(m(2021, 11), 5), stats(m(2021, 10), 0))).toEqual({
      absolute: 5,
      percent: undefined,
      direction: "up",
    });
  });

  it("is undefined without data on either side", () => {
    expect(monthChange(undefined, stats(m(2021, 10), 1))).toBeUndefined();
    expect(monthChange(stats(m(2021, 11), 1), undefined)).toBeUndefined();
    expect(monthChange(undefined, undefined)).toBeUndefined();
  });
});

describe("seriesSummary", () => {
  const jan = stats(m(2021, 1), 100);
  const mar = stats(m(2021, 3), 300);
  const apr = stats(m(2021, 4), 240);

  it("keeps every month asked, in calendar order, once, whatever the input order", () => {
    const summary = seriesSummary([m(2021, 4), m(2021, 1), m(2021, 3), m(2021, 2), m(2021, 1)], {
      months: [apr, mar, jan],
      noData: [m(2021, 2)],
    });
    expect(summary.rows.map((r) => r.month)).toEqual([m(2021, 1), m(2021, 2), m(2021, 3), m(2021, 4)]);
    expect(summary.rows.map((r) => r.stats?.mau)).toEqual([100, undefined, 300, 240]);
  });

  it("averages over months with data only, not over every month asked", () => {
    const summary = seriesSummary([m(2021, 1), m(2021, 2), m(2021, 3)], {
      months: [jan, mar],
      noData: [m(2021, 2)],
    });
    expect(summary.average).toBe(200); // (100 + 300) / 2, not 400 / 3
    expect(summary.withData).toBe(2);
  });

  it("finds the maximum and its month; on a tie, the earliest", () => {
    const summary = seriesSummary([m(2021, 1), m(2021, 3), m(2021, 4), m(2021, 5)], {
      months: [jan, mar, apr, stats(m(2021, 5), 300)],
      noData: [],
    });
    expect(summary.maximum).toEqual({ month: m(2021, 3), mau: 300 });
  });

  it("gives each row the change against the calendar month before, and none across a gap", () => {
    const summary = seriesSummary([m(2021, 1), m(2021, 2), m(2021, 3), m(2021, 4)], {
      months: [jan, mar, apr],
      noData: [m(2021, 2)],
    });
    const [r1, r2, r3, r4] = summary.rows;
    expect(r1?.change).toBeUndefined(); // December 2020 is not in the result
    expect(r2?.change).toBeUndefined(); // no data
    expect(r3?.change).toBeUndefined(); // February has no data
    expect(r4?.change).toEqual({ absolute: -60, percent: -20, direction: "down" });
  });

  it("uses a previous month the result holds even when it was not asked for", () => {
    const summary = seriesSummary([m(2021, 1)], { months: [stats(m(2020, 12), 50), jan], noData: [] });
    expect(summary.rows).toHaveLength(1);
    expect(summary.rows[0]?.change?.absolute).toBe(50);
    expect(summary.average).toBe(100); // December is not part of the series
  });

  it("treats a month in neither list as no data, and has no average or maximum without data", () => {
    const summary = seriesSummary([m(2021, 6), m(2021, 7)], { months: [], noData: [] });
    expect(summary.rows.every((r) => r.stats === undefined)).toBe(true);
    expect(summary.average).toBeUndefined();
    expect(summary.maximum).toBeUndefined();
    expect(summary.withData).toBe(0);
  });
});

describe("tokenTotals", () => {
  it("totals per grant type, per kind and overall, largest grant type first", () => {
    const totals = tokenTotals(
      stats(m(2021, 11), 2, {
        client_credentials: { access_token: 10 },
        authorization_code: { access_token: 144, id_token: 144, refresh_token: 7 },
        password: { access_token: 10, x_token: 3 },
      }),
    );
    expect(totals.total).toBe(10 + 295 + 13);
    expect(totals.grantTypes.map((g) => [g.grantType, g.total])).toEqual([
      ["authorization_code", 295],
      ["password", 13],
      ["client_credentials", 10],
    ]);
    expect(totals.kinds).toEqual([
      { kind: "access_token", count: 164 },
      { kind: "id_token", count: 144 },
      { kind: "refresh_token", count: 7 },
      { kind: "uma_token", count: 0 },
      { kind: "x_token", count: 3 },
    ]);
    expect(totals.grantTypes[0]?.kinds.map((k) => k.kind)).toEqual([
      "access_token",
      "id_token",
      "refresh_token",
      "uma_token",
    ]);
  });

  it("orders equal totals by name, independent of the server's map order", () => {
    const a = tokenTotals(stats(m(2021, 1), 1, { b: { access_token: 1 }, a: { access_token: 1 } }));
    const b = tokenTotals(stats(m(2021, 1), 1, { a: { access_token: 1 }, b: { access_token: 1 } }));
    expect(a.grantTypes.map((g) => g.grantType)).toEqual(["a", "b"]);
    expect(b.grantTypes.map((g) => g.grantType)).toEqual(["a", "b"]);
  });

  it("keeps a grant type named __proto__ as an ordinary row", () => {
    const tokens = JSON.parse(
      '{"__proto__": {"access_token": 4, "id_token": 0, "refresh_token": 0, "uma_token": 0}}',
    );
    const totals = tokenTotals({ month: m(2021, 1), mau: 1, tokens });
    expect(totals.grantTypes.map((g) => [g.grantType, g.total])).toEqual([["__proto__", 4]]);
    expect(totals.total).toBe(4);
  });

  it("is all zero for a month with data but no tokens", () => {
    const totals = tokenTotals(stats(m(2021, 1), 3));
    expect(totals.grantTypes).toEqual([]);
    expect(totals.total).toBe(0);
  });
});

describe("mauSignature", () => {
  const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

  it("matches the documented vector: one month with MAU 1", () => {
    expect(mauSignature([1])).toBe("44cb730c420480a0477b505ae68af508fb90f96cf0ec54c6ad16949dd427f13a");
  });

  it("matches a 12-month example computed outside the code", () => {
    const maus = [400, 500, 550, 600, 620, 640, 660, 680, 700, 750, 800, 900];
    // 42 + 7,800 = 7842; `echo -n 7842 | sha256sum`
    expect(maus.reduce((a, b) => a + b, 0)).toBe(7800);
    expect(mauSignature(maus)).toBe("c525ed5e2d690bd809986eb6b290805424e3eb90fc0d3de96c1eec2f13055c8b");
    expect(mauSignature(maus)).toBe(sha256("7842"));
  });

  it("signs 42 when nothing was printed", () => {
    expect(mauSignature([])).toBe(sha256("42"));
  });

  it("wraps at 32 bits as the exporter's Java int does", () => {
    // 42 + 2,147,483,647 overflows a Java int to -2,147,483,607.
    expect(mauSignature([2_147_483_647])).toBe(sha256("-2147483607"));
  });
});

describe("billingExport", () => {
  const months = Array.from({ length: 12 }, (_, i) => m(i === 0 ? 2020 : 2021, i === 0 ? 12 : i));
  const maus = [400, 500, 550, 600, 620, 640, 660, 680, 700, 750, 800, 900];

  it("lists the 12 months with average, maximum and signature", () => {
    const exp = billingExport(months, { months: months.map((mm, i) => stats(mm, maus[i] ?? 0)), noData: [] });
    expect(exp.rows.map((r) => r.mau)).toEqual(maus);
    expect(exp.average).toBe(650);
    expect(exp.maximum).toEqual({ month: m(2021, 11), mau: 900 });
    expect(exp.signature).toBe("c525ed5e2d690bd809986eb6b290805424e3eb90fc0d3de96c1eec2f13055c8b");
    expect(exp.missing).toEqual([]);
  });

  it("signs only the months with data, as the exporter prints only those", () => {
    const withData = months.filter((_, i) => i !== 3 && i !== 7);
    const exp = billingExport(months, {
      months: withData.map((mm) => stats(mm, 100)),
      noData: [months[3] ?? m(2021, 3), months[7] ?? m(2021, 7)],
    });
    expect(exp.missing).toEqual([m(2021, 3), m(2021, 7)]);
    expect(exp.rows[3]?.mau).toBeUndefined();
    expect(exp.signature).toBe(
      createHash("sha256")
        .update(String(42 + 10 * 100))
        .digest("hex"),
    );
    expect(exp.average).toBe(100);
  });
});
