/**
 * What crosses the IPC channel between the serving process and the renderer's process
 * (process.ts, child.ts), checked with zod on both sides: each side is an edge for the other.
 */
import { z } from "zod";
import type { ChartModel, ChartSize } from "./model.js";

const monthSchema = z.object({ year: z.number().int(), month: z.number().int().min(1).max(12) });

const modelSchema = z.object({
  title: z.string().max(1000),
  points: z
    .array(z.object({ month: monthSchema, mau: z.number().nullable() }))
    .max(1000)
    .readonly(),
  average: z.number().optional(),
  limit: z.number().optional(),
});

export const renderRequestSchema = z.object({
  id: z.number().int(),
  format: z.enum(["png", "svg"]),
  model: modelSchema,
  size: z.object({ width: z.number(), height: z.number() }).optional(),
});

export type RenderRequest = z.infer<typeof renderRequestSchema>;
export type RenderFormat = RenderRequest["format"];

export const renderReplySchema = z.union([
  z.object({
    id: z.number().int(),
    ok: z.literal(true),
    data: z.union([z.custom<Uint8Array>((v) => v instanceof Uint8Array), z.string()]),
  }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: z.string().max(2000) }),
]);
export type RenderReply = z.infer<typeof renderReplySchema>;

// The wire carries the renderer's own types: a model or size the schemas no longer describe
// fails to compile here rather than at the other end of the channel.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const wireMatchesModel: Same<RenderRequest["model"], ChartModel> &
  Same<NonNullable<RenderRequest["size"]>, ChartSize> = true;
void wireMatchesModel;
