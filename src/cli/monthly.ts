/** `post` and `history`: the monthly summary by hand, and what was sent. */
import { webApi } from "@slack/bolt";
import {
  type Env,
  type ServerConfig,
  type ServerSet,
  selectServer,
  serverConfigs,
  serverVariable,
} from "../config/index.js";
import { createGluuStack } from "../gluu/index.js";
import type { Logger } from "../log.js";
import { parseCommand } from "../query/parse.js";
import { renderHistoryText } from "../report/text.js";
import { readHistory } from "../schedule/history.js";
import { createMonthly, describeOutcome } from "../schedule/index.js";
import { createSlackClient } from "../slack/client.js";
import { openStateStore, serverCache } from "../state/index.js";

/** Slack mrkdwn → terminal: `<#C1>` → `#C1`, `<url|view>` → `url`. */
function plainText(s: string): string {
  return s
    .replace(/<#([A-Z0-9]+)>/g, "#$1")
    .replace(/<(https?:[^|>]+)\|[^>]*>/g, "$1")
    .replace(/:[a-z_]+: /g, "");
}

/** `--server` in the set, or the message why not; the state keys' scope with it. */
function chosen(
  env: Env,
  name: string | undefined,
  err: (s: string) => void,
): { set: ServerSet; server: ServerConfig; scope: string | undefined } | undefined {
  const set = serverConfigs(env);
  const selected = selectServer(set, name);
  if (!selected.ok) {
    err(`--server: ${selected.message}`);
    return undefined;
  }
  const { server } = selected;
  // The default server keeps the single-server keys (state/subject.ts).
  return { set, server, scope: server === set.servers[0] ? undefined : server.name };
}

export async function postCommand(
  env: Env,
  args: { month?: string; channel?: string; force: boolean; server?: string },
  io: { out: (s: string) => void; err: (s: string) => void; log: Logger },
): Promise<number> {
  if (!env.SLACK_BOT_TOKEN) {
    io.err("SLACK_BOT_TOKEN: missing; posting needs the bot token (xoxb-…)");
    return 2;
  }
  const picked = chosen(env, args.server, io.err);
  if (!picked) return 2;
  const { set, server, scope } = picked;
  const channels = args.channel ? [args.channel] : server.reportChannels;
  if (channels.length === 0) {
    const variable = set.single
      ? "REPORT_CHANNEL"
      : `REPORT_CHANNEL or ${serverVariable(server.name, "REPORT_CHANNEL")}`;
    io.err(`No channel: set ${variable} or give --channel C0123ABCD`);
    return 2;
  }
  const parsed = parseCommand(`post ${args.month ?? ""}`, { now: Date.now(), timeZone: env.REPORT_TZ });
  if (!parsed.ok || parsed.command.query.kind !== "post") {
    io.err(parsed.ok ? "not a month" : parsed.message);
    return 2;
  }
  const month = parsed.command.query.month;
  const state = await openStateStore(env);
  const gluu = createGluuStack(server.gluu, {
    log: io.log,
    store: serverCache(state.store.statCache, scope),
  });
  try {
    const client = createSlackClient(env.SLACK_BOT_TOKEN, env.SLACK_API_URL, webApi.LogLevel.ERROR);
    const { poster } = await createMonthly(env, {
      store: state,
      servers: [
        {
          ...(scope !== undefined ? { server: scope } : {}),
          host: server.displayName,
          stats: gluu.service,
          channels,
          ...(server.mauLimit !== undefined ? { licensedMau: server.mauLimit } : {}),
        },
      ],
      client,
      log: io.log,
    });
    if (args.force) io.out("--force: posting even where this month's summary was posted before.");
    const outcomes = await poster.run(args.force ? "forced" : "manual", month, channels);
    outcomes.forEach((o, i) => {
      io.out(
        plainText(describeOutcome(month, channels[i] ?? "", o, scope !== undefined ? server : undefined)),
      );
    });
    return outcomes.every((o) => o.outcome !== "failed" && o.outcome !== "busy") ? 0 : 1;
  } finally {
    await gluu.close();
    await state.close();
  }
}

/** Every server's deliveries, each line naming its server; with `--server`, that one's. */
export async function historyCommand(
  env: Env,
  args: { server?: string },
  io: { out: (s: string) => void; err: (s: string) => void },
): Promise<number> {
  const picked = chosen(env, args.server, io.err);
  if (!picked) return 2;
  const { set, scope } = picked;
  const state = await openStateStore(env);
  try {
    const label = (s: string | undefined) => (s === undefined ? set.servers[0].name : s);
    const lines = await readHistory(
      state.store,
      12,
      set.single ? {} : { label, ...(args.server !== undefined ? { only: { server: scope } } : {}) },
    );
    io.out(renderHistoryText(lines, env.REPORT_TZ));
    return 0;
  } finally {
    await state.close();
  }
}
