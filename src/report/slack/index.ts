/** Slack Block Kit renderers: views in, `{ text, blocks }` out. Pure: no clock, no Slack client. */
import type { View } from "../view.js";
import { renderExportMessage } from "./export.js";
import { renderMonthMessage } from "./month.js";
import type { SlackMessage } from "./primitives.js";
import { renderSeriesMessage } from "./series.js";

export { ACTION_IDS } from "./action-ids.js";
export { alertHeadline, renderLicenseAlert } from "./alert.js";
export {
  type DataVisualizationBlock,
  type MessageBlock,
  NEWER_BLOCK_LIMITS,
  NEWER_BLOCK_TYPES,
} from "./blocks.js";
export { hasNewerBlocks, tableLines, withoutNewerBlocks } from "./classic.js";
export { renderComparison } from "./compare.js";
export { renderMonthCurve, sparkline } from "./curve.js";
export { renderExportMessage } from "./export.js";
export { renderHistoryMessage } from "./history.js";
export { checkHomeLimits, HOME_BLOCKS_MAX, type HomeTab, renderHome, renderHomes } from "./home.js";
export { checkBlockLimits, SLACK_LIMITS } from "./limits.js";
export { renderMonthMessage } from "./month.js";
export { renderMonthlySummary } from "./monthly-summary.js";
export {
  type InterimInput,
  renderErrorMessage,
  renderFileSent,
  renderHelpMessage,
  renderInterim,
  renderRefusal,
  renderUsageError,
} from "./notices.js";
export { escapeMrkdwn, type SlackMessage, safeMrkdwn } from "./primitives.js";
export { renderSeriesMessage, slackBar } from "./series.js";

/** Any answer's view as a Slack message. */
export function renderSlackView(view: View): SlackMessage {
  switch (view.kind) {
    case "month":
      return renderMonthMessage(view);
    case "series":
      return renderSeriesMessage(view);
    case "export":
      return renderExportMessage(view);
  }
}
