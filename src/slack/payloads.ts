/**
 * The parts of Slack's payloads the bot relies on, checked at the edge: Bolt types them, but a
 * type is a promise, not a check, and a button value comes back from the client as sent.
 */
import { z } from "zod";

const id = z.string().regex(/^[A-Z0-9]{1,40}$/);

export const commandSchema = z.object({
  user_id: id,
  channel_id: id.optional(),
  text: z.string().max(4000).default(""),
  response_url: z.url({ protocol: /^https?$/ }),
});
export type CommandPayload = z.infer<typeof commandSchema>;

export const buttonActionSchema = z.object({
  action: z.object({
    action_id: z.string().max(255),
    value: z.string().max(2000).optional(),
  }),
  body: z.object({
    user: z.object({ id }),
    channel: z.object({ id }).optional(),
    response_url: z.url({ protocol: /^https?$/ }),
  }),
});
export type ButtonAction = z.infer<typeof buttonActionSchema>;

/**
 * The shapes of request bodies that may reach Bolt at all: what Slack sends to this app (slash
 * commands, button presses, events, and Slack's own checks). Anything else is refused with a
 * 400 before Bolt reads it, because Bolt dereferences fields of the payload before any
 * listener runs and answers a malformed one with a 500 (or, for `null`, ends the process).
 */
export const requestBodySchema = z.union([
  z.looseObject({ ssl_check: z.string() }),
  z.looseObject({ type: z.literal("url_verification"), challenge: z.string() }),
  z.looseObject({ command: z.string(), team_id: z.string().optional() }),
  z.looseObject({
    type: z.literal("block_actions"),
    actions: z.array(z.looseObject({ action_id: z.string() })).min(1),
  }),
  z.looseObject({ type: z.literal("event_callback"), event: z.looseObject({ type: z.string() }) }),
]);
