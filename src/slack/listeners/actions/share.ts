/** "Share in channel": the same answer posted for everyone; the private one stays as it was. */
import { afterPendingIo } from "../../defer.js";
import type { ListenerDeps } from "../deps.js";
import { type ButtonArgs, readButton } from "./button.js";

export function shareAction(deps: ListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const pressed = await readButton(deps, args, true);
    if (!pressed) return;
    await deps.track(
      (async () => {
        await afterPendingIo();
        const message = await deps.replies.to(pressed.command, pressed.who);
        await pressed.send({ ...message, response_type: "in_channel", replace_original: false });
      })(),
    );
  };
}
