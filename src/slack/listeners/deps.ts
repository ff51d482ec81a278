/** What the listeners need, passed in: the Slack layer owns no state of its own. */
import type { Logger } from "../../log.js";
import type { AccessRules } from "../access.js";
import type { Replies } from "../reply.js";
import type { PostResponse } from "../response-url.js";

export interface ListenerDeps {
  readonly replies: Replies;
  readonly access: AccessRules;
  readonly postResponse: PostResponse;
  readonly log: Logger;
  /** How long an answer may take before an interim reply is shown (default 1.5 s). */
  readonly interimAfterMs?: number;
  /** Keeps a reply in flight visible to shutdown, which waits for it. */
  readonly track: <T>(work: Promise<T>) => Promise<T>;
}
