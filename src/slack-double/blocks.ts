/**
 * The double's model of a workspace that refuses some block types (see `refuseBlockTypes`):
 * which top-level blocks of a message or view it would answer `invalid_blocks` to.
 */

export interface RefusedBlock {
  /** Index in the blocks array. */
  index: number;
  type: string;
}

/** Top-level blocks whose `type` is in `refuse`; empty when `blocks` is not an array. */
export function refusedBlocks(blocks: unknown, refuse: readonly string[]): RefusedBlock[] {
  if (refuse.length === 0 || !Array.isArray(blocks)) return [];
  const out: RefusedBlock[] = [];
  blocks.forEach((block: unknown, index) => {
    if (typeof block !== "object" || block === null) return;
    const type = (block as { type?: unknown }).type;
    if (typeof type === "string" && refuse.includes(type)) out.push({ index, type });
  });
  return out;
}

/**
 * The `[ERROR] …` lines Slack puts in `response_metadata.messages` of an `invalid_blocks`
 * answer, with a JSON pointer to each offending block.
 */
export function refusalMessages(refused: readonly RefusedBlock[], pointer = "/blocks"): string[] {
  return refused.map((r) => `[ERROR] unsupported type: ${r.type} [json-pointer:${pointer}/${r.index}/type]`);
}

/**
 * The refusal for an ack body (an object, or its JSON text as an HTTP receiver sends it): a
 * slash-command ack carrying a refused block would make Slack show the user an error instead.
 */
export function refusedAck(body: unknown, refuse: readonly string[]): "invalid_blocks" | undefined {
  if (refuse.length === 0) return undefined;
  let value = body;
  if (typeof body === "string") {
    if (!body.trimStart().startsWith("{")) return undefined;
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null) return undefined;
  return refusedBlocks((value as { blocks?: unknown }).blocks, refuse).length > 0
    ? "invalid_blocks"
    : undefined;
}
