/**
 * `/gluu-stats`: acknowledge at once (Slack's deadline is 3 s), answer through the response_url
 * when the figures are ready, whatever the Gluu server's latency. Usage errors, refusals and
 * help need no data and go out inside the ack.
 */

import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from "@slack/bolt";
import { errorText } from "../../../errors/index.js";
import { renderErrorMessage, renderRefusal } from "../../../report/slack/index.js";
import { checkAccess, isAdmin } from "../../access.js";
import { afterPendingIo } from "../../defer.js";
import { commandSchema } from "../../payloads.js";
import type { ListenerDeps } from "../deps.js";

export function gluuStatsCommand(deps: ListenerDeps) {
  return async ({ command, ack }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const payload = commandSchema.safeParse(command);
    if (!payload.success) {
      deps.log.warn({ issues: payload.error.issues.length }, "slash command payload failed validation");
      await ack(
        renderErrorMessage("Slack sent this command in a form the bot does not understand. Try again."),
      );
      return;
    }
    const { user_id: userId, channel_id: channelId, text, response_url: responseUrl } = payload.data;
    const access = checkAccess(deps.access, userId, channelId);
    if (!access.allowed) {
      deps.log.info({ user: userId, channel: channelId }, "refused /gluu-stats: %s", access.reason);
      await ack(renderRefusal());
      return;
    }
    const parsed = deps.replies.parse(text);
    if (!parsed.ok) {
      await ack(parsed.message);
      return;
    }
    const immediate = deps.replies.immediate(parsed.command);
    if (immediate) {
      await ack(immediate);
      return;
    }
    if (parsed.command.query.kind === "post" && !isAdmin(deps.access, userId)) {
      await ack(
        renderErrorMessage(
          "Only the admins of this bot (ADMIN_USER_IDS) may post the monthly summary by hand.",
        ),
      );
      return;
    }
    await ack();
    await deps.track(
      (async () => {
        await afterPendingIo();
        const message = await deps.replies.to(parsed.command, { userId, channelId });
        try {
          await deps.postResponse(responseUrl, {
            ...message,
            response_type: parsed.command.public ? "in_channel" : "ephemeral",
          });
        } catch (err) {
          deps.log.error({ user: userId, err: errorText(err) }, "could not deliver a reply");
        }
      })(),
    );
  };
}
