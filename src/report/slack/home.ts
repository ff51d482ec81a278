/**
 * The App Home as a Slack view: the month so far, the last complete month with its change, the
 * 12-month trend, the monthly post's schedule and last deliveries, and where the figures came
 * from. The same figures and wording as the replies (the month and series renderers' parts).
 */
import { monthLabel } from "../../months.js";
import {
  FILE_LABEL,
  formatChange,
  formatCount,
  formatInstant,
  formatPace,
  formatUsage,
  monthTitle,
} from "../format.js";
import type { SeriesSummary } from "../summary.js";
import type { HistoryLine, HomeView, MonthView } from "../view.js";
import { ACTION_IDS } from "./action-ids.js";
import { type MessageBlock, NEWER_BLOCK_LIMITS } from "./blocks.js";
import { curveSparklines } from "./curve.js";
import { OUTCOME_ICON } from "./history.js";
import { checkBlockLimits, SLACK_LIMITS } from "./limits.js";
import {
  actions,
  button,
  codeSections,
  context,
  escapeMrkdwn,
  fieldSections,
  HLL_NOTE,
  header,
  safeMrkdwn,
  section,
} from "./primitives.js";
import { seriesBody, serversCharts } from "./series.js";

/** A home tab view, as `views.publish` takes it. */
export interface HomeTab {
  readonly type: "home";
  readonly blocks: MessageBlock[];
}

/** Views hold 100 blocks (messages 50). */
export const HOME_BLOCKS_MAX = 100;

function monthField(view: MonthView, label: string): string {
  const stats = view.stats;
  if (!stats) return `*${label}*\nno data`;
  const lines = [`*${label}*`, `*${formatCount(stats.mau)}* MAU${view.current ? " so far" : ""}`];
  if (view.change && view.previous)
    lines.push(`${formatChange(view.change)} vs ${monthLabel(view.previous.month)}`);
  else if (view.current && view.previous)
    lines.push(`${monthLabel(view.previous.month)}: ${formatCount(view.previous.mau)}`);
  if (view.usage) lines.push(formatUsage(stats.mau, view.usage));
  if (view.pace) lines.push(`At this point last month: ${formatPace(view.pace, view.timeZone)}`);
  if (view.tokens) lines.push(`${formatCount(view.tokens.total)} tokens`);
  return lines.map((l, i) => (i === 0 ? l : escapeMrkdwn(l))).join("\n");
}

function deliveryLine(d: HistoryLine, timeZone: string): string {
  const where = /^[CGD][A-Z0-9]+$/.test(d.channel) ? `<#${d.channel}>` : safeMrkdwn(d.channel, 40);
  const what =
    d.alert !== undefined
      ? `${d.alert} % licence alert`
      : d.file !== undefined
        ? `summary's ${FILE_LABEL[d.file]}`
        : "summary";
  const link = d.link && /^https:\/\//.test(d.link) ? ` · <${d.link}|view>` : "";
  return `${OUTCOME_ICON[d.outcome]} ${escapeMrkdwn(`${d.month.slice(0, 4)}-${d.month.slice(4)} ${what}`)} → ${where} · ${escapeMrkdwn(formatInstant(d.at, timeZone))}${link}`;
}

const POST_CONFIRM = {
  title: { type: "plain_text", text: "Post the summary?" },
  text: {
    type: "plain_text",
    text: "Last month's summary goes to the report channels now (once: a month posted before is not posted again).",
  },
  confirm: { type: "plain_text", text: "Post" },
  deny: { type: "plain_text", text: "Cancel" },
} as const;

type ServerHome = Extract<HomeView, { kind: "home" }>;

/** Where the figures come from and how that server answers; why there are none, or that they are on their way. */
function serverHead(view: ServerHome): MessageBlock[] {
  const where = [`*${safeMrkdwn(view.host, 100) || "Unknown server"}*`];
  if (view.health) where.push(escapeMrkdwn(view.health));
  const blocks: MessageBlock[] = [context(where)];
  if (view.unavailable) blocks.push(section(`:warning: ${escapeMrkdwn(view.unavailable)}`));
  if (view.fetching && !view.figures) {
    blocks.push(section(`:hourglass_flowing_sand: Fetching the figures from ${safeMrkdwn(view.host, 100)}…`));
  }
  return blocks;
}

/** This month so far and the last complete month, side by side. */
function monthFields(f: NonNullable<ServerHome["figures"]>): MessageBlock[] {
  return fieldSections([
    monthField(f.current, monthTitle(f.current)),
    monthField(f.last, monthLabel(f.last.month)),
  ]);
}

function nextRunText(view: ServerHome): string {
  const next = view.schedule?.nextRun;
  return next === undefined ? "not scheduled" : escapeMrkdwn(formatInstant(next, view.timeZone));
}

/** The monthly summary's next run, then its last deliveries; `title` in the reader's words. */
function scheduleLines(
  view: ServerHome,
  schedule: NonNullable<ServerHome["schedule"]>,
  title: string,
): string {
  return [
    `${title} · next: ${nextRunText(view)}`,
    ...(schedule.deliveries.length > 0
      ? schedule.deliveries.map((d) => deliveryLine(d, view.timeZone))
      : ["No delivery yet."]),
  ].join("\n");
}

