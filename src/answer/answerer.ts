/**
 * The use case every surface shares: a parsed command in, its view (and, for Slack, its
 * rendered reply) out. The Slack command, its buttons, the CLI and the demo all come here, so
 * they show the same figures, labels and buttons for the same question.
 */
import type { StatService } from "../gluu/stat-service.js";
import { isoMonth, monthAt, monthProgressAt } from "../months.js";
import { formatCommand } from "../query/parse.js";
import type { View } from "../report/view.js";
import { type Answer, answer, type StatsCommand } from "./fetch.js";
import { ReplyMemo } from "./memo.js";
import { type ViewContext, viewOf } from "./view.js";

export interface AnswerDeps {
  readonly stats: Pick<StatService, "get">;
  /** The Gluu server's host, shown in every reply. */
  readonly host: string;
  readonly timeZone: string;
  readonly now: () => number;
}

function contextOf(deps: AnswerDeps): ViewContext {
  const now = deps.now();
  return {
    host: deps.host,
    timeZone: deps.timeZone,
    currentMonth: monthAt(now, deps.timeZone),
    progress: monthProgressAt(now, deps.timeZone),
  };
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

  reply(command: StatsCommand): Promise<T> {
    const ctx = contextOf(this.deps);
    // The current month decides the navigation buttons, and the day the "day 2 of 31" label:
    // both are part of what makes replies equal.
    const key = `${formatCommand(command)}|${isoMonth(ctx.currentMonth)}|${ctx.progress.day}`;
    return this.memo.shared(key, async () => {
      const a: Answer = await answer(command.query, this.deps.stats);
      const build = () => this.render(viewOf(a, command, ctx));
      const { fetchedAt, latestFetchedAt } = a.result;
      // Oldest and newest fetch times change whenever any month of the answer is fetched again.
      return latestFetchedAt === undefined
        ? build()
        : this.memo.reuse(`${key}|${fetchedAt}|${latestFetchedAt}`, build);
    });
  }
}
