/**
 * The serving process's side of the renderer: a child process (child.ts) forked on the first
 * chart, asked over IPC, retired after {@link MAX_RENDERS} renders and after {@link IDLE_MS}
 * without one. Why a process: resvg keeps the native memory of every render it makes (about
 * 1.6 MB per PNG; RSS grew 160 MB over 100 renders in one process, thx/resvg-js#216, not fixed
 * in 2.7.0-alpha.2), and only a process that exits gives it back. It also keeps ECharts (~8 MB)
 * out of the bot's own memory, and a crash in native code costs one chart, not the bot.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { Socket } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChartModel, ChartSize } from "./model.js";
import { type RenderFormat, type RenderRequest, renderReplySchema } from "./wire.js";

/** Renders per child before it is replaced: bounds what one child holds to ~30 MB. */
export const MAX_RENDERS = 20;
/** A child with nothing to do exits after this long. */
export const IDLE_MS = 30_000;
/** A render that takes longer has hung: the child is killed and the chart fails. */
export const RENDER_TIMEOUT_MS = 20_000;

export class ChartRenderError extends Error {
  override readonly name = "ChartRenderError";
}

/**
 * The child's script. Built code has child.js beside this file (dist/, dist-bench/); tests run
 * src/ through vitest, whose TypeScript a plain `node` child cannot load, so they fork the build
 * the test setup makes (dist/chart/child.js).
 */
export function childEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const sibling = join(dirname(here), "child.js");
  if (!here.endsWith(".ts") || existsSync(sibling)) return sibling;
  return join(dirname(here), "..", "..", "dist", "chart", "child.js");
}

export interface ChartProcessOptions {
  readonly entry?: string;
  readonly maxRenders?: number;
  readonly idleMs?: number;
  readonly timeoutMs?: number;
}

interface Pending {
  readonly resolve: (data: Uint8Array | string) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One child process and the renders it owes; retired once it has made `maxRenders`. */
class Child {
  readonly process: ChildProcess;
  readonly pending = new Map<number, Pending>();
  sent = 0;
  private stderr = "";

  constructor(
    entry: string,
    private readonly onGone: (child: Child) => void,
  ) {
    this.process = fork(entry, [], {
      // Advanced serialisation: the PNG crosses as bytes, not as a JSON array of numbers.
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      // The parent's flags (an inspector, --expose-gc) are not the renderer's business.
      execArgv: [],
    });
    this.process.stderr?.setEncoding("utf8");
    this.process.stderr?.on("data", (s: string) => {
      this.stderr = (this.stderr + s).slice(-2000);
    });
    this.process.on("message", (raw) => this.reply(raw));
    this.process.once("error", (err) => this.fail(`the chart renderer could not start: ${err.message}`));
    this.process.once("exit", (code, signal) =>
      this.fail(`the chart renderer stopped (${signal ?? `exit ${code}`})${this.lastWords()}`),
    );
    this.idle();
  }

  private lastWords(): string {
    const line = this.stderr.trim().split("\n").at(-1);
    return line ? `: ${line.slice(0, 300)}` : "";
  }

  request(req: RenderRequest, timeoutMs: number): Promise<Uint8Array | string> {
    this.sent++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(`the chart took longer than ${timeoutMs / 1000} s to draw`);
        this.process.kill("SIGKILL");
      }, timeoutMs);
      this.pending.set(req.id, { resolve, reject, timer });
      this.busy();
      this.process.send(req, (err) => {
        if (err) this.fail(`the chart renderer could not be asked: ${err.message}`);
      });
    });
  }

  private reply(raw: unknown): void {
    const parsed = renderReplySchema.safeParse(raw);
    if (!parsed.success) return;
    const r = parsed.data;
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    clearTimeout(p.timer);
    if (r.ok) p.resolve(r.data);
    else p.reject(new ChartRenderError(`the chart could not be drawn: ${r.error}`));
    if (this.pending.size === 0) this.idle();
  }

  /** Rejects what is owed and forgets the child; it is not asked again. */
  private fail(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new ChartRenderError(reason));
    }
    this.onGone(this);
  }

  // While a render is owed, the child keeps the parent alive (a CLI waits for its chart); idle,
  // it does not (the CLI exits, the bot's own servers keep it alive).
  private busy(): void {
    this.process.ref();
    this.process.channel?.ref();
    this.stderrPipe()?.ref();
  }
  private idle(): void {
    this.process.unref();
    this.process.channel?.unref();
    this.stderrPipe()?.unref();
  }
  /** A child's stdio pipe is a net.Socket, whose handle holds the event loop like the child does. */
  private stderrPipe(): Socket | undefined {
    const s = this.process.stderr;
    return s instanceof Socket ? s : undefined;
  }

  /** Asks the child to exit once it has answered everything (closing the channel ends it). */
  retire(): void {
    if (this.pending.size > 0) return;
    if (this.process.connected) this.process.disconnect();
  }
}

export class ChartProcess {
  private current: Child | undefined;
  private readonly retiring = new Set<Child>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly entry: string;
  private readonly maxRenders: number;
  private readonly idleMs: number;
  private readonly timeoutMs: number;

  constructor(opts: ChartProcessOptions = {}) {
    this.entry = opts.entry ?? childEntry();
    this.maxRenders = opts.maxRenders ?? MAX_RENDERS;
    this.idleMs = opts.idleMs ?? IDLE_MS;
    this.timeoutMs = opts.timeoutMs ?? RENDER_TIMEOUT_MS;
  }

  /** The pid of the child that would draw the next chart, if one is running (bench, tests). */
  get pid(): number | undefined {
    return this.current?.process.pid;
  }

  async png(model: ChartModel, size?: ChartSize): Promise<Buffer> {
    const data = await this.render("png", model, size);
    if (typeof data === "string") throw new ChartRenderError("the chart renderer answered text for a PNG");
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  async svg(model: ChartModel, size?: ChartSize): Promise<string> {
    const data = await this.render("svg", model, size);
    if (typeof data !== "string") throw new ChartRenderError("the chart renderer answered bytes for an SVG");
    return data;
  }

  /** Ends every child (their renders fail); the next chart starts a new one. */
  close(): void {
    clearTimeout(this.idleTimer);
    for (const c of [this.current, ...this.retiring]) c?.process.kill();
    this.current = undefined;
    this.retiring.clear();
  }

  private async render(format: RenderFormat, model: ChartModel, size?: ChartSize) {
    clearTimeout(this.idleTimer);
    const child = this.child();
    const req: RenderRequest = { id: this.nextId++, format, model, ...(size ? { size } : {}) };
    const out = child.request(req, this.timeoutMs);
    if (child.sent >= this.maxRenders) this.retire(child);
    try {
      return await out;
    } finally {
      for (const c of this.retiring) c.retire();
      this.idleTimer = setTimeout(() => this.current && this.retire(this.current), this.idleMs);
      this.idleTimer.unref();
    }
  }

  private child(): Child {
    this.current ??= new Child(this.entry, (gone) => {
      this.retiring.delete(gone);
      if (this.current === gone) this.current = undefined;
    });
    return this.current;
  }

  private retire(child: Child): void {
    if (this.current === child) this.current = undefined;
    this.retiring.add(child);
    child.retire();
  }
}
