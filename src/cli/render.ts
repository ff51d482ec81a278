/** A view as the CLI prints it, in each output format. */
import { renderBillingCsv, renderCsv } from "../report/csv.js";
import { renderExporterJson, renderJson } from "../report/json.js";
import { writeOpenMetrics } from "../report/openmetrics.js";
import { renderTextView } from "../report/text.js";
import type { View } from "../report/view.js";
import type { OutputFormat } from "./output-format.js";

export function renderView(view: View, format: OutputFormat): string {
  switch (format) {
    case "json":
      return view.kind === "export"
        ? renderExporterJson(view.export)
        : renderJson(view.summary, { host: view.host, fetchedAt: view.fetchedAt });
    case "csv":
      return view.kind === "export" ? renderBillingCsv(view.export) : renderCsv(view.summary.rows);
    case "openmetrics":
      // The server's own text format (calendar order), for tools that already read it.
      return writeOpenMetrics(view.summary.rows.flatMap((r) => (r.stats ? [r.stats] : [])));
    case "text":
      return renderTextView(view);
  }
}
