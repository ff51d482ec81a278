/** `report` and `export`: a query's answer printed in the chosen format. */
import { answerView, isStatsCommand } from "../answer/index.js";
import { gluuConfig, loadEnv } from "../config/index.js";
import { createGluuStack } from "../gluu/index.js";
import { createLogger } from "../log.js";
import { parseCommand } from "../query/parse.js";
import type { OutputFormat } from "./output-format.js";
import { renderView } from "./render.js";

export interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly help: string;
}

export async function report(
  positionals: string[],
  format: OutputFormat,
  io: Io,
  forceQuery?: string,
): Promise<number> {
  const { out, err } = io;
  const env = loadEnv();
  const timeZone = env.REPORT_TZ;
  const parsed = parseCommand(forceQuery ?? positionals.join(" "), { now: Date.now(), timeZone });
  if (!parsed.ok) {
    err(`${parsed.message}\n\n${parsed.usage.replace(/[*`_]/g, "")}`);
    return 2;
  }
  const { command } = parsed;
  const { query } = command;
  if (!isStatsCommand(command)) {
    if (query.kind === "help") {
      out(io.help);
      return 0;
    }
    err(`"${query.kind}" is not a report; see gluu-stats --help`);
    return 2;
  }
  const log = createLogger({
    level: process.env.LOG_LEVEL ?? "warn",
    destination: process.stderr,
    secrets: [env.GLUU_CLIENT_SECRET ?? ""],
  });
  const stack = createGluuStack(gluuConfig(env), { log });
  try {
    const view = await answerView(command, {
      stats: stack.service,
      host: stack.client.host,
      timeZone,
      now: Date.now,
      ...(env.GLUU_MAU_LIMIT !== undefined ? { licensedMau: env.GLUU_MAU_LIMIT } : {}),
    });
    out(renderView(view, format));
    return 0;
  } finally {
    await stack.close();
  }
}
