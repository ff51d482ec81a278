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

/** `server`: the server the reply is about; its buttons keep to it. */
function commandButton(query: Query, isPublic: boolean, server: string | undefined): CommandButton {
  return { value: formatCommand({ query, public: isPublic, ...(server ? { server } : {}) }) };
}

function monthButton(month: Month, server: string | undefined): MonthButton {
  return { month, ...commandButton({ kind: "month", month, current: false }, false, server) };
}

/** Previous, next (never past the month in progress), trend and share, for one month's answer. */
export function monthButtons(month: Month, currentMonth: Month, server?: string): MonthButtons {
  const before = tryAddMonths(month, -1);
  const next = addMonths(month, 1);
  return {
    ...(before ? { prev: monthButton(before, server) } : {}),
    ...(compareMonths(next, currentMonth) <= 0 ? { next: monthButton(next, server) } : {}),
    // trend carries no months: it follows the clock when pressed.
    trend: commandButton({ kind: "trend", from: month, to: month }, false, server),
    share: commandButton({ kind: "month", month, current: false }, true, server),
  };
}

/** "Share in channel": the same query, answered in the channel. */
export function shareButton(query: StatsQuery, server?: string): CommandButton {
  // A month shared names itself, so the shared answer is the one the user saw.
  const q: StatsQuery = query.kind === "month" ? { ...query, current: false } : query;
  return commandButton(q, true, server);
}
