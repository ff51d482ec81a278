/** Statistics, micro-benchmark timing and table formatting for the bench. */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentile of sorted samples (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}

export function median(samples: readonly number[]): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );
}

/**
 * Median time of one call of `fn`, in ms: `runs` timed runs after `warmup` untimed ones. Each run
 * times `batch` calls together, so calls far below the timer's resolution still measure.
 */
export function timeMedian(fn: () => unknown, opts: { runs: number; batch: number; warmup: number }): number {
  let sink: unknown;
  for (let i = 0; i < opts.warmup; i++) sink = fn();
  const times: number[] = [];
  for (let r = 0; r < opts.runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < opts.batch; i++) sink = fn();
    times.push((performance.now() - t0) / opts.batch);
  }
  if (sink === Symbol.for("never")) throw new Error("unreachable");
  return median(times);
}

export function ms(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return "–";
  return x >= 100 ? x.toFixed(0) : x.toFixed(digits);
}

export function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return "–";
  const r = a / b;
  return `${r >= 0.1 ? r.toFixed(2) : r.toPrecision(1)}×`;
}

export function verdict(pass: boolean): string {
  return pass ? "PASS" : "**MISS**";
}

/**
 * A GitHub-flavoured markdown table, columns padded for reading in a terminal too, laid out
 * exactly as Biome formats markdown, so a freshly written RESULTS.md passes `biome ci`.
 */
export function markdownTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = head.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** VmRSS of a process, in bytes, from /proc (Linux); NaN elsewhere. */
export function vmRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m?.[1] ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
