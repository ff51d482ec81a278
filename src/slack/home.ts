/**
 * The App Home of one user, as the stat service allows: published at once, from the cache when
 * it holds every month the Home shows, else with "fetching…" and published again when the
 * figures arrive (so the tab never sits empty while a Gluu 4.x server's interval runs). It
 * reads the stat service like every other surface: 50 people opening the Home at once share
 * one request.
 */
import { type AnswerDeps, isStatsCommand, monthsFor, type StatsCommand, viewsFrom } from "../answer/index.js";
import type { MonthCurves } from "../curve/book.js";
import { errorText } from "../errors/index.js";
import type { StatResult } from "../gluu/model.js";
import type { Outcome } from "../gluu/stat-service.js";
import type { Logger } from "../log.js";
import { parseCommand } from "../query/parse.js";
import { formatInstant } from "../report/format.js";
import { type HomeTab, renderHome, renderHomes } from "../report/slack/index.js";
import type { HistoryLine, HomeView, MonthCurveView, MonthView, SeriesView } from "../report/view.js";
import { type AccessRules, checkAccess, isAdmin } from "./access.js";
import { userSentence } from "./failure.js";
import { mayUse } from "./servers.js";

export interface HomeDeps extends AnswerDeps {
  readonly access: AccessRules;
  readonly log: Logger;
  /** The Gluu server's last answer (or failure). */
  readonly health: () => Outcome | undefined;
  /** The month's curve: "at this point last month", and this month against last month. */
  readonly curves?: Pick<MonthCurves, "paceAt" | "ready" | "curveView">;
  /** The monthly post, when configured. */
  readonly schedule?: {
    nextRun(): Date | null;
    deliveries(limit: number): Promise<HistoryLine[]>;
  };
}

const REFUSED =
  "Sorry, you are not on the list of people who may use Gluu Stats. Ask the admin of this bot to add you.";

/** An answer slower than this is reported as slow (the request deadline is 15 s by default). */
export const SLOW_ANSWER_MS = 5_000;

/** The server's state from its last answer: answering, slow, busy or unreachable, as replies say it. */
export function healthSentence(
  outcome: Outcome | undefined,
  host: string,
  timeZone: string,
): string | undefined {
  if (!outcome) return undefined;
  const when = formatInstant(outcome.at, timeZone);
  const took = outcome.tookMs ?? 0;
  if (outcome.ok && took > SLOW_ANSWER_MS) {
    return `Answering slowly: the last answer (${when}) took ${(took / 1000).toFixed(1)} s.`;
  }
  if (outcome.ok) return `Answering: last answer ${when}.`;
  return userSentence(outcome.error, host);
}

export class HomeViews {
  constructor(private readonly deps: HomeDeps) {}

  /** Publishes the user's Home once or twice (see the file comment); never throws. */
  async open(userId: string, publish: (view: HomeTab) => Promise<void>): Promise<void> {
    try {
      const { first, later } = await this.views(userId);
      await publish(renderHome(first));
      if (later) await publish(renderHome(await later));
    } catch (err) {
      this.deps.log.warn({ user: userId, err: errorText(err) }, "could not publish the App Home");
    }
  }

  /**
   * What the Home shows at once, and (when the figures must be fetched first) what it shows once
   * they have arrived or failed; `later` never rejects (not named `then`: the object would read as a promise).
   */
  async views(userId: string): Promise<{ first: HomeView; later?: Promise<HomeView> }> {
    const { deps } = this;
    if (!this.allows(userId)) return { first: { kind: "refused", reason: REFUSED } };
    // Last month's samples, for "at this point last month": in memory after the first Home.
    await deps.curves?.ready(deps.now());
    const commands = this.commands();
    const months = commands.flatMap((c) => monthsFor(c.query));
    const ready = deps.stats.peek?.(months);
    // Read once per open: the second view changes only the figures and the server's health.
    const base = await this.base(userId);
    if (ready) return { first: { ...base, figures: this.figures(commands, ready) } };
    const later = deps.stats.get(months).then(
      (result): HomeView => ({ ...base, ...this.health(), figures: this.figures(commands, result) }),
      (err: unknown): HomeView => ({ ...base, ...this.health(), unavailable: userSentence(err, deps.host) }),
    );
    return { first: { ...base, fetching: true }, later };
  }

