/**
 * Every button of the app goes through one Bolt listener. Bolt runs each registered listener's
 * matching middleware on every request, slash commands included: measured, each listener cost
 * about 25 µs per command (9 listeners took 0.2 ms of a 0.66 ms command), so the buttons share
 * one listener and are told apart here, by action id.
 */
import type { App, BlockAction } from "@slack/bolt";
import type { ButtonArgs } from "./actions/button.js";

export type ButtonHandler = (args: ButtonArgs) => Promise<void>;

export interface ButtonRoute {
  readonly handle: ButtonHandler;
  /** Also answers `<id>:<server>`, a server's own button on the several-servers Home. */
  readonly perServer?: boolean;
}

/** The prefix every action id of the app starts with (see report/slack/action-ids.ts). */
const APP_ACTION = /^gluu_stats_/;
const SERVER_SUFFIX = /^([a-z_]+):[a-z0-9-]+$/;

/** The handler of an action id, or undefined for an id the app does not (or no longer) have. */
export function routeFor(
  routes: ReadonlyMap<string, ButtonRoute>,
  actionId: string,
): ButtonHandler | undefined {
  const exact = routes.get(actionId);
  if (exact) return exact.handle;
  const base = SERVER_SUFFIX.exec(actionId)?.[1];
  const route = base === undefined ? undefined : routes.get(base);
  return route?.perServer ? route.handle : undefined;
}

export function registerButtons(app: App, routes: ReadonlyMap<string, ButtonRoute>): void {
  app.action<BlockAction>({ type: "block_actions", action_id: APP_ACTION }, async (args) => {
    const handle = routeFor(routes, args.action.action_id);
    // A button of an older message whose action the bot no longer has: acknowledged (Slack
    // would show the press as failed otherwise), nothing more.
    if (handle) await handle(args);
    else await args.ack();
  });
}