export function renderHome(view: HomeView): HomeTab {
  if (view.kind === "refused") return { type: "home", blocks: [section(escapeMrkdwn(view.reason))] };
  const blocks: MessageBlock[] = [header("Gluu statistics"), ...serverHead(view)];
  const f = view.figures;
  if (f) {
    blocks.push(
      ...monthFields(f),
      { type: "divider" },
      section(`*${escapeMrkdwn(f.trend.title)}*`),
      // Table blocks are for messages; the Home lists the months in a monospace table.
      ...seriesBody(f.trend, { maxRows: 12, chartTitle: f.trend.title, table: false }),
      context([`Fetched ${escapeMrkdwn(formatInstant(f.current.fetchedAt, view.timeZone))} · ${HLL_NOTE}`]),
    );
  }
  const spark = view.curve ? curveSparklines(view.curve) : [];
  if (spark.length > 0)
    blocks.push(section("*This month against last month*, day by day"), ...codeSections(spark));
  if (view.schedule)
    blocks.push({ type: "divider" }, section(scheduleLines(view, view.schedule, "*Monthly summary*")));
  const buttons = [
    ...button("Refresh", ACTION_IDS.homeRefresh, "refresh", true),
    ...button("Open as message", ACTION_IDS.homeMessage, "trend"),
  ];
  if (view.admin && view.schedule) {
    const [post] = button("Post last month's summary now", ACTION_IDS.homePost, "post");
    if (post) {
      buttons.push({
        ...post,
        confirm: POST_CONFIRM,
      });
    }
  }
  blocks.push(...actions(buttons));
  return { type: "home", blocks };
}

/**
 * The Home with several servers: a compact part per server (where its figures come from and how
 * it answers, this month and last month, the 12-month trend in one line, its monthly summary),
 * so that 10 servers stay far within a view's 100 blocks; the buttons once, at the end.
 */
export function renderHomes(views: readonly HomeView[]): HomeTab {
  const homes = views.filter((v): v is ServerHome => v.kind === "home");
  const blocks: MessageBlock[] = [header("Gluu statistics")];
  const lines = homes.flatMap((h) =>
    h.figures ? [{ name: seriesName(h, homes), summary: h.figures.trend.summary }] : [],
  );
  const { charts, left } = serversCharts("MAU by server, 12 months", lines);
  blocks.push(...charts);
  if (left > 0)
    blocks.push(context([`The chart shows the first ${lines.length - left} servers; the others are below.`]));
  if (charts.length > 0) blocks.push({ type: "divider" });
  homes.forEach((view, i) => {
    if (i > 0) blocks.push({ type: "divider" });
    blocks.push(...serverHead(view));
    const f = view.figures;
    if (f) blocks.push(...monthFields(f), section(escapeMrkdwn(trendLine(f.trend.summary))));
    // One block for the schedule and the last three deliveries, so 10 servers fit in a view.
    if (view.schedule) blocks.push(context([scheduleLines(view, view.schedule, "Monthly summary")]));
    // Each server's own buttons: the command text they stand for names the server, and so does
    // the action id (ids are unique within a view).
    if (view.server) {
      const own = [
        ...button("Open as message", `${ACTION_IDS.homeMessage}:${view.server}`, `${view.server} trend`),
      ];
      const [post] =
        view.admin && view.schedule
          ? button(
              `Post ${view.server}'s last month now`,
              `${ACTION_IDS.homePost}:${view.server}`,
              `${view.server} post`,
            )
          : [];
      if (post) own.push({ ...post, confirm: POST_CONFIRM });
      blocks.push(...actions(own));
    }
  });
  const fetched = homes.flatMap((h) => (h.figures ? [h.figures.current.fetchedAt] : []));
  blocks.push(...actions(button("Refresh", ACTION_IDS.homeRefresh, "refresh", true)));
  const [first] = homes;
  if (first && fetched.length > 0)
    blocks.push(
      context([`Fetched ${escapeMrkdwn(formatInstant(Math.max(...fetched), first.timeZone))} · ${HLL_NOTE}`]),
    );
  return { type: "home", blocks };
}

/** A server's line name in the chart: its display name, or its short name when that is too long or shared. */
function seriesName(view: ServerHome, all: readonly ServerHome[]): string {
  const max = NEWER_BLOCK_LIMITS.chartLabel;
  const clash = all.some((o) => o !== view && o.host.slice(0, max) === view.host.slice(0, max));
  return view.host.length <= max && !clash ? view.host : (view.server ?? view.host);
}

/** "12 months: average 63,485, maximum 66,202 in Nov 2026 · 2 over the licensed 60,000". */
function trendLine(summary: SeriesSummary): string {
  if (summary.average === undefined || !summary.maximum) return "12 months: no data";
  const over =
    summary.limit !== undefined
      ? ` · ${summary.overLimit?.length ?? 0} over the licensed ${formatCount(summary.limit)}`
      : "";
  return `12 months: average ${formatCount(Math.round(summary.average))}, maximum ${formatCount(summary.maximum.mau)} in ${monthLabel(summary.maximum.month)}${over}`;
}

/** What Slack would refuse in a home view: the block checks of messages, and 100 blocks. */
export function checkHomeLimits(tab: HomeTab): string[] {
  const problems = checkBlockLimits({
    text: "home",
    blocks: tab.blocks.slice(0, SLACK_LIMITS.blocksPerMessage),
  });
  const rest = tab.blocks.slice(SLACK_LIMITS.blocksPerMessage);
  if (rest.length > 0) problems.push(...checkBlockLimits({ text: "home", blocks: rest }));
  if (tab.blocks.length > HOME_BLOCKS_MAX)
    problems.push(`blocks: ${tab.blocks.length} > ${HOME_BLOCKS_MAX} blocks`);
  return problems;
}
