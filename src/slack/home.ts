/**
 * The App Home of one user, as the stat service allows: published at once, from the cache when
 * it holds every month the Home shows, else with "fetching…" and published again when the
 * figures arrive (so the tab never sits empty while a Gluu 4.x server's interval runs). It
 * reads the stat service like every other surface: 50 people opening the Home at once share
 * one request.
 */
import { type AnswerDeps, isStatsCommand, monthsFor, type StatsCommand, viewsFrom } from "../answer/index.js";
import { monthCurveView } from "../curve/view.js";
import { errorText } from "../errors/index.js";
import type { StatResult } from "../gluu/model.js";
import type { Outcome } from "../gluu/stat-service.js";
import type { Logger } from "../log.js";
import { addMonths, type Month, monthAt } from "../months.js";
import { parseCommand } from "../query/parse.js";
import { formatInstant } from "../report/format.js";
import { type HomeTab, renderHome } from "../report/slack/index.js";
import type { HistoryLine, HomeView, MonthCurveView, MonthView, SeriesView } from "../report/view.js";
import type { Sample } from "../state/samples.js";
import { type AccessRules, checkAccess, isAdmin } from "./access.js";
import { userSentence } from "./failure.js";

export interface HomeDeps extends AnswerDeps {
  readonly access: AccessRules;
  readonly log: Logger;
  /** The Gluu server's last answer (or failure). */
  readonly health: () => Outcome | undefined;
  /** A month's samples, for this month's curve against last month's. */
  readonly samples?: (month: Month) => Promise<Sample[]>;
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
      const base = await this.base(userId);
      if (ready) {
        await publish(renderHome({ ...base, figures: this.figures(commands, ready) }));
        return;
      }
      await publish(renderHome({ ...base, fetching: true }));
      let view: HomeView;
      try {
        const result = await deps.stats.get(months);
        view = { ...(await this.base(userId)), figures: this.figures(commands, result) };
      } catch (err) {
        view = { ...(await this.base(userId)), unavailable: userSentence(err, deps.host) };
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
    const { samples } = this.deps;
    if (!samples) return undefined;
    const now = this.deps.now();
    const month = monthAt(now, this.deps.timeZone);
    try {
      const [current, previous] = await Promise.all([samples(month), samples(addMonths(month, -1))]);
      return monthCurveView({ current, previous, now, timeZone: this.deps.timeZone, host: this.deps.host });
    } catch {
      return undefined;
    }
  }

  private async base(userId: string): Promise<Extract<HomeView, { kind: "home" }>> {
    const { deps } = this;
    const health = healthSentence(deps.health(), deps.host, deps.timeZone);
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
      ...(health ? { health } : {}),
      ...(schedule ? { schedule } : {}),
    };
  }
}
