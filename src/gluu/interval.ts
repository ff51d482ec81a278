/**
 * The Gluu 4.x request interval (`statWebServiceIntervalLimitInSeconds`), learned rather than
 * assumed. Pure: the stat service keeps the state and the clock, these functions decide.
 *
 * Facts from oxAuth's `StatWS.java`: the interval check throws its 403 before
 * `lastProcessedAt` is set, so a refused request costs the server nothing and does not restart
 * the interval; only a processed request does. So the bot sends a request when it is needed,
 * and on a 403 tries again after 1, 2, 4, 8 … s.
 *
 * Spacing: from the arrival of the last answer the server processed to the sending of the next
 * request, as the bot measures it. The server's own spacing is a little longer (it recorded
 * its time before writing the answer, and the next request takes time to arrive), so a refusal
 * at spacing s means the server's interval is longer than s, and an acceptance at s means it
 * is at most s plus a round trip.
 */

/** What the server has shown of its interval: spacings in ms, undefined until seen. */
export interface SpacingKnowledge {
  /** The shortest spacing the server accepted. */
  readonly acceptedMs: number | undefined;
  /** The longest spacing the server refused. */
  readonly refusedMs: number | undefined;
}

export const NOTHING_KNOWN: SpacingKnowledge = { acceptedMs: undefined, refusedMs: undefined };

/** The first retry after a refusal; each further one waits twice as long. */
export const FIRST_BACKOFF_MS = 1_000;

/** Refused requests in one wait before the callers are told to try again later. */
export const MAX_REFUSALS_PER_WAIT = 8;

/**
 * Adds one observation. The two bounds normally bracket the interval (refused < accepted). An
 * observation outside them (a refusal at or beyond an accepted spacing, an acceptance at or
 * below a refused one) means the interval changed or another client (the admin UI, the
 * official exporter) used it unseen: the newer observation wins and the bound it contradicts is
 * dropped, so a wrong bound never outlives the next request.
 */
export function learnSpacing(
  known: SpacingKnowledge,
  spacingMs: number,
  accepted: boolean,
): SpacingKnowledge {
  if (!Number.isFinite(spacingMs) || spacingMs < 0) return known;
  const { acceptedMs, refusedMs } = known;
  if (accepted) {
    if (refusedMs !== undefined && spacingMs <= refusedMs)
      return { acceptedMs: spacingMs, refusedMs: undefined };
    return { acceptedMs: Math.min(acceptedMs ?? spacingMs, spacingMs), refusedMs };
  }
  if (acceptedMs !== undefined && spacingMs >= acceptedMs)
    return { acceptedMs: undefined, refusedMs: spacingMs };
  return { acceptedMs, refusedMs: Math.max(refusedMs ?? spacingMs, spacingMs) };
}

export interface BackoffInput {
  /** Time since the arrival of the last answer the server processed; undefined when none is known. */
  readonly sinceProcessedMs: number | undefined;
  readonly known: SpacingKnowledge;
  /** Requests refused so far in this wait: 0 for the first request. */
  readonly attempt: number;
  /** GLUU_MIN_INTERVAL_S in ms: the longest a wait may last. */
  readonly capMs: number;
}

/**
 * How long to wait, from now, before sending request number `attempt` of a wait.
 *
 * - The first request goes at once, unless the server is known to refuse it (the time since
 *   the last processed answer is within the longest refused spacing): then it waits as a retry
 *   would, since a sure 403 teaches nothing.
 * - A retry goes at the learned accepted spacing when that lies ahead ("start the next wait
 *   there": after 5 s accepted and 3 s refused, a request 1 s after the last answer waits until
 *   5 s, not 1 s and then 2 s more). Without one: 1, 2, 4, 8, 16 … s after the previous attempt,
 *   and never at or below the longest refused spacing.
 * - Never later than `capMs` after the last processed answer, and no single wait longer than
 *   `capMs` (once past that point only another client can be refusing us: keep doubling, within
 *   the cap).
 */
export function backoffDelayMs(input: BackoffInput): number {
  const { sinceProcessedMs: since, known, attempt, capMs } = input;
  const cap = Math.max(0, capMs);
  const step = attempt <= 0 ? 0 : FIRST_BACKOFF_MS * 2 ** (attempt - 1);
  if (since === undefined) return Math.min(step, cap);
  const { acceptedMs, refusedMs } = known;
  const knownRefused = refusedMs !== undefined && since <= refusedMs;
  if (attempt <= 0 && !knownRefused) return 0;
  let target: number; // a spacing: when, after the last processed answer, to send
  if (acceptedMs !== undefined && acceptedMs > since) target = acceptedMs;
  else if (knownRefused) target = refusedMs + Math.max(step, FIRST_BACKOFF_MS);
  else target = since + step;
  if (since < cap) target = Math.min(target, cap);
  return Math.min(Math.max(0, target - since), cap);
}
