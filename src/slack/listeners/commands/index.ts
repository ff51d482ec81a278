/** The slash command. */
import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.js";
import { gluuStatsCommand } from "./gluu-stats.js";

export const COMMAND = "/gluu-stats";

export function register(app: App, deps: ListenerDeps): void {
  app.command(COMMAND, gluuStatsCommand(deps));
}
