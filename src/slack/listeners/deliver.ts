/**
 * Delivering an answer that needs the Gluu server: the ack has gone out, so the answer goes to
 * the response_url. When it is not ready within a moment, a short interim reply says what is
 * being fetched and for how long, and the answer then takes its place. Slack allows five posts
 * to a response_url in 30 minutes; this uses at most two.
 */
import { errorText } from "../../errors/index.js";
import type { CommandSource } from "../../metrics/index.js";
import type { ParsedCommand } from "../../query/types.js";
import type { SlackMessage } from "../../report/slack/index.js";
import { afterPendingIo, within } from "../defer.js";
import type { Asker } from "../reply.js";
import type { ResponsePayload } from "../response-url.js";
import type { ListenerDeps } from "./deps.js";

/** Slack shows nothing for a while after an empty ack; past this, the person is told. */
export const INTERIM_AFTER_MS = 1500;

/** Where the interim reply and the answer go, for one kind of request. */
export interface Placement {
  readonly interim: (message: SlackMessage) => ResponsePayload;
  /** `afterInterim`: an interim reply is showing, and a private answer replaces it. */
  readonly answer: (message: SlackMessage, afterInterim: boolean) => ResponsePayload;
}

export function deliver(
  deps: ListenerDeps,
  command: ParsedCommand,
  who: Asker,
  responseUrl: string,
  placement: Placement,
  source: CommandSource = "command",
): Promise<void> {
  const send = async (
    message: SlackMessage,
    place: (m: SlackMessage) => ResponsePayload,
    kind: "response_url" | "interim",
  ) => {
    try {
      await deps.newerBlocks.send(message, (m) => deps.postResponse(responseUrl, place(m)));
      deps.metrics?.reply(kind);
    } catch (err) {
      deps.metrics?.reply("failed");
      deps.log.error({ user: who.userId, err: errorText(err) }, "could not deliver a reply");
    }
  };
  return deps.track(
    (async () => {
      await afterPendingIo();
      const work = deps.replies.answer(command, who).then((a) => {
        deps.metrics?.command(command.query.kind, source, a.failed ? "error" : "answered");
        return a.message;
      });
      const early = await within(work, deps.interimAfterMs ?? INTERIM_AFTER_MS, undefined);
      if (early) {
        await send(early, (m) => placement.answer(m, false), "response_url");
        return;
      }
      await send(deps.replies.interim(command), placement.interim, "interim");
      await send(await work, (m) => placement.answer(m, true), "response_url");
    })(),
  );
}
