/** Who may read /metrics and /readyz: loopback, METRICS_ALLOW's networks, or METRICS_TOKEN. */
import type { IncomingMessage } from "node:http";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCidr, parseEnv } from "../../src/config/index.js";
import { probeAccessCheck } from "../../src/slack/probe-access.js";

const TOKEN = "metrics-token-0123456789";
const req = (remoteAddress: string, authorization?: string) =>
  ({
    socket: { remoteAddress },
    headers: authorization === undefined ? {} : { authorization },
  }) as unknown as IncomingMessage;

describe("probeAccessCheck", () => {
  const open = probeAccessCheck({ allow: [] });
  it("lets loopback in, IPv4, IPv6 and IPv4 on a dual-stack socket", () => {
    for (const a of ["127.0.0.1", "127.9.8.7", "::1", "::ffff:127.0.0.1"]) expect(open(req(a))).toBe(true);
  });

  it("keeps every other address out when nothing is allowed", () => {
    for (const a of ["10.0.0.1", "192.0.2.2", "fd00::2", "::ffff:10.0.0.1", "", "not-an-ip"])
      expect(open(req(a))).toBe(false);
  });

  it("lets the networks of METRICS_ALLOW in, and only those", () => {
    const check = probeAccessCheck({ allow: ["10.0.0.0/8", "fd00::/8", "192.0.2.7"] });
    expect(check(req("10.244.3.4"))).toBe(true);
    expect(check(req("::ffff:10.1.1.1"))).toBe(true);
    expect(check(req("fd00::2"))).toBe(true);
    expect(check(req("192.0.2.7"))).toBe(true);
    expect(check(req("192.0.2.8"))).toBe(false);
    expect(check(req("11.0.0.1"))).toBe(false);
    expect(check(req("fe80::1"))).toBe(false);
  });

  it("lets a request with METRICS_TOKEN as a bearer token in from anywhere; any other token stays out", () => {
    const check = probeAccessCheck({ allow: [], token: TOKEN });
    expect(check(req("203.0.113.9", `Bearer ${TOKEN}`))).toBe(true);
    expect(check(req("203.0.113.9", `bearer ${TOKEN}`))).toBe(true);
    expect(check(req("203.0.113.9", `Bearer ${TOKEN}x`))).toBe(false);
    expect(check(req("203.0.113.9", `Bearer ${TOKEN.slice(1)}`))).toBe(false);
    expect(check(req("203.0.113.9", TOKEN))).toBe(false);
    expect(check(req("203.0.113.9"))).toBe(false);
    // Without a configured token, no header opens the door.
    expect(open(req("203.0.113.9", "Bearer "))).toBe(false);
    expect(open(req("203.0.113.9", "Bearer undefined"))).toBe(false);
  });

  it("an IPv4 address is allowed exactly when it lies in the CIDR (property)", () => {
    const toInt = (a: number[]) => a.reduce((n, b) => n * 256 + b, 0);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 1, max: 32 }),
        (net, addr, prefix) => {
          if (net[0] === 127 || addr[0] === 127) return;
          const check = probeAccessCheck({ allow: [`${net.join(".")}/${prefix}`] });
          const size = 2 ** (32 - prefix);
          const inside = Math.floor(toInt(net) / size) === Math.floor(toInt(addr) / size);
          expect(check(req(addr.join(".")))).toBe(inside);
        },
      ),
    );
  });
});

describe("METRICS_ALLOW and METRICS_TOKEN in the configuration", () => {
  it("parses CIDRs and bare addresses", () => {
    expect(parseCidr("10.0.0.0/8")).toEqual({ address: "10.0.0.0", prefix: 8, family: "ipv4" });
    expect(parseCidr("fd00::/8")).toEqual({ address: "fd00::", prefix: 8, family: "ipv6" });
    expect(parseCidr("192.0.2.7")).toEqual({ address: "192.0.2.7", prefix: 32, family: "ipv4" });
    for (const bad of [
      "10.0.0.0/33",
      "10.0.0/8",
      "10.0.0.0/8/1",
      "fd00::/129",
      "example.com/8",
      "10.0.0.0/x",
    ])
      expect(parseCidr(bad)).toBeUndefined();
  });

  it("refuses a bad entry and a short token at start-up, naming the variable, never echoing the token", () => {
    expect(() => parseEnv({ METRICS_ALLOW: "10.0.0.0/8, 300.1.1.1/8" })).toThrow(
      /METRICS_ALLOW: each entry must be a CIDR/,
    );
    let message = "";
    try {
      parseEnv({ METRICS_TOKEN: "short-secret" });
    } catch (err) {
      message = String(err);
    }
    expect(message).toMatch(/METRICS_TOKEN: must be at least 16 characters/);
    expect(message).not.toContain("short-secret");
    expect(parseEnv({ METRICS_ALLOW: " 10.0.0.0/8 ,fd00::/8" }).METRICS_ALLOW).toEqual([
      "10.0.0.0/8",
      "fd00::/8",
    ]);
  });
});
