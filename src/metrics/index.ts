/** Prometheus metrics of the bot (see metrics.ts). */
export {
  BotMetrics,
  type CachedFigures,
  type CommandOutcome,
  type CommandSource,
  MAU_MONTHS,
  type ReplyOutcome,
} from "./metrics.js";
