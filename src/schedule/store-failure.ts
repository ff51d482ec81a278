/**
 * Failures of the state store itself: the poster handles Slack's and the Gluu server's inside
 * a delivery (and records them), so what escapes a run is the store (ioredis, fs) or a bug.
 */
export function isStoreFailure(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (!e) return false;
  if (e.name === "StateCorruptError" || e.name === "MaxRetriesPerRequestError" || e.name === "ReplyError")
    return true;
  if (typeof e.code === "string" && /^E[A-Z]+$/.test(e.code)) return true;
  return /Connection is closed|Stream isn't writeable|Command timed out|enableOfflineQueue/.test(
    String(e.message),
  );
}
