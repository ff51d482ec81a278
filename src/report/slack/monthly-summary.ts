/**
 * The monthly summary post, composed from the month and series renderers so its figures look
 * exactly as a /gluu-stats answer shows them.
 */
import { monthLabel, shortMonthLabel } from "../../months.js";
import { formatChange, formatCount, formatCrossings } from "../format.js";
import type { MonthlySummaryView } from "../view.js";
import type { MessageBlock } from "./blocks.js";
import { checkBlockLimits } from "./limits.js";
import { renderMonthMessage } from "./month.js";
import { escapeMrkdwn, HLL_NOTE, header, type SlackMessage, section, sourceContext } from "./primitives.js";
import { seriesBody } from "./series.js";

function signatureLine(view: MonthlySummaryView): string {
  const exp = view.export;
  const first = exp.rows[0]?.month ?? view.month;
  const average = exp.average === undefined ? "n/a" : formatCount(exp.average);
  const maximum = exp.maximum ? formatCount(exp.maximum.mau) : "n/a";
  const missing =
    exp.missing.length > 0
      ? ` (${exp.missing.length} month(s) without data left out, as the exporter does)`
      : "";
  return `*Billing export* ${shortMonthLabel(first)} – ${shortMonthLabel(view.month)}: average ${average}, maximum ${maximum}, \`mau-signature: ${exp.signature}\`${missing}`;
}

export function renderMonthlySummary(view: MonthlySummaryView): SlackMessage {
  const { month, lastYear, yearOverYear } = view;
  const stats = view.detail.stats;
  const against = `*Against ${monthLabel(lastYear)}:* `;
  const yoyLine =
    against + (yearOverYear ? escapeMrkdwn(formatChange(yearOverYear)) : "no data for that month");
  // The month's figures without its own header, source line and buttons.
  // One table per message: the trend's month list is the table, so grant types are fields here.
  const monthBlocks = renderMonthMessage(view.detail, { grantTable: false }).blocks.filter(
    (b) => b.type !== "header" && b.type !== "context" && b.type !== "actions",
  );
  const build = (tokenDetail: boolean, trendRows: number): SlackMessage => ({
    text: `Gluu monthly summary for ${monthLabel(month)}: ${
      stats ? `${formatCount(stats.mau)} monthly active users` : "no data"
    }. mau-signature ${view.export.signature}`,
    blocks: [
      header(`Gluu monthly summary: ${monthLabel(month)}`),
      ...(tokenDetail ? monthBlocks : monthBlocks.slice(0, 1)),
      section(yoyLine),
      ...(view.crossings
        ? [
            section(
              `*Licence thresholds reached:* ${escapeMrkdwn(formatCrossings(view.crossings, view.timeZone))}`,
            ),
          ]
        : []),
      { type: "divider" },
      section(`*${view.trend.title}*`),
      ...seriesBody(view.trend, { maxRows: trendRows, chartTitle: view.trend.title }),
      sourceContext(
        view.host,
        view.fetchedAt,
        view.timeZone,
        `${HLL_NOTE}; the average counts months with data only.`,
      ),
      section(signatureLine(view)),
    ] satisfies MessageBlock[],
  });
  const full = build(true, 36);
  return checkBlockLimits(full).length === 0 ? full : build(false, 36);
}
