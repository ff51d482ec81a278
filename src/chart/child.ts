/**
 * The chart renderer's own process (forked by process.ts): draws what the serving process asks
 * over IPC and answers with the bytes. ECharts and resvg live only here. resvg's native memory
 * is not given back after a render (about 1.6 MB per PNG, thx/resvg-js#216), so the process
 * that holds it is the one that goes away: process.ts retires it after a number of renders and
 * when idle. Exits when its parent goes away.
 */
import { renderChartPng } from "./png.js";
import { renderChartSvg } from "./svg.js";
import type { RenderReply } from "./wire.js";
import { renderRequestSchema } from "./wire.js";

const send = (reply: RenderReply) => process.send?.(reply);

process.on("message", (raw: unknown) => {
  const parsed = renderRequestSchema.safeParse(raw);
  if (!parsed.success) {
    // Answered when it names the request it is, so the caller's wait ends at once.
    const id = (raw as { id?: unknown } | null)?.id;
    if (Number.isInteger(id))
      send({ id: id as number, ok: false, error: "the render request was malformed" });
    return;
  }
  const { id, format, model, size } = parsed.data;
  try {
    send({
      id,
      ok: true,
      data: format === "png" ? renderChartPng(model, size) : renderChartSvg(model, size),
    });
  } catch (err) {
    send({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
process.on("disconnect", () => process.exit(0));
