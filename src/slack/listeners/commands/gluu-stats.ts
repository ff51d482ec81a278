/**
 * `/gluu-stats`: acknowledge at once (Slack's deadline is 3 s). Usage errors, refusals, help and
 * answers the cache holds go out inside the ack; answers that need the Gluu server follow
 * through the response_url, whatever its latency.
 */

import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from "@slack/bolt";
import { errorText } from "../../../errors/index.js";
import type { CommandOutcome } from "../../../metrics/index.js";
import {
  hasNewerBlocks,
  renderErrorMessage,
  renderRefusal,
  type SlackMessage,
  withoutNewerBlocks,
} from "../../../report/slack/index.js";
import { checkAccess, isAdmin } from "../../access.js";
import { prepareAck } from "../../ack-body.js";
import { isBlocksRefusal } from "../../newer-blocks.js";
import { commandSchema } from "../../payloads.js";
import { ANSWERED_IN_ACK } from "../../redelivery.js";
import type { ResponsePayload } from "../../response-url.js";
import { deliver, type Placement } from "../deliver.js";
import type { ListenerDeps } from "../deps.js";

export function gluuStatsCommand(deps: ListenerDeps) {
  // Refusals and usage errors are answered in the ack too: every ack with a message is a reply.
  const count = (kind: string, outcome: CommandOutcome, answered = outcome !== "answered") => {
    deps.metrics?.command(kind, "command", outcome);
    if (answered) deps.metrics?.reply("in_ack");
  };
  // The ack of each answer from the cache, per form it is sent in: built and serialised once
  // (prepareAck), since the rendered answer is itself reused while its figures are the same.
  const acks = new WeakMap<SlackMessage, Map<string, ResponsePayload>>();
  const ackOf = (ready: SlackMessage, form: string, build: () => ResponsePayload): ResponsePayload => {
    let forms = acks.get(ready);
    if (!forms) {
      forms = new Map();
      acks.set(ready, forms);
    }
    let payload = forms.get(form);
    if (!payload) {
      payload = prepareAck(build());
      forms.set(form, payload);
    }
    return payload;
  };
  return async ({ command, ack, context }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const payload = commandSchema.safeParse(command);
    if (!payload.success) {
      deps.log.warn({ issues: payload.error.issues.length }, "slash command payload failed validation");
      count("unknown", "usage");
      await ack(
        renderErrorMessage("Slack sent this command in a form the bot does not understand. Try again."),
      );
      return;
    }
    const { user_id: userId, channel_id: channelId, text, response_url: responseUrl } = payload.data;
    const access = checkAccess(deps.access, userId, channelId);
    if (!access.allowed) {
      deps.log.info({ user: userId, channel: channelId }, "refused /gluu-stats: %s", access.reason);
      count("unknown", "refused");
      await ack(renderRefusal());
      return;
    }
    const who = { userId, channelId };
    const parsed = deps.replies.parse(text, who);
    if (!parsed.ok) {
      count("unknown", "usage");
      await ack(parsed.message);
      return;
    }
    const { kind } = parsed.command.query;
    const immediate = deps.replies.immediate(parsed.command, who);
    if (immediate) {
      count(kind, "answered", true);
      await ack(immediate);
      return;
    }
    if (kind === "post" && !isAdmin(deps.access, userId)) {
      count(kind, "refused");
      await ack(
        renderErrorMessage(
          "Only the admins of this bot (ADMIN_USER_IDS) may post the monthly summary by hand.",
        ),
      );
      return;
    }
    const placement: Placement = {
      // The interim reply is only for the person who asked, even for a public answer.
      interim: (m) => ({ ...m, response_type: "ephemeral" }),
      // A file asked for with `public` is shared in the channel; the note that it was sent is not.
      answer: (m, afterInterim) =>
        parsed.command.public && !parsed.command.file
          ? { ...m, response_type: "in_channel" }
          : { ...m, response_type: "ephemeral", ...(afterInterim ? { replace_original: true } : {}) },
    };
    // From the cache: the answer is the ack itself, one exchange instead of two.
    const ready = deps.replies.ready(parsed.command);
    if (ready) {
      count(kind, "answered", true);
      const { newerBlocks } = deps;
      // An ack Slack refuses is an error the bot never hears of: until this workspace is known to
      // draw tables and charts, the ack carries the text form and the reply with them replaces it.
      const probe = hasNewerBlocks(ready) && !newerBlocks.accepted() && !newerBlocks.refused();
      const classic = probe || newerBlocks.refused();
      const placed = placement.answer(ready, false);
      await ack(
        ackOf(ready, `${classic}|${placed.response_type}`, () =>
          classic ? { ...placed, ...withoutNewerBlocks(ready) } : placed,
        ),
      );
      if (probe) void deps.track(upgrade(deps, responseUrl, placement.answer(ready, false), userId));
      // A re-delivery of this request means the ack was lost: it will be answered again.
      const noted = context[ANSWERED_IN_ACK];
      if (typeof noted === "function") await (noted as () => Promise<void>)();
      return;
    }
    await ack();
    await deliver(deps, parsed.command, who, responseUrl, placement);
  };
}

/** The reply with its table and chart in place of the text form the ack carried. */
async function upgrade(deps: ListenerDeps, responseUrl: string, payload: ResponsePayload, userId: string) {
  try {
    await deps.postResponse(responseUrl, { ...payload, replace_original: true });
    deps.newerBlocks.noteAccepted();
  } catch (err) {
    // Refused: the text form the person sees already is the answer; nothing is lost.
    if (isBlocksRefusal(err)) deps.newerBlocks.noteRefused();
    else deps.log.warn({ user: userId, err: errorText(err) }, "could not replace the reply with its chart");
  }
}
