/** `report` and `export`: a query's answer printed in the chosen format, and `--chart` drawn. */
import { writeFile } from "node:fs/promises";
import { extname } from "node:path";
import { comparisonView, fetchComparison } from "../answer/compare.js";
import { answerView, isStatsCommand } from "../answer/index.js";
import { chartModelOf, loadChartRenderer } from "../chart/index.js";
import { loadEnv, selectServer, serverConfigs } from "../config/index.js";
import { chartTitle } from "../files/index.js";
import { createGluuStack } from "../gluu/index.js";
import { type Month, monthProgressAt } from "../months.js";
import { parseCommand } from "../query/parse.js";
import { renderComparisonJson } from "../report/json.js";
import { renderComparisonText } from "../report/text.js";
import type { SeriesView } from "../report/view.js";
import { cliLogger } from "./logger.js";
import type { OutputFormat } from "./output-format.js";
import { renderView } from "./render.js";

export interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly help: string;
}

export interface ReportOptions {
  /** `--chart`: a file to draw the series in, its format chosen by its extension. */
  readonly chart?: string;
  /** `--server`: which of GLUU_SERVERS answers; default the first. */
  readonly server?: string;
}

export type ChartFileFormat = "png" | "svg";

/** The chart format a file name asks for; undefined for any other extension. */
export function chartFileFormat(path: string): ChartFileFormat | undefined {
  const ext = extname(path).toLowerCase();
  return ext === ".png" ? "png" : ext === ".svg" ? "svg" : undefined;
}

const CHART_NEEDS_SERIES =
  "--chart draws a series: ask for trend, a year or a range (e.g. report trend --chart mau.png)";

export async function report(
  positionals: string[],
  format: OutputFormat,
  io: Io,
  forceQuery?: string,
  options: ReportOptions = {},
): Promise<number> {
  const { out, err } = io;
  // Checked before anything is read or asked: a wrong file name must not cost a stat request.
  const chartFormat = options.chart === undefined ? undefined : chartFileFormat(options.chart);
  if (options.chart !== undefined && chartFormat === undefined) {
    err(
      `--chart writes a .png or .svg file, not "${options.chart}"\n\nUsage: gluu-stats report trend --chart mau.png`,
    );
    return 2;
  }
  const env = loadEnv();
  const timeZone = env.REPORT_TZ;
  const parsed = parseCommand(forceQuery ?? positionals.join(" "), { now: Date.now(), timeZone });
  if (!parsed.ok) {
    err(`${parsed.message}\n\n${parsed.usage.replace(/[*`_]/g, "")}`);
    return 2;
  }
  const { command } = parsed;
  const { query } = command;
  if (query.kind === "compare") {
    if (options.server !== undefined || options.chart !== undefined) {
      err("report all compares every server: leave out --server and --chart");
      return 2;
    }
    return compareServers(query.month, query.current, format, io);
  }
  if (!isStatsCommand(command)) {
    if (query.kind === "help") {
      out(io.help);
      return 0;
    }
    err(`"${query.kind}" is not a report; see gluu-stats --help`);
    return 2;
  }
  if (chartFormat !== undefined && query.kind !== "trend" && query.kind !== "range") {
    err(CHART_NEEDS_SERIES);
    return 2;
  }
  const servers = serverConfigs(env);
  const selected = selectServer(servers, options.server);
  if (!selected.ok) {
    err(`--server: ${selected.message}`);
    return 2;
  }
  const { server } = selected;
  const log = cliLogger(env);
  const stack = createGluuStack(server.gluu, { log });
  try {
    const view = await answerView(command, {
      stats: stack.service,
      host: server.displayName,
      timeZone,
      now: Date.now,
      ...(server.mauLimit !== undefined ? { licensedMau: server.mauLimit } : {}),
    });
    out(renderView(view, format));
    if (options.chart !== undefined && chartFormat !== undefined) {
      if (view.kind !== "series") {
        err(CHART_NEEDS_SERIES);
        return 2;
      }
      await writeChart(view, options.chart, chartFormat);
      // stderr: stdout carries the report, which may be piped as JSON or CSV.
      err(`chart written to ${options.chart}`);
    }
    return 0;
  } finally {
    await stack.close();
  }
}

async function writeChart(view: SeriesView, path: string, format: ChartFileFormat): Promise<void> {
  const model = chartModelOf(chartTitle(view), view.summary);
  const renderer = await loadChartRenderer();
  await writeFile(path, format === "png" ? await renderer.png(model) : await renderer.svg(model));
}

/** `report all [month]`: every server side by side, each asked at once, none waited for past 30 s. */
async function compareServers(month: Month, current: boolean, format: OutputFormat, io: Io): Promise<number> {
  const env = loadEnv();
  const servers = serverConfigs(env);
  if (servers.single) {
    io.err("report all compares the servers of GLUU_SERVERS; there is one server: gluu-stats report last");
    return 2;
  }
  if (format !== "text" && format !== "json") {
    io.err("report all prints text or json");
    return 2;
  }
  const log = cliLogger(env);
  const stacks = servers.servers.map((s) => ({
    server: s,
    stack: createGluuStack(s.gluu, { log: log.child({ server: s.name }) }),
  }));
  try {
    const compared = await fetchComparison(
      stacks.map(({ server, stack }) => ({
        name: server.name,
        displayName: server.displayName,
        ...(server.mauLimit !== undefined ? { licensedMau: server.mauLimit } : {}),
        stats: stack.service,
      })),
      month,
      { now: Date.now, deadlineMs: 30_000 },
    );
    const view = comparisonView({
      month,
      current,
      ...(current ? { progress: monthProgressAt(Date.now(), env.REPORT_TZ) } : {}),
      timeZone: env.REPORT_TZ,
      servers: compared,
    });
    io.out(format === "json" ? renderComparisonJson(view) : renderComparisonText(view));
    // Every server unavailable is a failure; some is a partial answer, said in its rows.
    return view.rows.every((r) => r.unavailable !== undefined) ? 1 : 0;
  } finally {
    await Promise.allSettled(stacks.map(({ stack }) => stack.close()));
  }
}
