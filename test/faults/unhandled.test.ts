/**
 * The unhandled-error check of test/support/unhandled.ts, checked itself: a real unhandled
 * rejection here would fail this file too (that is the point of the check), so the collector's
 * listeners are called directly and the pure check is given made-up escapes.
 */
import { describe, expect, it } from "vitest";
import { assertNoneEscaped, createUnhandledCollector, describeEscaped } from "../support/unhandled.js";

type Listener = (...args: unknown[]) => void;

function listeners(event: "unhandledRejection" | "uncaughtException"): Listener[] {
  return event === "unhandledRejection"
    ? (process.listeners("unhandledRejection") as Listener[])
    : (process.listeners("uncaughtException") as Listener[]);
}

function added(event: "unhandledRejection" | "uncaughtException", before: readonly Listener[]): Listener[] {
  return listeners(event).filter((l) => !before.includes(l));
}

describe("the unhandled-error check", () => {
  it("passes when nothing escaped and throws, naming each error, when something did", () => {
    expect(() => assertNoneEscaped([], "now")).not.toThrow();
    const escaped = [
      { kind: "unhandledRejection" as const, reason: new TypeError("no reply for you") },
      { kind: "uncaughtException" as const, reason: "a bare string" },
    ];
    expect(() => assertNoneEscaped(escaped, "during a test")).toThrow(
      /2 unhandled error\(s\) during a test:\nunhandledRejection: TypeError: no reply for you\n[\s\S]*uncaughtException: a bare string/,
    );
    expect(describeEscaped(escaped).split("\n")[0]).toBe("unhandledRejection: TypeError: no reply for you");
  });

  it("the collector listens while installed, records both kinds, and hands each over once", () => {
    const rejectionsBefore = listeners("unhandledRejection");
    const exceptionsBefore = listeners("uncaughtException");
    const collector = createUnhandledCollector();
    collector.install();
    collector.install(); // idempotent
    try {
      const onRejection = added("unhandledRejection", rejectionsBefore);
      const onException = added("uncaughtException", exceptionsBefore);
      expect(onRejection).toHaveLength(1);
      expect(onException).toHaveLength(1);
      const reason = new Error("rejected");
      onRejection[0]?.(reason, Promise.resolve());
      onException[0]?.(new Error("thrown"), "uncaughtException");
      expect(collector.pending.map((e) => e.kind)).toEqual(["unhandledRejection", "uncaughtException"]);
      const taken = collector.take();
      expect(taken[0]?.reason).toBe(reason);
      expect(collector.take()).toEqual([]);
    } finally {
      collector.uninstall();
    }
    expect(added("unhandledRejection", rejectionsBefore)).toEqual([]);
    expect(added("uncaughtException", exceptionsBefore)).toEqual([]);
  });
});
