/**
 * The buttons under a reply: previous month, next month, 12-month trend (each replaces the
 * ephemeral message) and share in channel (posts the same answer for everyone). The value of a
 * button is a command text and goes through the same parser as a typed command, so a stale or
 * altered value gets an explanation, never an exception.
 */

import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { isStatsQuery } from "../../answer/index.js";
import { errorText } from "../../errors/index.js";
import { ACTION_IDS, renderErrorMessage, renderRefusal } from "../../report/slack/index.js";
import { checkAccess } from "../access.js";
import { afterPendingIo, type ListenerDeps } from "../deps.js";
import { buttonActionSchema } from "../payloads.js";

export const NAVIGATION_ACTIONS: readonly string[] = Object.values(ACTION_IDS);

export function navigationAction(deps: ListenerDeps) {
  return async ({
    ack,
    action,
    body,
  }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const payload = buttonActionSchema.safeParse({ action, body });
    if (!payload.success) {
      deps.log.warn({ issues: payload.error.issues.length }, "button payload failed validation");
      return;
    }
    const { user, channel, response_url: responseUrl } = payload.data.body;
    const share = payload.data.action.action_id === ACTION_IDS.share;
    const send = (message: Parameters<ListenerDeps["postResponse"]>[1]) =>
      deps.postResponse(responseUrl, message).catch((err: unknown) => {
        deps.log.error({ user: user.id, err: errorText(err) }, "could not deliver a reply");
      });

    const access = checkAccess(deps.access, user.id, channel?.id);
    if (!access.allowed) {
      deps.log.info({ user: user.id, channel: channel?.id }, "refused a button: %s", access.reason);
      await send({ ...renderRefusal(), replace_original: true });
      return;
    }
    const parsed = deps.replies.parse(payload.data.action.value ?? "");
    if (!parsed.ok || !isStatsQuery(parsed.command.query) || parsed.command.public !== share) {
      const why = parsed.ok ? "does not lead to a report" : "is out of date or was altered";
      await send({
        ...renderErrorMessage(`This button ${why}. Type \`/gluu-stats\` with the month you want instead.`),
        replace_original: true,
      });
      return;
    }
    await deps.track(
      (async () => {
        await afterPendingIo();
        const message = await deps.replies.to(parsed.command, { userId: user.id, channelId: channel?.id });
        await send(
          share
            ? { ...message, response_type: "in_channel", replace_original: false }
            : { ...message, replace_original: true },
        );
      })(),
    );
  };
}
