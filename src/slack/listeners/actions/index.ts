/** The buttons under a reply, by action id. */
import type { App } from "@slack/bolt";
import { ACTION_IDS } from "../../../report/slack/index.js";
import type { ListenerDeps } from "../deps.js";
import { navigateAction } from "./navigate.js";
import { shareAction } from "./share.js";

export function register(app: App, deps: ListenerDeps): void {
  const navigate = navigateAction(deps);
  for (const id of [ACTION_IDS.prev, ACTION_IDS.next, ACTION_IDS.trend])
    app.action({ type: "block_actions", action_id: id }, navigate);
  app.action({ type: "block_actions", action_id: ACTION_IDS.share }, shareAction(deps));
}
