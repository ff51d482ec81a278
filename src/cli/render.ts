/** An Answer as the CLI prints it, in each output format. */
import type { Answer } from "../answer/index.js";
import { writeOpenMetrics } from "../emulator/index.js";
import { tryAddMonths } from "../months.js";
import { renderCsv } from "../report/csv.js";
import { renderExporterJson, renderJson } from "../report/json.js";
import { seriesSummary, statsOf } from "../report/summary.js";
import { renderExportText, renderTextReport } from "../report/text.js";

import type { OutputFormat } from "./main.js";

export interface RenderContext {
  readonly host: string;
  readonly timeZone: string;
}

export function renderAnswer(a: Answer, format: OutputFormat, ctx: RenderContext): string {
  const meta = { host: ctx.host, fetchedAt: a.result.fetchedAt, timeZone: ctx.timeZone };
  const shown =
    a.kind === "month" ? [a.month] : a.kind === "series" ? a.months : a.export.rows.map((r) => r.month);
  const summary = seriesSummary(shown, a.result);
  switch (format) {
    case "json":
      return a.kind === "export" ? renderExporterJson(a.export) : renderJson(summary, meta);
    case "csv":
      return renderCsv(summary.rows);
    case "openmetrics":
      // The server's own text format (calendar order), for tools that already read it.
      return writeOpenMetrics(summary.rows.flatMap((r) => (r.stats ? [r.stats] : [])));
    case "text":
      if (a.kind === "export") return renderExportText(a.export, meta);
      if (a.kind === "month") {
        const before = tryAddMonths(a.month, -1);
        return renderTextReport({
          kind: "month",
          month: a.month,
          current: a.current,
          stats: statsOf(a.result, a.month),
          previous: before && statsOf(a.result, before),
          ...meta,
        });
      }
      return renderTextReport({
        kind: "series",
        title: a.title,
        months: a.months,
        result: a.result,
        ...meta,
      });
  }
}
