/**
 * What the bot says to a command or a button: command text in, Slack message out. The use case
 * (figures, view, shared replies) is src/answer; this adds what only Slack needs: the usage
 * message, the history and post answers, and every failure turned into a message with a
 * reference. Built once by the composition root; the listeners only call it.
 */
import {
  type AnswerDeps,
  Answerer,
  answerView,
  isStatsQuery,
  monthsFor,
  type StatsCommand,
  type StatsQuery,
} from "../answer/index.js";
import { errorText } from "../errors/index.js";
import { type DrawPng, NO_PNG, requestedFilePlan } from "../files/index.js";
import type { Logger } from "../log.js";
import { type Month, monthLabel, shortMonthLabel } from "../months.js";
import { parseCommand } from "../query/parse.js";
import type { FileRequest, ParsedCommand } from "../query/types.js";
import { USAGE } from "../query/usage.js";
import {
  renderErrorMessage,
  renderFileSent,
  renderHelpMessage,
  renderInterim,
  renderSlackView,
  renderUsageError,
  type SlackMessage,
} from "../report/slack/index.js";
import type { FileUploader } from "../schedule/slack-poster.js";
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
  /** `export csv`, `trend chart`: files sent to the person (absent: no Slack client, no files). */
  readonly files?: {
    readonly uploader: FileUploader;
    /** The PNG renderer, loaded on first use (src/chart). */
    readonly png: () => Promise<DrawPng>;
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
    return this.parseFor(text);
  }

  /** `servers`: the names a first word may give; `usage`: the usage shown with an error. */
  parseFor(text: string, servers?: readonly string[], usage?: string): Parsed {
    const parsed = parseCommand(text, {
      now: this.ctx.now(),
      timeZone: this.ctx.timeZone,
      ...(servers ? { servers } : {}),
    });
    if (!parsed.ok) return { ok: false, message: renderUsageError(parsed.message, usage ?? parsed.usage) };
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
    // A file is uploaded, never carried in the ack.
    if (!isStatsQuery(query) || command.file) return undefined;
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
    if (isStatsQuery(query) && command.file) return this.sendFile({ ...command, query }, command.file, who);
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
      case "compare":
        // With several servers, slack/servers.ts answers `all` before it comes here.
        return renderErrorMessage(
          "This bot serves one Gluu server (GLUU_SERVERS is not set), so there is nothing to compare; ask `/gluu-stats last`.",
        );
    }
  }

  private sendFile(command: StatsCommand, request: FileRequest, who: Asker): Promise<SlackMessage> {
    return sendFileTo(this.ctx, command, request, who);
  }
}

/** The file a command asked for, sent to the person's direct messages or, with `public`, the channel. */
async function sendFileTo(
  ctx: ReplyContext,
  command: StatsCommand,
  request: FileRequest,
  who: Asker,
): Promise<SlackMessage> {
  const { files } = ctx;
  if (!files) return renderErrorMessage("This bot cannot send files here; ask without “csv” or “chart”.");
  const plan = requestedFilePlan(await answerView(command, ctx), request);
  if (!plan) return renderErrorMessage("There is nothing to put in a file for that question.");
  const file = await plan.build(plan.kind === "chart" ? await files.png() : NO_PNG);
  const inChannel = command.public && who.channelId !== undefined;
  try {
    const channel =
      inChannel && who.channelId ? who.channelId : await files.uploader.directChannel(who.userId);
    const sent = await files.uploader.upload(channel, file);
    return renderFileSent({
      filename: file.filename,
      title: file.title,
      where: inChannel ? "channel" : "dm",
      ...(sent.link ? { link: sent.link } : {}),
    });
  } catch (err) {
    const ref = reportFailure(ctx.log, err, {
      user: who.userId,
      channel: who.channelId,
      file: file.filename,
    });
    // Slack's refusals carry the fix (invite the bot, add files:write); nothing secret is in them.
    return renderErrorMessage(`${file.filename} could not be sent: ${errorText(err)}`, ref);
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
