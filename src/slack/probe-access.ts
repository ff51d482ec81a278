/**
 * Who may read /metrics and /readyz: they tell an outsider which servers the bot talks to, how
 * often and with what results. Loopback always; the networks in METRICS_ALLOW (CIDRs, e.g. the
 * Kubernetes nodes that run the kubelet's probes and the Prometheus pods); or anyone presenting
 * METRICS_TOKEN as a bearer token. /healthz and /slack/events stay public (the latter is signed).
 *
 * The client address is the TCP peer: X-Forwarded-For is not read, since anyone can send it.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import { parseCidr } from "../config/cidr.js";

export interface ProbeAccess {
  /** CIDRs besides loopback, e.g. "10.0.0.0/8", "fd00::/8". */
  readonly allow: readonly string[];
  readonly token?: string | undefined;
}

/** "::ffff:10.0.0.1" (an IPv4 client on a dual-stack socket) → "10.0.0.1". */
function normalise(address: string): { address: string; family: "ipv4" | "ipv6" } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped?.[1] ?? address;
  const version = isIP(plain);
  if (version === 0) return undefined;
  return { address: plain, family: version === 4 ? "ipv4" : "ipv6" };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A check for one request: true when it may read the protected endpoints. */
export function probeAccessCheck(access: ProbeAccess): (req: IncomingMessage) => boolean {
  const allowed = new BlockList();
  allowed.addSubnet("127.0.0.0", 8, "ipv4");
  allowed.addAddress("::1", "ipv6");
  for (const cidr of access.allow) {
    const parsed = parseCidr(cidr);
    // The configuration schema refuses what does not parse; this keeps the check total.
    if (parsed) allowed.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return (req) => {
    const peer = normalise(req.socket.remoteAddress ?? "");
    if (peer && allowed.check(peer.address, peer.family)) return true;
    const header = req.headers.authorization;
    if (!access.token || typeof header !== "string") return false;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] !== undefined && sameSecret(match[1], access.token);
  };
}
