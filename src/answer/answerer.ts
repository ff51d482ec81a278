/**
 * The use case every surface shares: a parsed command in, its view (and, for Slack, its
 * rendered reply) out. The Slack command, its buttons, the CLI and the demo all come here, so
 * they show the same figures, labels and buttons for the same question.
 */

import type { MonthCurves } from "../curve/book.js";
import type { Pace } from "../curve/pace.js";
import type { StatResult } from "../gluu/model.js";
import type { StatService } from "../gluu/stat-service.js";
import { isoMonth, type Month, monthAt, monthProgressAt } from "../months.js";
import { formatCommand } from "../query/parse.js";
import type { View } from "../report/view.js";
import { type Answer, answer, answerFrom, monthsFor, type StatsCommand } from "./fetch.js";
import { ReplyMemo } from "./memo.js";
import { type ViewContext, viewOf } from "./view.js";

/** What the use case needs of the stat service; `peek` and `readyAt` make answers instant. */
export interface AnswerStats extends Pick<StatService, "get"> {
  /** The figures when every month is answerable from the cache now, without a request. */
  peek?(months: readonly Month[]): StatResult | undefined;
  /** When the figures for these months are expected (ms since epoch); undefined when at hand. */
  estimateReadyAt?(months: readonly Month[]): number | undefined;
}

export interface AnswerDeps {
  readonly stats: AnswerStats;
  /** The Gluu server's host, shown in every reply. */
  readonly host: string;
  readonly timeZone: string;
  readonly now: () => number;
  /** GLUU_MAU_LIMIT: every answer shows usage against it. */
  readonly licensedMau?: number;
  /** The month's curve: "at this point last month" for the month in progress. */
  readonly curves?: Pick<MonthCurves, "paceAt" | "ready">;
}

function contextOf(deps: AnswerDeps): ViewContext {
  const now = deps.now();
  return {
    host: deps.host,
    timeZone: deps.timeZone,
    currentMonth: monthAt(now, deps.timeZone),
    progress: monthProgressAt(now, deps.timeZone),
    ...(deps.licensedMau !== undefined ? { licensedMau: deps.licensedMau } : {}),
    ...paceOf(deps, now),
  };
}

function paceOf(deps: AnswerDeps, now: number): { pace?: Pace } {
  const pace = deps.curves?.paceAt(now);
  return pace ? { pace } : {};
}

/** The views of several commands from one result (the App Home): one context, one clock. */
export function viewsFrom(commands: readonly StatsCommand[], result: StatResult, deps: AnswerDeps): View[] {
  const ctx = contextOf(deps);
  return commands.map((c) => viewOf(answerFrom(c.query, result), c, ctx));
}

/** The view of a command's answer: one call to the stat service. */
export async function answerView(command: StatsCommand, deps: AnswerDeps): Promise<View> {
  const a = await answer(command.query, deps.stats);
  return viewOf(a, command, contextOf(deps));
}

/**
 * Rendered replies, shared. The stat service already merges identical queries into one
 * request; this merges the work after it too (view, render), so 200 people asking at once cost
 * one render, and reuses a finished reply while its figures are the same.
 */
export class Answerer<T> {
  constructor(
    private readonly deps: AnswerDeps,
    private readonly render: (view: View) => T,
    private readonly memo: ReplyMemo<T> = new ReplyMemo<T>(),
  ) {}

  async reply(command: StatsCommand): Promise<T> {
    // This answer waits anyway; one that rides in the ack takes what is in memory.
    await this.deps.curves?.ready(this.deps.now());
    const ctx = contextOf(this.deps);
    const key = replyKey(command, ctx);
    return this.memo.shared(key, async () =>
      this.built(key, await answer(command.query, this.deps.stats), command, ctx),
    );
  }

  /**
   * The reply at once, when the cache holds every month it needs (no request, no waiting);
   * undefined otherwise. What lets a slash command carry its answer in the acknowledgement.
   */
  ready(command: StatsCommand): T | undefined {
    const result = this.deps.stats.peek?.(monthsFor(command.query));
    if (!result) return undefined;
    const ctx = contextOf(this.deps);
    return this.built(replyKey(command, ctx), answerFrom(command.query, result), command, ctx);
  }

  private built(key: string, a: Answer, command: StatsCommand, ctx: ViewContext): T {
    const build = () => this.render(viewOf(a, command, ctx));
    const { fetchedAt, latestFetchedAt } = a.result;
    // Oldest and newest fetch times change whenever any month of the answer is fetched again.
    return latestFetchedAt === undefined
      ? build()
      : this.memo.reuse(`${key}|${fetchedAt}|${latestFetchedAt}`, build);
  }
}

/**
 * What makes two replies equal: the command, and the clock's month and day (the month decides
 * the navigation buttons, the day the "day 2 of 31" label).
 */
function replyKey(command: StatsCommand, ctx: ViewContext): string {
  return `${formatCommand(command)}|${isoMonth(ctx.currentMonth)}|${ctx.progress.day}|${ctx.pace?.at ?? ""}`;
}
