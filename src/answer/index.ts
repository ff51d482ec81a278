/** The use case: a parsed query in; the answer, its view and the button values out. */
export { type AnswerDeps, Answerer, answerView, viewsFrom } from "./answerer.js";
export { monthButtons, shareButton } from "./buttons.js";
export {
  type Answer,
  answer,
  answerFrom,
  fetchSummary,
  isStatsCommand,
  isStatsQuery,
  monthsFor,
  type StatsCommand,
  type StatsQuery,
  seriesKind,
  seriesTitle,
  summaryMonths,
} from "./fetch.js";
export { ReplyMemo } from "./memo.js";
export {
  exportView,
  monthlySummaryView,
  monthView,
  type SummaryInput,
  seriesView,
  type ViewContext,
  viewOf,
} from "./view.js";
