/** `post` and `history`: the monthly summary by hand, and what was sent. */
import { webApi } from "@slack/bolt";
import { type Env, gluuConfig } from "../config/index.js";
import { createGluuStack } from "../gluu/index.js";
import type { Logger } from "../log.js";
import { parseCommand } from "../query/parse.js";
import { renderHistoryText } from "../report/text.js";
import { readHistory } from "../schedule/history.js";
import { createMonthly, describeOutcome } from "../schedule/index.js";
import { createSlackClient } from "../slack/client.js";
import { openStateStore } from "../state/index.js";

/** Slack mrkdwn → terminal: `<#C1>` → `#C1`, `<url|view>` → `url`. */
function plainText(s: string): string {
  return s
    .replace(/<#([A-Z0-9]+)>/g, "#$1")
    .replace(/<(https?:[^|>]+)\|[^>]*>/g, "$1")
    .replace(/:[a-z_]+: /g, "");
}

export async function postCommand(
  env: Env,
  args: { month?: string; channel?: string; force: boolean },
  io: { out: (s: string) => void; err: (s: string) => void; log: Logger },
): Promise<number> {
  if (!env.SLACK_BOT_TOKEN) {
    io.err("SLACK_BOT_TOKEN: missing; posting needs the bot token (xoxb-…)");
    return 2;
  }
  const channels = args.channel ? [args.channel] : env.REPORT_CHANNEL;
  if (channels.length === 0) {
    io.err("No channel: set REPORT_CHANNEL or give --channel C0123ABCD");
    return 2;
  }
  const parsed = parseCommand(`post ${args.month ?? ""}`, { now: Date.now(), timeZone: env.REPORT_TZ });
  if (!parsed.ok || parsed.command.query.kind !== "post") {
    io.err(parsed.ok ? "not a month" : parsed.message);
    return 2;
  }
  const month = parsed.command.query.month;
  const state = await openStateStore(env);
  const gluu = createGluuStack(gluuConfig(env), { log: io.log, store: state.store.statCache });
  try {
    const client = createSlackClient(env.SLACK_BOT_TOKEN, env.SLACK_API_URL, webApi.LogLevel.ERROR);
    const { poster } = await createMonthly(
      { ...env, REPORT_CHANNEL: [...channels] },
      { store: state, stats: gluu.service, client, host: gluu.client.host, log: io.log },
    );
    if (args.force) io.out("--force: posting even where this month's summary was posted before.");
    const outcomes = await poster.run(args.force ? "forced" : "manual", month, channels);
    outcomes.forEach((o, i) => {
      io.out(plainText(describeOutcome(month, channels[i] ?? "", o)));
    });
    return outcomes.every((o) => o.outcome !== "failed" && o.outcome !== "busy") ? 0 : 1;
  } finally {
    await gluu.close();
    await state.close();
  }
}

export async function historyCommand(env: Env, out: (s: string) => void): Promise<number> {
  const state = await openStateStore(env);
  try {
    out(renderHistoryText(await readHistory(state.store), env.REPORT_TZ));
    return 0;
  } finally {
    await state.close();
  }
}
