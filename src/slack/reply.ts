/**
 * What the bot says to a command or a button: command text in, Slack message out. The use case
 * (figures, view, shared replies) is src/answer; this adds what only Slack needs: the usage
 * message, the history and post answers, and every failure turned into a message with a
 * reference. Built once by the composition root; the listeners only call it.
 */
import { type AnswerDeps, Answerer, isStatsQuery, monthsFor, type StatsQuery } from "../answer/index.js";
import { errorText } from "../errors/index.js";
import type { Logger } from "../log.js";
import { type Month, monthLabel, shortMonthLabel } from "../months.js";
import { parseCommand } from "../query/parse.js";
import type { ParsedCommand } from "../query/types.js";
import { USAGE } from "../query/usage.js";
import {
  renderErrorMessage,
  renderHelpMessage,
  renderInterim,
  renderSlackView,
  renderUsageError,
  type SlackMessage,
} from "../report/slack/index.js";
import { reportFailure, userSentence } from "./failure.js";

export interface ReplyContext extends AnswerDeps {
  readonly log: Logger;
  /** Answers for `history` and `post` (the monthly post); absent when it is not configured. */
  readonly extra?: {
    history?(): Promise<SlackMessage>;
    /** `month-curve`: the month in progress from the bot's samples. */
    curve?(): Promise<SlackMessage>;
    post?(month: Month, userId: string): Promise<SlackMessage>;
  };
}

export type Parsed = { ok: true; command: ParsedCommand } | { ok: false; message: SlackMessage };

export interface Asker {
  readonly userId: string;
  readonly channelId?: string;
}

export class Replies {
  private readonly answers: Answerer<SlackMessage>;

  constructor(private readonly ctx: ReplyContext) {
    this.answers = new Answerer(ctx, renderSlackView);
  }

  /** Command text → a parsed command, or the usage message that explains what was wrong. */
  parse(text: string): Parsed {
    const parsed = parseCommand(text, { now: this.ctx.now(), timeZone: this.ctx.timeZone });
    if (!parsed.ok) return { ok: false, message: renderUsageError(parsed.message, parsed.usage) };
    return parsed;
  }

  /** Replies that need no data: answered inside the ack, at once. */
  immediate(command: ParsedCommand): SlackMessage | undefined {
    return command.query.kind === "help" ? renderHelpMessage(USAGE) : undefined;
  }

  /** What the person sees while the answer is on its way: what is fetched, and for how long. */
  interim(command: ParsedCommand): SlackMessage {
    const { query } = command;
    if (query.kind === "post")
      return renderInterim({ doing: `Posting the ${monthLabel(query.month)} summary`, host: this.ctx.host });
    if (!isStatsQuery(query)) return renderInterim({ doing: "Working on it", host: this.ctx.host });
    const readyAt = this.ctx.stats.estimateReadyAt?.(monthsFor(query));
    const waitS = readyAt === undefined ? undefined : Math.ceil((readyAt - this.ctx.now()) / 1000);
    return renderInterim({
      what: describeQuery(query),
      host: this.ctx.host,
      ...(waitS !== undefined && waitS > 1 ? { waitS } : {}),
      inChannel: command.public,
    });
  }

  /**
   * The answer at once when the cache holds every month it needs, so it can ride in the ack;
   * undefined when it needs the Gluu server (or is not a stats question).
   */
  ready(command: ParsedCommand): SlackMessage | undefined {
    const { query } = command;
    if (!isStatsQuery(query)) return undefined;
    try {
      return this.answers.ready({ ...command, query });
    } catch (err) {
      // A render failure here is retried by the full path, which reports it with a reference.
      this.ctx.log.warn({ err: errorText(err) }, "cached answer could not be rendered");
      return undefined;
    }
  }

  /** The full answer to a parsed command. Never throws, so a listener can always respond. */
  async to(command: ParsedCommand, who: Asker): Promise<SlackMessage> {
    return (await this.answer(command, who)).message;
  }

  /** {@link to}, and whether the answer is a failure explained (for metrics). */
  async answer(command: ParsedCommand, who: Asker): Promise<{ message: SlackMessage; failed: boolean }> {
    const { query } = command;
    try {
      return { message: await this.attempt(command, who), failed: false };
    } catch (err) {
      const ref = reportFailure(this.ctx.log, err, {
        user: who.userId,
        channel: who.channelId,
        query: query.kind,
      });
      return { message: renderErrorMessage(userSentence(err, this.ctx.host), ref), failed: true };
    }
  }

  private async attempt(command: ParsedCommand, who: Asker): Promise<SlackMessage> {
    const { query } = command;
    const { extra } = this.ctx;
    if (isStatsQuery(query)) return this.answers.reply({ ...command, query });
    switch (query.kind) {
      case "help":
        return renderHelpMessage(USAGE);
      case "history":
        return extra?.history
          ? extra.history()
          : renderErrorMessage(
              "No monthly post is configured (REPORT_CHANNEL is not set), so there is no delivery history.",
            );
      case "post":
        return extra?.post
          ? extra.post(query.month, who.userId)
          : renderErrorMessage(
              "No monthly post is configured (REPORT_CHANNEL is not set), so there is nothing to post.",
            );
      case "curve":
        return extra?.curve
          ? extra.curve()
          : renderErrorMessage("The month's curve is not available in this bot.");
    }
  }
}

/** "June 2021", "Jan 2021 – Apr 2021", "the 12-month trend": what the person asked for. */
export function describeQuery(q: StatsQuery): string {
  switch (q.kind) {
    case "month":
      return monthLabel(q.month);
    case "range":
      return `${shortMonthLabel(q.from)} – ${shortMonthLabel(q.to)}`;
    case "trend":
      return "the 12-month trend";
    case "export":
      return "the billing export";
  }
}
