/**
 * What every button under a reply does first: acknowledge, validate the payload, check access,
 * and parse the button's value. The value is a command text and goes through the same parser as
 * a typed command, so a stale or altered value gets an explanation, never an exception.
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { isStatsQuery } from "../../../answer/index.js";
import { errorText } from "../../../errors/index.js";
import type { ParsedCommand } from "../../../query/types.js";
import { renderErrorMessage, renderRefusal } from "../../../report/slack/index.js";
import { checkAccess } from "../../access.js";
import { buttonActionSchema } from "../../payloads.js";
import type { Asker } from "../../reply.js";
import type { ResponsePayload } from "../../response-url.js";
import { deliver, type Placement } from "../deliver.js";
import type { ListenerDeps } from "../deps.js";

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

export interface PressedButton {
  readonly command: ParsedCommand;
  readonly who: Asker;
  readonly responseUrl: string;
  /** Sends to the message's response_url; failures are logged, never thrown. */
  readonly send: (message: ResponsePayload) => Promise<void>;
}

/**
 * The button's command, or undefined when the press was answered already (refused, altered).
 * `shared`: whether the button is the share button, whose command must be public (and only it).
 */
export async function readButton(
  deps: ListenerDeps,
  { ack, action, body }: ButtonArgs,
  shared: boolean,
): Promise<PressedButton | undefined> {
  await ack();
  const payload = buttonActionSchema.safeParse({ action, body });
  if (!payload.success) {
    deps.log.warn({ issues: payload.error.issues.length }, "button payload failed validation");
    return undefined;
  }
  const { user, channel, response_url: responseUrl } = payload.data.body;
  const send = (message: ResponsePayload) =>
    deps.postResponse(responseUrl, message).catch((err: unknown) => {
      deps.log.error({ user: user.id, err: errorText(err) }, "could not deliver a reply");
    });

  const access = checkAccess(deps.access, user.id, channel?.id);
  if (!access.allowed) {
    deps.log.info({ user: user.id, channel: channel?.id }, "refused a button: %s", access.reason);
    deps.metrics?.command("unknown", "button", "refused");
    await send({ ...renderRefusal(), replace_original: true });
    return undefined;
  }
  const who = { userId: user.id, ...(channel?.id ? { channelId: channel.id } : {}) };
  // Parsed for this person: a value naming a server they may not see reads as altered.
  const parsed = deps.replies.parse(payload.data.action.value ?? "", who);
  if (!parsed.ok || !isStatsQuery(parsed.command.query) || parsed.command.public !== shared) {
    const why = parsed.ok ? "does not lead to a report" : "is out of date or was altered";
    deps.metrics?.command("unknown", "button", "usage");
    await send({
      ...renderErrorMessage(`This button ${why}. Type \`/gluu-stats\` with the month you want instead.`),
      replace_original: true,
    });
    return undefined;
  }
  return { command: parsed.command, who, responseUrl, send };
}

/**
 * A button's listener: read the press, then answer its command in the background (the ack has
 * gone out). A block_actions ack carries no message, so even a cached answer goes to the
 * response_url; `placement` says whether it replaces the message or goes beside it.
 */
export function buttonListener(shared: boolean, placement: Placement) {
  return (deps: ListenerDeps) =>
    async (args: ButtonArgs): Promise<void> => {
      const pressed = await readButton(deps, args, shared);
      if (!pressed) return;
      await deliver(deps, pressed.command, pressed.who, pressed.responseUrl, placement, "button");
    };
}