  /** Whether the bot's global rules admit this person to the Home (no request is sent to find out). */
  allows(userId: string): boolean {
    // The Home is the user's own: the channel allow-list does not apply to it.
    return checkAccess({ ...this.deps.access, channels: [] }, userId, undefined).allowed;
  }

  /** This month, the last complete month and the 12-month trend, as the command parses them. */
  private commands(): StatsCommand[] {
    const opts = { now: this.deps.now(), timeZone: this.deps.timeZone };
    return ["", "last", "trend"].flatMap((text) => {
      const parsed = parseCommand(text, opts);
      return parsed.ok && isStatsCommand(parsed.command) ? [parsed.command] : [];
    });
  }

  private figures(commands: StatsCommand[], result: StatResult) {
    const [current, last, trend] = viewsFrom(commands, result, this.deps);
    return { current: current as MonthView, last: last as MonthView, trend: trend as SeriesView };
  }

  /** The curve, or none: samples are a bonus, never a reason to leave the Home empty. */
  private async curve(): Promise<MonthCurveView | undefined> {
    try {
      return await this.deps.curves?.curveView(this.deps.now(), this.deps.host);
    } catch {
      return undefined;
    }
  }

  /** The server's state now (it may have changed while the figures were fetched). */
  private health(): { health?: string } {
    const health = healthSentence(this.deps.health(), this.deps.host, this.deps.timeZone);
    return health ? { health } : {};
  }

  private async base(userId: string): Promise<Extract<HomeView, { kind: "home" }>> {
    const { deps } = this;
    let schedule: { nextRun?: number; deliveries: HistoryLine[] } | undefined;
    if (deps.schedule) {
      const next = deps.schedule.nextRun();
      // The store may be down: the Home shows the figures without the deliveries.
      const deliveries = await deps.schedule.deliveries(3).catch(() => []);
      schedule = { ...(next ? { nextRun: next.getTime() } : {}), deliveries };
    }
    const curve = await this.curve();
    return {
      kind: "home",
      ...(curve ? { curve } : {}),
      host: deps.host,
      timeZone: deps.timeZone,
      admin: isAdmin(deps.access, userId),
      ...this.health(),
      ...(schedule ? { schedule } : {}),
    };
  }
}

/** What the listeners ask of the Home, for one server or several. */
export interface HomeSource {
  open(userId: string, publish: (view: HomeTab) => Promise<void>): Promise<void>;
}

export interface HomeServer {
  readonly name: string;
  /** GLUU_<NAME>_ALLOWED_USER_IDS / _CHANNEL_IDS (see slack/servers.ts). */
  readonly users: readonly string[];
  readonly channels: readonly string[];
  readonly home: HomeViews;
}

/**
 * The Home with several Gluu servers: every server the user may see, in GLUU_SERVERS order, one
 * compact part each, published at once and again when the servers that had to be asked have
 * answered (each through its own stat service: a down server shows its sentence, the others
 * their figures). The Home has no channel, so a server limited to channels is not shown there.
 */
export class ServerHomes implements HomeSource {
  constructor(
    private readonly servers: readonly [HomeServer, ...HomeServer[]],
    private readonly log: Logger,
  ) {}

  async open(userId: string, publish: (view: HomeTab) => Promise<void>): Promise<void> {
    try {
      // The global rules first, checked without asking any server.
      if (!this.servers[0].home.allows(userId)) {
        await publish(renderHome({ kind: "refused", reason: REFUSED }));
        return;
      }
      // Only the servers this person may see are asked: a hidden one gets no request.
      const visible = this.servers.filter((s) => mayUse(s, { userId }));
      if (visible.length === 0) {
        await publish(renderHome({ kind: "refused", reason: NO_SERVER }));
        return;
      }
      const phases = await Promise.all(
        visible.map(async (s) => {
          const named = (v: HomeView): HomeView => (v.kind === "home" ? { ...v, server: s.name } : v);
          const p = await s.home.views(userId);
          return { first: named(p.first), ...(p.later ? { later: p.later.then(named) } : {}) };
        }),
      );
      await publish(renderHomes(phases.map((p) => p.first)));
      if (phases.some((p) => p.later)) {
        await publish(renderHomes(await Promise.all(phases.map((p) => p.later ?? Promise.resolve(p.first)))));
      }
    } catch (err) {
      this.log.warn({ user: userId, err: errorText(err) }, "could not publish the App Home");
    }
  }
}

const NO_SERVER = "There is no Gluu server you may see here. Ask the admin of this bot.";
