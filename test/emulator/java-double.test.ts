/**
 * javaDouble against what JDK 17's Double.toString prints (the expected column was produced
 * by running Java, not by reasoning about it).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { goDouble, javaDouble } from "../../src/emulator/index.js";

describe("javaDouble", () => {
  it.each([
    [0, "0.0"],
    [-0, "-0.0"],
    [1, "1.0"],
    [144, "144.0"],
    [100, "100.0"],
    [0.5, "0.5"],
    [0.1, "0.1"],
    [-144, "-144.0"],
    [1234567, "1234567.0"],
    [9999999, "9999999.0"],
    [1e7, "1.0E7"],
    [12345678, "1.2345678E7"],
    [-1.5e7, "-1.5E7"],
    [3e10, "3.0E10"],
    [123456789012, "1.23456789012E11"],
    [1e15, "1.0E15"],
    [1e16, "1.0E16"],
    [2 ** 53 - 1, "9.007199254740991E15"],
    [2 ** 53, "9.007199254740992E15"],
    // The long fast path: exact digits where the shortest form would be shorter.
    [2 ** 60 + 2 ** 8, "1.15292150460684723E18"],
    [2 ** 63 - 1, "9.223372036854776E18"],
    [1e21, "1.0E21"],
    [0.001, "0.001"],
    [0.002, "0.002"],
    [9.999999999999998e-4, "9.999999999999998E-4"],
    [1e-4, "1.0E-4"],
    [1e-5, "1.0E-5"],
    [123456.789, "123456.789"],
    [1.637000000123e9, "1.637000000123E9"],
    [1.7000000001234e9, "1.7000000001234E9"],
    [5e-324, "4.9E-324"],
    [Number.MAX_VALUE, "1.7976931348623157E308"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    [Number.NEGATIVE_INFINITY, "-Infinity"],
  ])("%s → %s", (value, java) => {
    expect(javaDouble(value)).toBe(java);
  });

  it("writes every whole number below 10^7 as the number and .0", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999 }), (n) => {
        expect(javaDouble(n)).toBe(`${n}.0`);
      }),
    );
  });

  it("reads back as the same double, in Java's notation for its range", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        const text = javaDouble(d);
        expect(Number(text)).toBe(d);
        const abs = Math.abs(d);
        const scientific = abs !== 0 && (abs < 1e-3 || abs >= 1e7);
        expect(text).toMatch(scientific ? /^-?\d\.\d+E-?\d+$/ : /^-?\d+\.\d+$/);
      }),
      { numRuns: 2000 },
    );
  });

  it("spells the non-finite values as Prometheus reads them in goDouble", () => {
    expect(goDouble(Number.POSITIVE_INFINITY)).toBe("+Inf");
    expect(goDouble(Number.NEGATIVE_INFINITY)).toBe("-Inf");
    expect(goDouble(Number.NaN)).toBe("NaN");
    expect(goDouble(144)).toBe("144.0");
  });
});
