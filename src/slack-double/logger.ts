/**
 * A Bolt-compatible logger that keeps lines in memory instead of printing them, so tests stay
 * quiet yet can still assert on what Bolt reported (e.g. why it refused a request).
 */
import { type Logger, LogLevel } from "@slack/bolt";

export interface LogLine {
  level: LogLevel;
  text: string;
}

export interface MemoryLogger extends Logger {
  readonly lines: LogLine[];
  /** Lines at `level` whose text contains `needle`. */
  find(level: LogLevel, needle: string): LogLine[];
}

const ORDER: readonly LogLevel[] = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];

function render(parts: unknown[]): string {
  return parts
    .map((p) => (typeof p === "string" ? p : p instanceof Error ? p.message : JSON.stringify(p)))
    .join(" ");
}

export function createMemoryLogger(level: LogLevel = LogLevel.INFO): MemoryLogger {
  let current = level;
  const lines: LogLine[] = [];
  const log =
    (at: LogLevel) =>
    (...msg: unknown[]): void => {
      if (ORDER.indexOf(at) >= ORDER.indexOf(current)) lines.push({ level: at, text: render(msg) });
    };
  return {
    lines,
    find: (at, needle) => lines.filter((l) => l.level === at && l.text.includes(needle)),
    debug: log(LogLevel.DEBUG),
    info: log(LogLevel.INFO),
    warn: log(LogLevel.WARN),
    error: log(LogLevel.ERROR),
    setLevel: (l) => {
      current = l;
    },
    getLevel: () => current,
    setName: () => {},
  };
}
