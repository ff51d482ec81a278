/**
 * Button values: the canonical text of the command the button runs, written by the same
 * formatter whose output the grammar parses back (query/parse.ts). A value names its month
 * explicitly, so a button pressed days later still means what it showed.
 */
import { addMonths, compareMonths, type Month, tryAddMonths } from "../months.js";
import { formatCommand } from "../query/parse.js";
import type { Query } from "../query/types.js";
import type { CommandButton, MonthButton, MonthButtons } from "../report/view.js";
import type { StatsQuery } from "./fetch.js";

function commandButton(query: Query, isPublic = false): CommandButton {
  return { value: formatCommand({ query, public: isPublic }) };
}

function monthButton(month: Month): MonthButton {
  return { month, ...commandButton({ kind: "month", month, current: false }) };
}

/** Previous, next (never past the month in progress), trend and share, for one month's answer. */
export function monthButtons(month: Month, currentMonth: Month): MonthButtons {
  const before = tryAddMonths(month, -1);
  const next = addMonths(month, 1);
  return {
    ...(before ? { prev: monthButton(before) } : {}),
    ...(compareMonths(next, currentMonth) <= 0 ? { next: monthButton(next) } : {}),
    // trend carries no months: it follows the clock when pressed.
    trend: commandButton({ kind: "trend", from: month, to: month }),
    share: commandButton({ kind: "month", month, current: false }, true),
  };
}

/** "Share in channel": the same query, answered in the channel. */
export function shareButton(query: StatsQuery): CommandButton {
  // A month shared names itself, so the shared answer is the one the user saw.
  const q: StatsQuery = query.kind === "month" ? { ...query, current: false } : query;
  return commandButton(q, true);
}
