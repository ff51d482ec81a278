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
