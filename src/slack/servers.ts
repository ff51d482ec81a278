/**
 * Several Gluu servers behind one `/gluu-stats`: the first word may name a server, each server
 * answers through its own Replies (its own stat service, cache, interval and errors), and a
 * server's own access lists narrow the global ones. A server a person may not see is, to them,
 * a name the bot does not know: the same usage answer, no figures, and no request to it.
 * With one server this is a pass-through and commands read as they always did.
 */
import type { AnswerStats } from "../answer/answerer.js";
import { type ComparedServer, comparisonView, fetchComparison, peekComparison } from "../answer/compare.js";
import type { Logger } from "../log.js";
import { monthLabel, monthProgressAt } from "../months.js";
import type { ParsedCommand, Query } from "../query/types.js";
import { USAGE } from "../query/usage.js";
import {
  renderComparison,
  renderErrorMessage,
  renderHelpMessage,
  renderInterim,
  renderUsageError,
  type SlackMessage,
  safeMrkdwn,
} from "../report/slack/index.js";
import { reportFailure } from "./failure.js";
import type { Asker, Parsed, Replies } from "./reply.js";

export interface ServedServer {
  /** As in GLUU_SERVERS. */
  readonly name: string;
  readonly displayName: string;
  readonly replies: Replies;
  /** Its stat service, for `all` (the same one its replies use). */
  readonly stats: AnswerStats;
  readonly licensedMau?: number;
  /** GLUU_<NAME>_ALLOWED_USER_IDS / _CHANNEL_IDS: empty lists narrow nothing. */
  readonly users: readonly string[];
  readonly channels: readonly string[];
}

/** What the listeners ask of the replies, for one server or several. */
export interface ReplySource {
  parse(text: string, who?: Asker): Parsed;
  immediate(command: ParsedCommand, who?: Asker): SlackMessage | undefined;
  interim(command: ParsedCommand): SlackMessage;
  ready(command: ParsedCommand): SlackMessage | undefined;
  answer(command: ParsedCommand, who: Asker): Promise<{ message: SlackMessage; failed: boolean }>;
}

/** Whether a server's own lists admit the person (the global rules were checked before). */
export function mayUse(server: Pick<ServedServer, "users" | "channels">, who: Asker | undefined): boolean {
  if (!who) return server.users.length === 0 && server.channels.length === 0;
  if (server.users.length > 0 && !server.users.includes(who.userId)) return false;
  if (server.channels.length > 0 && (!who.channelId || !server.channels.includes(who.channelId)))
    return false;
  return true;
}

/** The help's last lines: which servers this person may name, and how. */
export function serversUsage(visible: readonly Pick<ServedServer, "name" | "displayName">[]): string {
  if (visible.length === 0) return "There is no Gluu server you may ask about; ask the admin of this bot.";
  const [first, second] = visible;
  const list = visible
    .map((s, i) => {
      const shown = s.displayName !== s.name ? ` (${safeMrkdwn(s.displayName, 60)})` : "";
      return `\`${s.name}\`${shown}${i === 0 ? " — the default" : ""}`;
    })
    .join(", ");
  const example = second ?? first;
  const all = second
    ? " `all`, `all 2021-11`: every server side by side for a month (default: last month)."
    : "";
  return `*Servers:* ${list}. Name one first: \`/gluu-stats ${example?.name ?? ""} 2021-11\`, \`/gluu-stats ${example?.name ?? ""} trend\`.${all}`;
}

type CompareQuery = Extract<Query, { kind: "compare" }>;

/** What `all` needs besides the servers. */
export interface CompareOptions {
  readonly timeZone: string;
  readonly now: () => number;
  readonly log: Logger;
  /** How long `all` waits for a slow server before showing it as unavailable (default 3 s: past the 1.5 s interim reply, well past a healthy server's answer). */
  readonly deadlineMs?: number;
}

export class ServerReplies implements ReplySource {
  private readonly byName: ReadonlyMap<string, ServedServer>;

  /** `servers` in GLUU_SERVERS order; `several`: false for the single-server set-up. */
  constructor(
    private readonly servers: readonly [ServedServer, ...ServedServer[]],
    private readonly several: boolean,
    private readonly compare?: CompareOptions,
  ) {
    this.byName = new Map(servers.map((s) => [s.name, s]));
  }

