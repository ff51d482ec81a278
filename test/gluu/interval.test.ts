/** The Gluu 4.x back-off schedule and the learned spacing, as plain functions of plain inputs. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  learnSpacing,
  MAX_REFUSALS_PER_WAIT,
  NOTHING_KNOWN,
  type SpacingKnowledge,
} from "../../src/gluu/interval.js";

const S = 1_000;
const CAP = 60 * S;

/**
 * The send times (ms after the last processed answer) of one wait against a server whose
 * interval is `intervalMs`, the first request going at `firstAt`; instant answers.
 */
function wait(intervalMs: number, firstAt: number, known: SpacingKnowledge = NOTHING_KNOWN, capMs = CAP) {
  const sent: number[] = [];
  let since = firstAt;
  let k = known;
  for (let attempt = 0; attempt <= MAX_REFUSALS_PER_WAIT; attempt++) {
    since += backoffDelayMs({ sinceProcessedMs: since, known: k, attempt, capMs });
    sent.push(since);
    const accepted = since >= intervalMs;
    k = learnSpacing(k, since, accepted);
    if (accepted) return { sent, known: k, accepted: true };
  }
  return { sent, known: k, accepted: false };
}

describe("backoffDelayMs", () => {
  it("sends the first request at once when nothing says it will be refused", () => {
    expect(backoffDelayMs({ sinceProcessedMs: 100, known: NOTHING_KNOWN, attempt: 0, capMs: CAP })).toBe(0);
    expect(
      backoffDelayMs({ sinceProcessedMs: undefined, known: NOTHING_KNOWN, attempt: 0, capMs: CAP }),
    ).toBe(0);
  });

  it("retries after 1, 2, 4, 8, 16 … s", () => {
    const delays = [1, 2, 3, 4, 5].map((attempt) =>
      backoffDelayMs({ sinceProcessedMs: 3 * S, known: NOTHING_KNOWN, attempt, capMs: 10 * CAP }),
    );
    expect(delays).toEqual([1 * S, 2 * S, 4 * S, 8 * S, 16 * S]);
  });

  it("never goes later than the cap after the last processed answer", () => {
    // 34 s after it, the next doubling (32 s) would be 66 s: 60 s instead.
    expect(backoffDelayMs({ sinceProcessedMs: 34 * S, known: NOTHING_KNOWN, attempt: 6, capMs: CAP })).toBe(
      26 * S,
    );
    const { sent, accepted } = wait(60 * S, 3 * S);
    expect(sent).toEqual([3, 4, 6, 10, 18, 34, 60].map((s) => s * S));
    expect(accepted).toBe(true);
  });

  it("past the cap, keeps doubling but never waits longer than the cap", () => {
    // Another client keeps taking the interval: every wait is bounded by the cap.
    expect(backoffDelayMs({ sinceProcessedMs: 61 * S, known: NOTHING_KNOWN, attempt: 7, capMs: CAP })).toBe(
      CAP,
    );
    expect(
      backoffDelayMs({ sinceProcessedMs: 12 * S, known: NOTHING_KNOWN, attempt: 5, capMs: 10 * S }),
    ).toBe(10 * S);
    // With no processed answer known at all: plain doubling, capped.
    expect(
      backoffDelayMs({ sinceProcessedMs: undefined, known: NOTHING_KNOWN, attempt: 3, capMs: CAP }),
    ).toBe(4 * S);
    expect(
      backoffDelayMs({ sinceProcessedMs: undefined, known: NOTHING_KNOWN, attempt: 9, capMs: CAP }),
    ).toBe(CAP);
  });

  it("starts at the learned accepted spacing: 5 s accepted and 3 s refused", () => {
    const known = { acceptedMs: 5 * S, refusedMs: 3 * S };
    // 1 s after the last answer a request is known to be refused: it waits until 5 s.
    expect(backoffDelayMs({ sinceProcessedMs: 1 * S, known, attempt: 0, capMs: CAP })).toBe(4 * S);
    // 4 s after it nothing is known: try now; refused, the first retry is at 5 s, not 1 s later.
    expect(backoffDelayMs({ sinceProcessedMs: 4 * S, known, attempt: 0, capMs: CAP })).toBe(0);
    const refusedAt4 = learnSpacing(known, 4 * S, false);
    expect(refusedAt4).toEqual({ acceptedMs: 5 * S, refusedMs: 4 * S });
    expect(backoffDelayMs({ sinceProcessedMs: 4 * S + 20, known: refusedAt4, attempt: 1, capMs: CAP })).toBe(
      1 * S - 20,
    );
    // A later request after the spacing accepted goes at once.
    expect(backoffDelayMs({ sinceProcessedMs: 6 * S, known, attempt: 0, capMs: CAP })).toBe(0);
  });

  it("with only a refused spacing known, starts doubling just above it", () => {
    const known = { acceptedMs: undefined, refusedMs: 34 * S };
    expect(backoffDelayMs({ sinceProcessedMs: 2 * S, known, attempt: 0, capMs: CAP })).toBe(33 * S);
    expect(backoffDelayMs({ sinceProcessedMs: 2 * S, known, attempt: 0, capMs: 20 * S })).toBe(18 * S);
  });

  it("a second wait on the same server costs no refusal", () => {
    const first = wait(60 * S, 3 * S);
    expect(first.known).toEqual({ acceptedMs: 60 * S, refusedMs: 34 * S });
    const second = wait(60 * S, 5 * S, first.known);
    expect(second.sent).toEqual([60 * S]);
    const onFive = wait(5 * S, 3 * S);
    expect(onFive.sent).toEqual([3 * S, 4 * S, 6 * S]);
    expect(wait(5 * S, 1 * S, onFive.known).sent).toEqual([6 * S]);
  });

  it("property: a wait ends within 8 refusals and by the cap when the cap covers the interval", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 90 * S }),
        fc.integer({ min: 0, max: 3 }),
        (intervalS, firstAt, warmups) => {
          let known: SpacingKnowledge = NOTHING_KNOWN;
          for (let i = 0; i < warmups; i++)
            known = wait(intervalS * S, (i * 7 * S) % (intervalS * S), known).known;
          const r = wait(intervalS * S, firstAt, known);
          expect(r.accepted).toBe(true);
          expect(r.sent.length - 1).toBeLessThanOrEqual(MAX_REFUSALS_PER_WAIT);
          expect(r.sent.at(-1)).toBeLessThanOrEqual(Math.max(firstAt, CAP));
          for (let i = 1; i < r.sent.length; i++) {
            expect((r.sent[i] as number) - (r.sent[i - 1] as number)).toBeLessThanOrEqual(CAP);
          }
        },
      ),
    );
  });
});

describe("learnSpacing", () => {
  it("keeps the shortest accepted and the longest refused spacing", () => {
    let k = learnSpacing(NOTHING_KNOWN, 70 * S, true);
    k = learnSpacing(k, 61 * S, true);
    k = learnSpacing(k, 65 * S, true);
    k = learnSpacing(k, 10 * S, false);
    k = learnSpacing(k, 30 * S, false);
    k = learnSpacing(k, 20 * S, false);
    expect(k).toEqual({ acceptedMs: 61 * S, refusedMs: 30 * S });
  });

  it("lets a contradicting observation win: the interval changed or another client used it", () => {
    const k = { acceptedMs: 60 * S, refusedMs: 30 * S };
    expect(learnSpacing(k, 90 * S, false)).toEqual({ acceptedMs: undefined, refusedMs: 90 * S });
    expect(learnSpacing(k, 20 * S, true)).toEqual({ acceptedMs: 20 * S, refusedMs: undefined });
  });

  it("ignores a spacing that is not one", () => {
    const k = { acceptedMs: 60 * S, refusedMs: 30 * S };
    expect(learnSpacing(k, Number.NaN, true)).toBe(k);
    expect(learnSpacing(k, -5, false)).toBe(k);
  });
});
