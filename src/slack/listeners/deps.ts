/** What the listeners need, passed in: the Slack layer owns no state of its own. */
import type { Logger } from "../../log.js";
import type { CommandOutcome, CommandSource, ReplyOutcome } from "../../metrics/index.js";
import type { AccessRules } from "../access.js";
import type { HomeSource } from "../home.js";
import type { NewerBlocks } from "../newer-blocks.js";
import type { PostResponse } from "../response-url.js";
import type { ReplySource } from "../servers.js";

export interface ListenerDeps {
  readonly replies: ReplySource;
  readonly access: AccessRules;
  readonly postResponse: PostResponse;
  readonly log: Logger;
  /** How long an answer may take before an interim reply is shown (default 1.5 s). */
  readonly interimAfterMs?: number;
  /** Keeps a reply in flight visible to shutdown, which waits for it. */
  readonly track: <T>(work: Promise<T>) => Promise<T>;
  /** Whether this workspace takes tables and charts; every reply with blocks goes through it. */
  readonly newerBlocks: NewerBlocks;
  /** The App Home; absent: no Home tab. */
  readonly home?: HomeSource;
  /** Counts commands and replies (Prometheus); nothing is counted when absent. */
  readonly metrics?: ListenerMetrics;
}

export interface ListenerMetrics {
  command(kind: string, source: CommandSource, outcome: CommandOutcome): void;
  reply(outcome: ReplyOutcome): void;
}
