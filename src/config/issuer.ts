/**
 * What a GLUU_URL must look like: the issuer, the URL discovery is read under. People paste the
 * URL they have at hand (an endpoint, the discovery document, a link with a query string); each
 * of those would only fail later, at the first question, with a 404 far from its cause.
 */

/**
 * Path segments that never belong to an issuer: Gluu 4.x and Janssen serve their endpoints
 * under /oxauth and /jans-auth, and discovery lives under /.well-known.
 */
const NOT_ISSUER_SEGMENTS = new Set(["oxauth", "jans-auth", ".well-known"]);

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * Why `url` is not an issuer, with the issuer it probably meant; undefined when it may be one.
 * Other paths stay accepted: an issuer with a path is legal (Keycloak's /realms/x).
 * The suggestion is built from the host and path only, so credentials (user:pass@) and a
 * query string (which may carry a secret) are never echoed.
 */
export function issuerProblem(url: string): string | undefined {
  const u = parse(url);
  if (!u) return undefined; // the URL format check reports it
  const segments = u.pathname.split("/");
  const cut = segments.findIndex((s) => NOT_ISSUER_SEGMENTS.has(s.toLowerCase()));
  const hasQuery = u.search !== "" || u.hash !== "" || url.includes("?") || url.includes("#");
  if (cut < 0 && !hasQuery) return undefined;
  const path = (cut < 0 ? segments : segments.slice(0, cut)).join("/").replace(/\/+$/, "");
  const suggestion = `${u.protocol}//${u.host}${path}`;
  const segment = cut < 0 ? undefined : segments[cut]?.toLowerCase();
  const reason =
    segment === ".well-known"
      ? "must be the issuer, not its discovery document under /.well-known"
      : segment
        ? `must be the issuer, not an endpoint under /${segment}`
        : "must be the issuer, which has no query string or fragment";
  return `${reason}; did you mean ${suggestion}?`;
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
  if (h === "localhost" || h === "::1") return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  // The URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h);
}

/** True for an http:// URL whose host is not loopback: what is sent to it crosses the network in clear. */
export function isPlainHttpToNetwork(url: string): boolean {
  const u = parse(url);
  return u?.protocol === "http:" && !isLoopbackHost(u.hostname);
}

/** The host of a URL without credentials, for messages. */
export function hostOf(url: string): string {
  return parse(url)?.host ?? "(invalid URL)";
}
