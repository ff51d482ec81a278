/** Sample keys and pruning: pure, over plain keys. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { monthsToKeep, sampleMonth } from "../../src/state/samples.js";

describe("sample keys", () => {
  it("reads the month from the default's and another server's keys, and nothing else", () => {
    expect(sampleMonth("202612")).toBe("202612");
    expect(sampleMonth("staging:202612")).toBe("202612");
    for (const bad of ["", "2026-12", "202613", "Staging:202612", ":202612", "a:b:202612", "1x:202612"]) {
      expect(sampleMonth(bad), bad).toBeUndefined();
    }
  });

  it("keeps each server's newest 14 months, whatever another server holds", () => {
    const months = (scope: string, from: number, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const m = from + i;
        return `${scope}${2000 + Math.floor(m / 12)}${String((m % 12) + 1).padStart(2, "0")}`;
      });
    const prod = months("", 10, 3);
    const staging = months("staging:", 0, 40);
    const keep = monthsToKeep([...prod, ...staging]);
    for (const k of prod) expect(keep.has(k), k).toBe(true);
    expect(staging.filter((k) => keep.has(k))).toEqual(staging.slice(-14));
  });

  it("never keeps more than 14 months per server, and always the newest", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.constantFrom("", "qa:", "eu-1:"), fc.integer({ min: 0, max: 300 })), {
          maxLength: 80,
          selector: ([s, m]) => `${s}${m}`,
        }),
        (pairs) => {
          const key = ([s, m]: [string, number]) =>
            `${s}${2000 + Math.floor(m / 12)}${String((m % 12) + 1).padStart(2, "0")}`;
          const keep = monthsToKeep(pairs.map(key));
          for (const scope of ["", "qa:", "eu-1:"]) {
            const mine = pairs.filter(([s]) => s === scope).map(([, m]) => m);
            const kept = pairs.filter(([s]) => s === scope).filter((p) => keep.has(key(p)));
            expect(kept.length).toBeLessThanOrEqual(14);
            if (mine.length > 0) expect(kept.map(([, m]) => m)).toContain(Math.max(...mine));
          }
        },
      ),
    );
  });
});
