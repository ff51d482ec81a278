/** Previous month, next month, 12-month trend: the answer replaces the ephemeral message. */
import { afterPendingIo } from "../../defer.js";
import type { ListenerDeps } from "../deps.js";
import { type ButtonArgs, readButton } from "./button.js";

export function navigateAction(deps: ListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const pressed = await readButton(deps, args, false);
    if (!pressed) return;
    await deps.track(
      (async () => {
        await afterPendingIo();
        const message = await deps.replies.to(pressed.command, pressed.who);
        await pressed.send({ ...message, replace_original: true });
      })(),
    );
  };
}
