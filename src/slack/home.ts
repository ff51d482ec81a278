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
import { type HomeTab, renderHome } from "../report/slack/index.js";
import type { HistoryLine, HomeView, MonthCurveView, MonthView, SeriesView } from "../report/view.js";
import { type AccessRules, checkAccess, isAdmin } from "./access.js";
import { userSentence } from "./failure.js";

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
    const { deps } = this;
    try {
      // The Home is the user's own: the channel allow-list does not apply to it.
      const access = checkAccess({ ...deps.access, channels: [] }, userId, undefined);
      if (!access.allowed) {
        await publish(renderHome({ kind: "refused", reason: REFUSED }));
        return;
      }
      // Last month's samples, for "at this point last month": in memory after the first Home.
      await deps.curves?.ready(deps.now());
      const commands = this.commands();
      const months = commands.flatMap((c) => monthsFor(c.query));
      const ready = deps.stats.peek?.(months);
      // Read once per open: the second publish changes only the figures and the server's health.
      const base = await this.base(userId);
      if (ready) {
        await publish(renderHome({ ...base, figures: this.figures(commands, ready) }));
        return;
      }
      await publish(renderHome({ ...base, fetching: true }));
      let view: HomeView;
      try {
        const result = await deps.stats.get(months);
        view = { ...base, ...this.health(), figures: this.figures(commands, result) };
      } catch (err) {
        view = { ...base, ...this.health(), unavailable: userSentence(err, deps.host) };
      }
      await publish(renderHome(view));
    } catch (err) {
      deps.log.warn({ user: userId, err: errorText(err) }, "could not publish the App Home");
    }
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
