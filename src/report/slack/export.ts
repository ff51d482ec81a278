/** The billing export as a Slack message: each month's MAU, average, maximum, `mau-signature`. */
import type { types as slack } from "@slack/bolt";
import { isoMonth, monthLabel, shortMonthLabel } from "../../months.js";
import { formatCount, formatUsagePercent } from "../format.js";
import type { ExportView } from "../view.js";
import { ACTION_IDS } from "./action-ids.js";
import {
  actions,
  button,
  codeSections,
  fallback,
  fieldSections,
  firstWithinLimits,
  header,
  monthList,
  plural,
  type SlackMessage,
  section,
  sourceContext,
} from "./primitives.js";
import { licensedClause, limitLine } from "./series.js";

type KnownBlock = slack.KnownBlock;

function buildExportMessage(view: ExportView, maxRows: number): SlackMessage {
  const exp = view.export;
  const first = exp.rows[0]?.month;
  const last = exp.rows[exp.rows.length - 1]?.month;
  const span = first && last ? `${shortMonthLabel(first)} – ${shortMonthLabel(last)}` : "";
  const title = span ? `MAU billing export: ${span}` : "MAU billing export";
  const blocks: KnownBlock[] = [header(title)];

  const rows = exp.rows.slice(Math.max(0, exp.rows.length - maxRows));
  if (rows.length > 0) {
    const usage = new Map(view.summary.rows.map((r) => [isoMonth(r.month), r.usage]));
    const cells = rows.map((r) => {
      const u = usage.get(isoMonth(r.month));
      return {
        month: isoMonth(r.month),
        mau: r.mau === undefined ? "no data" : formatCount(r.mau),
        usage: u ? `${u.over ? "⚠ " : ""}${formatUsagePercent(u)}` : "",
      };
    });
    const nw = Math.max(3, ...cells.map((c) => c.mau.length));
    const licensed = view.summary.limit !== undefined;
    const uw = Math.max(7, ...cells.map((c) => c.usage.length));
    blocks.push(
      ...codeSections([
        `Month    ${"MAU".padStart(nw)}${licensed ? `  ${"Licence".padStart(uw)}` : ""}`,
        ...cells.map((c) =>
          `${c.month}  ${c.mau.padStart(nw)}${licensed ? `  ${c.usage.padStart(uw)}` : ""}`.trimEnd(),
        ),
      ]),
    );
  }
  if (rows.length < exp.rows.length) {
    blocks.push(section(`_${plural(exp.rows.length - rows.length, "earlier month")} not shown here._`));
  }

  const fields: string[] = [];
  if (exp.average !== undefined) {
    const withData = exp.rows.length - exp.missing.length;
    fields.push(`*Average*\n${formatCount(exp.average)}\n_over the ${plural(withData, "month")} with data_`);
  }
  if (exp.maximum)
    fields.push(`*Maximum*\n${formatCount(exp.maximum.mau)} in ${monthLabel(exp.maximum.month)}`);
  const limit = limitLine(view.summary);
  if (limit) fields.push(`*Licensed*\n${limit}`);
  if (fields.length > 0) blocks.push(...fieldSections(fields));

  blocks.push(section(`*mau-signature*\n\`${exp.signature}\``));
  if (exp.missing.length > 0) {
    blocks.push(
      section(
        `:warning: *No data for ${monthList(exp.missing, isoMonth)}.* The official exporter leaves such months out, so they add nothing to the signature. They are missing, not zero.`,
      ),
    );
  }
  blocks.push(
    sourceContext(
      view.host,
      view.fetchedAt,
      view.timeZone,
      "Signature as Gluu's stat-exporter computes it: SHA-256 of 42 + the sum of the MAU values listed.",
    ),
    ...actions(button("Share in channel", ACTION_IDS.share, view.share?.value, true)),
  );

  const figures =
    exp.average !== undefined && exp.maximum
      ? `average ${formatCount(exp.average)}, maximum ${formatCount(exp.maximum.mau)} (${monthLabel(exp.maximum.month)})`
      : "no data";
  const what = span ? `MAU billing export (${span})` : "MAU billing export";
  return {
    text: fallback(`${what}: ${figures}${licensedClause(view.summary)}; mau-signature ${exp.signature}.`),
    blocks,
  };
}

/** Rebuilt with fewer rows until it fits; the signature always covers every month. */
export function renderExportMessage(view: ExportView): SlackMessage {
  return firstWithinLimits([36, 24, 12, 0].map((rows) => () => buildExportMessage(view, rows)));
}
