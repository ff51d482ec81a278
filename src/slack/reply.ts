/**
 * What the bot says to a command or a button: parsed command in, Slack message out. Slack's
 * wiring (ack, respond, signatures) lives in the listeners; this is the logic they share, and
 * what the demo and the benchmark drive directly.
 */
import { type Answer, answer, isStatsQuery, type StatsQuery } from "../answer/index.js";
import type { StatService } from "../gluu/stat-service.js";
import type { Logger } from "../log.js";
import { addMonths, compareMonths, isoMonth, type Month, monthAt, tryAddMonths } from "../months.js";
import { formatCommand, parseCommand } from "../query/parse.js";
import type { ParsedCommand } from "../query/types.js";
import { USAGE } from "../query/usage.js";
import {
  renderErrorMessage,
  renderExportMessage,
  renderHelpMessage,
  renderMonthMessage,
  renderSeriesMessage,
  renderUsageError,
  type SlackMessage,
} from "../report/blocks.js";
import { statsOf } from "../report/summary.js";
import { reportFailure, userSentence } from "./failure.js";

export interface ReplyContext {
  readonly stats: Pick<StatService, "get">;
  /** The Gluu server's host, shown in every reply's context line. */
  readonly host: string;
  readonly timeZone: string;
  readonly now: () => number;
  readonly log: Logger;
  /** Answers for `history` and `post` (the monthly post); absent when it is not configured. */
  readonly extra?: {
    history?(): Promise<SlackMessage>;
    post?(month: Month, userId: string): Promise<SlackMessage>;
  };
}

export type Parsed = { ok: true; command: ParsedCommand } | { ok: false; message: SlackMessage };

/** Command text → a parsed command, or the usage message that explains what was wrong. */
export function parseText(text: string, ctx: Pick<ReplyContext, "now" | "timeZone">): Parsed {
  const parsed = parseCommand(text, { now: ctx.now(), timeZone: ctx.timeZone });
  if (!parsed.ok) return { ok: false, message: renderUsageError(parsed.message, parsed.usage) };
  return parsed;
}

/** Replies that need no data: answered inside the ack, at once. */
export function immediateReply(command: ParsedCommand): SlackMessage | undefined {
  return command.query.kind === "help" ? renderHelpMessage(USAGE) : undefined;
}

/** Canonical button value of one month: explicit, so a stale button still means what it showed. */
const monthValue = (m: Month) => isoMonth(m);

export function renderAnswer(
  a: Answer,
  ctx: Pick<ReplyContext, "host" | "timeZone" | "now">,
  shared: boolean,
) {
  const meta = { host: ctx.host, fetchedAt: a.result.fetchedAt, timeZone: ctx.timeZone };
  switch (a.kind) {
    case "month": {
      const current = monthAt(ctx.now(), ctx.timeZone);
      const next = addMonths(a.month, 1);
      const before = tryAddMonths(a.month, -1);
      return renderMonthMessage({
        ...meta,
        month: a.month,
        current: a.current,
        stats: statsOf(a.result, a.month),
        previous: before && statsOf(a.result, before),
        navigation: shared
          ? undefined
          : {
              prev: before && monthValue(before),
              next: compareMonths(next, current) <= 0 ? monthValue(next) : undefined,
              trend: "trend",
              share: `${monthValue(a.month)} public`,
            },
      });
    }
    case "series":
      return renderSeriesMessage({
        ...meta,
        title: a.title,
        months: a.months,
        result: a.result,
        share: shared ? undefined : shareValue(a),
      });
    case "export":
      return renderExportMessage(a.export, { ...meta, share: shared ? undefined : "export public" });
  }
}

function shareValue(a: Extract<Answer, { kind: "series" }>): string {
  const first = a.months[0];
  const last = a.months[a.months.length - 1];
  if (a.title.startsWith("12-month trend")) return "trend public";
  return first && last ? `${monthValue(first)}..${monthValue(last)} public` : "trend public";
}

/** Replies being built, per context and command: a burst of identical commands builds one. */
const building = new WeakMap<object, Map<string, Promise<SlackMessage>>>();
/** Replies built, per context, by command and data version: the same figures render once. */
const built = new WeakMap<object, Map<string, SlackMessage>>();
const BUILT_KEEP = 64;

function renderOnce(a: Answer, key: string, ctx: ReplyContext, shared: boolean): SlackMessage {
  const { fetchedAt, latestFetchedAt } = a.result;
  if (latestFetchedAt === undefined) return renderAnswer(a, ctx, shared);
  let cache = built.get(ctx);
  if (!cache) {
    cache = new Map();
    built.set(ctx, cache);
  }
  // Oldest and newest fetch times change whenever any month of the answer is fetched again.
  const version = `${key}|${fetchedAt}|${latestFetchedAt}`;
  const hit = cache.get(version);
  if (hit) return hit;
  const message = renderAnswer(a, ctx, shared);
  cache.set(version, message);
  if (cache.size > BUILT_KEEP) cache.delete(cache.keys().next().value as string);
  return message;
}

/**
 * The stat service already merges identical queries into one request; this merges the work
 * after it too (summaries, Block Kit), so 200 people asking at once cost one render. Only while
 * in flight; finished replies are reused only for the same data version (see renderOnce).
 */
function sharedReply(command: ParsedCommand, query: StatsQuery, ctx: ReplyContext): Promise<SlackMessage> {
  let flights = building.get(ctx);
  if (!flights) {
    flights = new Map();
    building.set(ctx, flights);
  }
  // The current month decides the navigation buttons, so it is part of what makes replies equal.
  const key = `${formatCommand(command)}|${isoMonth(monthAt(ctx.now(), ctx.timeZone))}`;
  const existing = flights.get(key);
  if (existing) return existing;
  const work = answer(query, ctx.stats).then((a) => renderOnce(a, key, ctx, command.public));
  const own = flights;
  own.set(key, work);
  const done = () => own.delete(key);
  work.then(done, done);
  return work;
}

/**
 * The full answer to a parsed command, with every failure turned into a message: this never
 * throws, so a listener can always respond.
 */
export async function replyTo(
  command: ParsedCommand,
  ctx: ReplyContext,
  who: { userId: string; channelId?: string },
): Promise<SlackMessage> {
  const { query } = command;
  try {
    if (isStatsQuery(query)) return await sharedReply(command, query, ctx);
    switch (query.kind) {
      case "help":
        return renderHelpMessage(USAGE);
      case "history":
        return ctx.extra?.history
          ? await ctx.extra.history()
          : renderErrorMessage(
              "No monthly post is configured (REPORT_CHANNEL is not set), so there is no delivery history.",
            );
      case "post":
        return ctx.extra?.post
          ? await ctx.extra.post(query.month, who.userId)
          : renderErrorMessage(
              "No monthly post is configured (REPORT_CHANNEL is not set), so there is nothing to post.",
            );
    }
  } catch (err) {
    const ref = reportFailure(ctx.log, err, { user: who.userId, channel: who.channelId, query: query.kind });
    return renderErrorMessage(userSentence(err, ctx.host), ref);
  }
}