  /** The only server's replies, for a bot with one (the Home, the monthly post). */
  get primary(): Replies {
    return this.servers[0].replies;
  }

  visibleTo(who: Asker | undefined): ServedServer[] {
    return this.servers.filter((s) => mayUse(s, who));
  }

  parse(text: string, who?: Asker): Parsed {
    if (!this.several) return this.primary.parse(text);
    const visible = this.visibleTo(who);
    const [fallback] = visible;
    const usage = `${USAGE}\n\n${serversUsage(visible)}`;
    if (!fallback) return { ok: false, message: renderErrorMessage(serversUsage(visible)) };
    const parsed = this.primary.parseFor(
      text,
      visible.map((s) => s.name),
      usage,
    );
    if (!parsed.ok) return parsed;
    if (parsed.command.query.kind === "compare") return parsed;
    // Without a name, the first server this person may see (the default for most).
    return { ok: true, command: { ...parsed.command, server: parsed.command.server ?? fallback.name } };
  }

  immediate(command: ParsedCommand, who?: Asker): SlackMessage | undefined {
    if (this.several && command.query.kind === "help") {
      return renderHelpMessage(`${USAGE}\n\n${serversUsage(this.visibleTo(who))}`);
    }
    if (this.several && command.query.kind === "compare") return this.cachedComparison(command.query, who);
    return this.of(command).immediate(command);
  }

  interim(command: ParsedCommand): SlackMessage {
    if (this.several && command.query.kind === "compare") {
      return renderInterim({
        doing: `Asking every server for ${monthLabel(command.query.month)}`,
        host: this.primaryServer.displayName,
      });
    }
    return this.of(command).interim(command);
  }

  ready(command: ParsedCommand): SlackMessage | undefined {
    return this.of(command).ready(command);
  }

  async answer(command: ParsedCommand, who: Asker): Promise<{ message: SlackMessage; failed: boolean }> {
    const { query } = command;
    if (this.several && query.kind === "compare") return this.comparison(query, who);
    const named = command.server ? this.byName.get(command.server) : undefined;
    // Parsed for this person, so this holds; checked again because a request to a server they
    // may not see must never be sent.
    if (this.several && (!named || !mayUse(named, who))) {
      const visible = this.visibleTo(who);
      return {
        message: renderUsageError(
          `There is no server “${command.server ?? ""}” you may ask about.`,
          `${USAGE}\n\n${serversUsage(visible)}`,
        ),
        failed: false,
      };
    }
    return this.of(command).answer(command, who);
  }

  private get primaryServer(): ServedServer {
    return this.servers[0];
  }

  /** The comparison when every server this person may see answers from its cache now. */
  private cachedComparison(query: CompareQuery, who: Asker | undefined): SlackMessage | undefined {
    if (!this.compare) return undefined;
    const compared = peekComparison(this.visibleTo(who), query.month);
    return compared && this.rendered(query, compared);
  }

  private async comparison(
    query: CompareQuery,
    who: Asker,
  ): Promise<{ message: SlackMessage; failed: boolean }> {
    const opts = this.compare;
    if (!opts) return { message: renderErrorMessage("`all` is not available in this bot."), failed: false };
    try {
      const compared = await fetchComparison(this.visibleTo(who), query.month, {
        now: opts.now,
        deadlineMs: opts.deadlineMs ?? 3_000,
      });
      return { message: this.rendered(query, compared), failed: false };
    } catch (err) {
      const ref = reportFailure(opts.log, err, {
        user: who.userId,
        channel: who.channelId,
        query: "compare",
      });
      return {
        message: renderErrorMessage("The servers could not be compared. Try again.", ref),
        failed: true,
      };
    }
  }

  private rendered(query: CompareQuery, servers: readonly ComparedServer[]): SlackMessage {
    const timeZone = this.compare?.timeZone ?? "UTC";
    const now = this.compare?.now() ?? Date.now();
    return renderComparison(
      comparisonView({
        month: query.month,
        current: query.current,
        ...(query.current ? { progress: monthProgressAt(now, timeZone) } : {}),
        timeZone,
        servers,
      }),
    );
  }

  /** A command parsed by {@link parse} names a server this person may see, or none. */
  private of(command: ParsedCommand): Replies {
    return (command.server ? this.byName.get(command.server)?.replies : undefined) ?? this.primary;
  }
}
