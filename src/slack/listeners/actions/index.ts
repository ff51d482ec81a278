/** The buttons under a reply, by action id. */
import { ACTION_IDS } from "../../../report/slack/index.js";
import type { ButtonRoute } from "../buttons.js";
import type { ListenerDeps } from "../deps.js";
import { navigateAction } from "./navigate.js";
import { shareAction } from "./share.js";

export function replyButtons(deps: ListenerDeps): ReadonlyMap<string, ButtonRoute> {
  const navigate = { handle: navigateAction(deps) };
  return new Map([
    [ACTION_IDS.prev, navigate],
    [ACTION_IDS.next, navigate],
    [ACTION_IDS.trend, navigate],
    [ACTION_IDS.share, { handle: shareAction(deps) }],
  ]);
}
