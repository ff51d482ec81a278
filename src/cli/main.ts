#!/usr/bin/env node
/**
 * The command-line front door: `gluu-stats <command>`. Each command is a thin shell over the
 * same pieces the Slack app uses.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError, loadEnv } from "../config/index.js";
import { errorText } from "../errors/index.js";
import { isGluuError } from "../gluu/errors.js";
import { USAGE } from "../query/usage.js";
import { OUTPUT_FORMATS, type OutputFormat } from "./output-format.js";

// Each command imports what it needs when it runs: `serve` (npm start) then loads neither the
// emulator, the Slack double nor the doctor, which keeps its start-up time and memory down.

const HELP = `gluu-stats: Gluu Server / Janssen usage statistics

Usage:
  gluu-stats serve                         run the Slack bot (npm start)
  gluu-stats report [when] [--format text|json|csv|openmetrics] [--chart FILE.png|FILE.svg]
                                           --chart also draws a series (trend, year, range) as a line chart
  gluu-stats report all [month] [--format text|json]
                                           every server of GLUU_SERVERS side by side (default: last month)
  gluu-stats export [--format text|json|csv]   billing export: last 12 complete months, average, maximum, mau-signature
  --server NAME (report, export, post, history)
                                           which of GLUU_SERVERS (default: the first; history: all)
  gluu-stats post [month] [--channel C] [--force]
                                           post the monthly summary now (default: the previous month);
                                           --force posts again where it was posted before
  gluu-stats history                       the last 12 monthly summary deliveries
  gluu-stats doctor                        check configuration, discovery, token, stat endpoint, TLS and Slack
                                           (with GLUU_SERVERS: every server, one block each)
  gluu-stats demo                          run the whole pipeline against a built-in server emulator

"when" takes the same forms as the Slack command:
${USAGE.replace(/[*`_]/g, "")}

Configuration comes from the environment or a .env file (see .env.example).`;

const out = (s: string) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
const err = (s: string) => process.stderr.write(s.endsWith("\n") ? s : `${s}\n`);

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: "string", short: "f" },
      chart: { type: "string" },
      server: { type: "string", short: "s" },
      channel: { type: "string", short: "c" },
      force: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command || command === "help") {
    out(HELP);
    return command || values.help ? 0 : 2;
  }
  const format = (values.format ?? "text") as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) {
    err(`--format must be one of ${OUTPUT_FORMATS.join(", ")}`);
    return 2;
  }
  if (values.server !== undefined && !["report", "export", "post", "history"].includes(command)) {
    err(`--server goes with report, export, post and history, not with ${command}`);
    return 2;
  }
  switch (command) {
    case "report":
    case "export": {
      if (command === "export" && values.chart !== undefined) {
        err("--chart draws a report's series: use gluu-stats report trend --chart FILE.png");
        return 2;
      }
      const { report } = await import("./report.js");
      return report(
        command === "export" ? [] : rest,
        format,
        { out, err, help: HELP },
        command === "export" ? "export" : undefined,
        {
          ...(values.chart !== undefined ? { chart: values.chart } : {}),
          ...(values.server !== undefined ? { server: values.server } : {}),
        },
      );
    }
    case "doctor": {
      const [{ gluuDoctor, printCheck, serversDoctor }, { slackDoctor }] = await Promise.all([
        import("./doctor.js"),
        import("./doctor-slack.js"),
      ]);
      const env = loadEnv();
      const print = printCheck(out);
      let gluuOk: boolean;
      if (env.GLUU_SERVERS.length > 0) {
        gluuOk = await serversDoctor(env, out);
      } else {
        out("Gluu server");
        gluuOk = await gluuDoctor(env, print);
      }
      out("\nSlack");
      const slackOk = await slackDoctor(env, print);
      return gluuOk && slackOk ? 0 : 1;
    }
    case "demo": {
      const { runDemo } = await import("./demo.js");
      return runDemo(out);
    }
    case "post": {
      const [{ postCommand }, { cliLogger }] = await Promise.all([
        import("./monthly.js"),
        import("./logger.js"),
      ]);
      const env = loadEnv();
      const log = cliLogger(env);
      return postCommand(
        env,
        {
          month: rest.join(" ") || undefined,
          channel: values.channel,
          force: values.force ?? false,
          ...(values.server !== undefined ? { server: values.server } : {}),
        },
        { out, err, log },
      );
    }
    case "history": {
      const { historyCommand } = await import("./monthly.js");
      return historyCommand(loadEnv(), values.server !== undefined ? { server: values.server } : {}, {
        out,
        err,
      });
    }
    case "serve": {
      const { serveForever } = await import("../serve.js");
      await serveForever(loadEnv());
      return new Promise<number>(() => {}); // runs until a signal stops it
    }
    default:
      err(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

/** Whether this module is the program being run (also through a bin symlink, as npx runs it). */
function isMain(): boolean {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// Run when executed, not when imported by tests.
if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (e instanceof ConfigError || isGluuError(e)) err(`gluu-stats: ${e.message}`);
      else err(`gluu-stats: unexpected error: ${errorText(e)}`);
      process.exitCode = e instanceof ConfigError ? 2 : 1;
    },
  );
}
