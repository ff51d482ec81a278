/**
 * The renderer's process over its real IPC channel: the built child (dist/chart/child.js, which
 * the test setup builds), and stand-in children that crash, hang or answer nonsense.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterEach, describe, expect, it } from "vitest";
import { ChartProcess, ChartRenderError, loadChartRenderer } from "../../src/chart/index.js";
import { renderChartPng } from "../../src/chart/png.js";
import { sampleChartModel } from "../../src/chart/sample.js";

const opened: ChartProcess[] = [];
function charts(opts: ConstructorParameters<typeof ChartProcess>[0] = {}): ChartProcess {
  const c = new ChartProcess(opts);
  opened.push(c);
  return c;
}
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function standIn(source: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "chart-child-")), "child.mjs");
  writeFileSync(file, source);
  return file;
}

describe("the renderer's process", () => {
  it("draws the same PNG as the drawing in-process, at the size asked", async () => {
    const c = charts();
    const model = sampleChartModel();
    const png = await c.png(model, { width: 800, height: 400 });
    const decoded = PNG.sync.read(png);
    expect([decoded.width, decoded.height]).toEqual([800, 400]);
    expect(png.equals(renderChartPng(model, { width: 800, height: 400 }))).toBe(true);
    expect(await c.svg(model)).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });

  it("keeps one process for many charts, and replaces it after maxRenders", async () => {
    const c = charts({ maxRenders: 2 });
    const pids: number[] = [];
    for (let i = 0; i < 5; i++) {
      pids.push(c.pid ?? -1);
      await c.png(sampleChartModel(), { width: 300, height: 200 });
    }
    // Before the 1st chart no process; the 1st and 2nd share one, the 3rd and 4th the next.
    expect(pids[0]).toBe(-1);
    expect(pids[2]).toBe(-1);
    expect(pids[4]).toBe(-1);
    expect(pids[1]).toBeGreaterThan(0);
    expect(pids[3]).toBeGreaterThan(0);
    expect(pids[3]).not.toBe(pids[1]);
    // The retired one has exited.
    await until(() => !alive(pids[1] ?? 0));
  });

  it("draws concurrent charts, each with its own answer", async () => {
    const c = charts();
    const sizes = [300, 400, 500, 600, 700];
    const out = await Promise.all(sizes.map((w) => c.png(sampleChartModel(), { width: w, height: 200 })));
    expect(out.map((b) => PNG.sync.read(b).width)).toEqual(sizes);
  });

  it("exits when idle, and the next chart starts a new one", async () => {
    const c = charts({ idleMs: 100 });
    await c.png(sampleChartModel(), { width: 300, height: 200 });
    const pid = c.pid ?? 0;
    expect(pid).toBeGreaterThan(0);
    await until(() => !alive(pid));
    expect(c.pid).toBeUndefined();
    expect(PNG.sync.read(await c.png(sampleChartModel(), { width: 300, height: 200 })).width).toBe(300);
  });

  it("reports a chart it cannot draw and goes on drawing", async () => {
    const c = charts();
    await expect(c.png(sampleChartModel(), { width: 100_000, height: 600 })).rejects.toThrow(
      /could not be drawn: .*100000/,
    );
    expect(PNG.sync.read(await c.png(sampleChartModel(), { width: 300, height: 200 })).height).toBe(200);
  });

  it("fails a chart whose process dies, with its last words, and starts afresh", async () => {
    const c = charts({
      entry: standIn(
        `process.on("message", () => { console.error("out of memory in resvg"); process.exit(3); });`,
      ),
    });
    const err = await c.png(sampleChartModel()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChartRenderError);
    expect(String(err)).toMatch(/stopped \(exit 3\): out of memory in resvg/);
    await expect(c.png(sampleChartModel())).rejects.toThrow(/stopped/);
  });

  it("gives up on a chart that hangs, and kills its process", async () => {
    const c = charts({ entry: standIn(`process.on("message", () => {});`), timeoutMs: 300 });
    const started = c.png(sampleChartModel());
    const pid = c.pid ?? 0;
    await expect(started).rejects.toThrow(/longer than 0.3 s/);
    await until(() => !alive(pid));
  });

  it("ignores a reply that is not one, and still fails the chart on time", async () => {
    const c = charts({
      entry: standIn(`process.on("message", (m) => process.send({ id: m.id, ok: "yes", data: 42 }));`),
      timeoutMs: 300,
    });
    await expect(c.png(sampleChartModel())).rejects.toThrow(ChartRenderError);
  });
});

describe("loadChartRenderer", () => {
  it("is one renderer for every caller", async () => {
    expect(await loadChartRenderer()).toBe(await loadChartRenderer());
  });
});
