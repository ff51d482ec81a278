/**
 * Whether this workspace takes the newer blocks (tables, charts). Some answer `invalid_blocks`
 * for them; such a workspace still gets every answer, without them (a text table instead), and
 * is not offered them again until restart. One bot token is one workspace, so one record per
 * process and surface: the Home is kept apart, as a view may refuse a block a message takes.
 */
import { webApi } from "@slack/bolt";
import type { Logger } from "../log.js";
import { hasNewerBlocks, type SlackMessage, withoutNewerBlocks } from "../report/slack/index.js";
import { ResponseUrlError } from "./response-url.js";

export type Surface = "messages" | "home";
type Support = "unknown" | "accepted" | "refused";

/** Slack's answer to blocks it will not draw, from the Web API or a response_url. */
export function isBlocksRefusal(err: unknown): boolean {
  if (err instanceof ResponseUrlError) return err.status === 400 && /invalid_blocks/.test(err.message);
  if (
    typeof err === "object" &&
    err !== null &&
    "code" in err &&
    err.code === webApi.ErrorCode.PlatformError
  ) {
    const data = (err as { data?: { error?: unknown } }).data;
    return data?.error === "invalid_blocks";
  }
  return false;
}

export class NewerBlocks {
  readonly #support: Record<Surface, Support> = { messages: "unknown", home: "unknown" };

  constructor(private readonly log: Logger) {}

  /** Slack has drawn them here: acks may carry them too. */
  accepted(surface: Surface = "messages"): boolean {
    return this.#support[surface] === "accepted";
  }

  refused(surface: Surface = "messages"): boolean {
    return this.#support[surface] === "refused";
  }

  /** The message as this workspace takes it: without tables and charts once they were refused. */
  fit<T extends SlackMessage>(message: T, surface: Surface = "messages"): T {
    return this.refused(surface) && hasNewerBlocks(message)
      ? { ...message, ...withoutNewerBlocks(message) }
      : message;
  }

  /**
   * Sends `message` (fitted); when Slack refuses its newer blocks, notes the refusal and sends it
   * again without them. Any other failure is the caller's.
   */
  async send<T, M extends SlackMessage>(
    message: M,
    attempt: (message: M) => Promise<T>,
    surface: Surface = "messages",
  ): Promise<T> {
    const fitted = this.fit(message, surface);
    if (!hasNewerBlocks(fitted)) return attempt(fitted);
    try {
      const result = await attempt(fitted);
      this.noteAccepted(surface);
      return result;
    } catch (err) {
      if (!isBlocksRefusal(err)) throw err;
      this.noteRefused(surface);
      return attempt({ ...fitted, ...withoutNewerBlocks(fitted) });
    }
  }

  noteAccepted(surface: Surface = "messages"): void {
    if (this.#support[surface] === "unknown") this.#support[surface] = "accepted";
  }

  noteRefused(surface: Surface = "messages"): void {
    if (this.#support[surface] === "refused") return;
    this.#support[surface] = "refused";
    this.log.warn(
      { surface },
      "Slack refused tables and charts (invalid_blocks) in this workspace: replies go without them, as text tables, until restart",
    );
  }
}
