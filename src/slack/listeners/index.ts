/** Every listener of the app, registered the way Bolt's starter app does: one folder per kind. */
import type { App } from "@slack/bolt";
import { answerOnce, type SeenRequests } from "../redelivery.js";
import { replyButtons } from "./actions/index.js";
import { registerButtons } from "./buttons.js";
import { register as registerCommands } from "./commands/index.js";
import type { ListenerDeps } from "./deps.js";
import { homeButtons, register as registerEvents } from "./events/index.js";

export type { ListenerDeps } from "./deps.js";

export function registerListeners(app: App, deps: ListenerDeps, seen: SeenRequests): void {
  // First: a re-sent request must not reach any listener.
  app.use(answerOnce(seen, deps.log));
  registerCommands(app, deps);
  registerButtons(app, new Map([...replyButtons(deps), ...homeButtons(deps)]));
  registerEvents(app, deps);
}
