/**
 * What crosses the IPC channel between the serving process and the renderer's process
 * (process.ts, child.ts), checked with zod on both sides: each side is an edge for the other.
 */
import { z } from "zod";
import type { ChartModel, ChartSize } from "./model.js";

const monthSchema = z.object({ year: z.number().int(), month: z.number().int().min(1).max(12) });

const modelSchema = z.object({
  title: z.string().max(1000),
  points: z.array(z.object({ month: monthSchema, mau: z.number().nullable() })).max(1000),
  average: z.number().optional(),
  limit: z.number().optional(),
});

export const renderRequestSchema = z.object({
  id: z.number().int(),
  format: z.enum(["png", "svg"]),
  model: modelSchema,
  size: z.object({ width: z.number(), height: z.number() }).optional(),
});

export type RenderFormat = "png" | "svg";

export interface RenderRequest {
  readonly id: number;
  readonly format: RenderFormat;
  readonly model: ChartModel;
  readonly size?: ChartSize;
}

export type RenderReply =
  | { readonly id: number; readonly ok: true; readonly data: Uint8Array | string }
  | { readonly id: number; readonly ok: false; readonly error: string };

export const renderReplySchema = z.union([
  z.object({
    id: z.number().int(),
    ok: z.literal(true),
    data: z.union([z.instanceof(Uint8Array), z.string()]),
  }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: z.string().max(2000) }),
]);
