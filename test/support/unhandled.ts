/**
 * Fails a suite when anything escapes as an unhandled promise rejection or an uncaught exception
 * while it runs: a reply path that forgets a `.catch` would otherwise only show up as a warning
 * (or a crash of the real process, which runs without vitest's safety net).
 *
 * Call `failOnUnhandled()` at the top of a test file (or a describe): it installs collectors in
 * beforeAll, checks after every test and once more in afterAll, and removes the collectors.
 * Not a test file itself.
 */
import { afterAll, afterEach, beforeAll } from "vitest";

export interface Escaped {
  readonly kind: "unhandledRejection" | "uncaughtException";
  readonly reason: unknown;
}

/** One line per escaped error, readable in a test failure. */
export function describeEscaped(escaped: readonly Escaped[]): string {
  return escaped
    .map((e) => {
      const r = e.reason;
      const what = r instanceof Error ? `${r.name}: ${r.message}\n${r.stack ?? ""}` : String(r);
      return `${e.kind}: ${what}`;
    })
    .join("\n");
}

/** Throws when anything escaped; the pure half of the check, so that it can be tested itself. */
export function assertNoneEscaped(escaped: readonly Escaped[], when: string): void {
  if (escaped.length === 0) return;
  throw new Error(
    `${escaped.length} unhandled error(s) ${when}:\n${describeEscaped(escaped)}`.slice(0, 8_000),
  );
}

export interface UnhandledCollector {
  /** What escaped so far and has not been reported by a check yet. */
  readonly pending: readonly Escaped[];
  install(): void;
  uninstall(): void;
  /** Returns what escaped since the last take and forgets it. */
  take(): Escaped[];
}

export function createUnhandledCollector(): UnhandledCollector {
  const seen: Escaped[] = [];
  const onRejection = (reason: unknown): void => {
    seen.push({ kind: "unhandledRejection", reason });
  };
  const onException = (err: Error): void => {
    seen.push({ kind: "uncaughtException", reason: err });
  };
  let installed = false;
  return {
    get pending() {
      return [...seen];
    },
    install() {
      if (installed) return;
      installed = true;
      process.on("unhandledRejection", onRejection);
      process.on("uncaughtException", onException);
    },
    uninstall() {
      if (!installed) return;
      installed = false;
      process.off("unhandledRejection", onRejection);
      process.off("uncaughtException", onException);
    },
    take() {
      return seen.splice(0);
    },
  };
}

/** Lets rejections of settled-but-unobserved promises surface: Node reports them after a macrotask. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 20));
}

/** Registers the hooks; returns the collector for tests that want to look at it. */
export function failOnUnhandled(): UnhandledCollector {
  const collector = createUnhandledCollector();
  beforeAll(() => {
    collector.install();
  });
  afterEach(async (ctx) => {
    await settle();
    assertNoneEscaped(collector.take(), `during "${ctx.task.name}"`);
  });
  afterAll(async () => {
    await settle();
    try {
      assertNoneEscaped(collector.take(), "after the last test of the suite");
    } finally {
      collector.uninstall();
    }
  });
  return collector;
}
