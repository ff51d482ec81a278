/**
 * The parts of Slack's payloads the bot relies on, checked at the edge: Bolt types them, but a
 * type is a promise, not a check, and a button value comes back from the client as sent.
 */
import { z } from "zod";

const id = z.string().regex(/^[A-Z0-9]{1,40}$/);

/**
 * An http(s) URL in form: where a reply is posted is decided later, by the full check of its
 * host (isAllowedResponseUrl), and only when a reply goes there. Parsing it here as a URL too
 * cost 6 µs on every command, most of which are answered in the ack.
 */
const responseUrl = z
  .string()
  .max(2000)
  .regex(/^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/);

export const commandSchema = z.object({
  user_id: id,
  channel_id: id.optional(),
  text: z.string().max(4000).default(""),
  response_url: responseUrl,
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
    response_url: responseUrl,
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
  // Strip-mode objects, the commands first: every request goes through this, and a loose object
  // copies every field of the payload (25 µs a command for the union, against 2 µs).
  z.object({ command: z.string(), team_id: z.string().optional() }),
  z.object({
    type: z.literal("block_actions"),
    actions: z.array(z.object({ action_id: z.string() })).min(1),
  }),
  z.object({ type: z.literal("event_callback"), event: z.object({ type: z.string() }) }),
  z.object({ ssl_check: z.string() }),
  z.object({ type: z.literal("url_verification"), challenge: z.string() }),
]);
