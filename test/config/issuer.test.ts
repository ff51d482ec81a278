import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../src/config/index.js";
import { isLoopbackHost, isPlainHttpToNetwork, issuerProblem } from "../../src/config/issuer.js";

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe("GLUU_URL must be the issuer", () => {
  it.each([
    [
      "https://idp.example.com/oxauth/restv1/token",
      "GLUU_URL: must be the issuer, not an endpoint under /oxauth; did you mean https://idp.example.com?",
    ],
    [
      "https://idp.example.com/jans-auth/restv1/internal/stat",
      "GLUU_URL: must be the issuer, not an endpoint under /jans-auth; did you mean https://idp.example.com?",
    ],
    [
      "https://idp.example.com/.well-known/openid-configuration",
      "GLUU_URL: must be the issuer, not its discovery document under /.well-known; did you mean https://idp.example.com?",
    ],
    [
      "https://idp.example.com/?x=1",
      "GLUU_URL: must be the issuer, which has no query string or fragment; did you mean https://idp.example.com?",
    ],
    [
      "https://idp.example.com/#top",
      "GLUU_URL: must be the issuer, which has no query string or fragment; did you mean https://idp.example.com?",
    ],
    [
      "https://idp.example.com:8443/realms/x/.well-known/openid-configuration",
      "GLUU_URL: must be the issuer, not its discovery document under /.well-known; did you mean https://idp.example.com:8443/realms/x?",
    ],
    [
      "https://idp.example.com/oxauth/restv1/authorize?client_id=abc",
      "GLUU_URL: must be the issuer, not an endpoint under /oxauth; did you mean https://idp.example.com?",
    ],
  ])("refuses %s with the issuer it probably meant", (url, expected) => {
    expect(problemsOf({ GLUU_URL: url })).toEqual([expected]);
  });

  it("never echoes credentials or the query string", () => {
    const problems = problemsOf({
      GLUU_URL: "https://admin:hunter2-secret@idp.example.com/oxauth/token?client_secret=s3cr3t-value",
    }).join("\n");
    expect(problems).toMatch(/did you mean https:\/\/idp\.example\.com\?/);
    expect(problems).not.toContain("admin");
    expect(problems).not.toContain("hunter2-secret");
    expect(problems).not.toContain("s3cr3t-value");
  });

  it.each([
    "https://idp.example.com",
    "https://idp.example.com/",
    "https://kc.example.com/realms/x",
    "http://127.0.0.1:8080",
  ])("accepts %s", (url) => {
    expect(problemsOf({ GLUU_URL: url })).toEqual([]);
    expect(issuerProblem(url)).toBeUndefined();
  });

  it("keeps an issuer with a path, without the trailing slash", () => {
    expect(parseEnv({ GLUU_URL: "https://kc.example.com/realms/x/" }).GLUU_URL).toBe(
      "https://kc.example.com/realms/x",
    );
  });

  it("leaves a malformed URL to the format check alone", () => {
    expect(problemsOf({ GLUU_URL: "not a url" })).toEqual([
      "GLUU_URL: must be an http(s) URL such as https://idp.example.com",
    ]);
  });

  it("does not apply to the endpoint URLs, which do live under /oxauth", () => {
    expect(
      problemsOf({
        GLUU_TOKEN_URL: "https://idp.example.com/oxauth/restv1/token",
        GLUU_STAT_URL: "https://idp.example.com/oxauth/restv1/internal/stat",
      }),
    ).toEqual([]);
  });
});

describe("loopback hosts", () => {
  it.each(["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "[::1]", "[::ffff:7f00:1]", "localhost."])(
    "%s is loopback",
    (h) => {
      expect(isLoopbackHost(h)).toBe(true);
    },
  );
  it.each([
    "10.0.0.1",
    "128.0.0.1",
    "0.0.0.0",
    "[::2]",
    "idp.example.com",
    "localhost.example.com",
    "127.0.0.1.nip.io",
  ])("%s is not", (h) => {
    expect(isLoopbackHost(h)).toBe(false);
  });
  it("plain http to the network is only http:// to a host that is not loopback", () => {
    expect(isPlainHttpToNetwork("http://idp.example.com")).toBe(true);
    expect(isPlainHttpToNetwork("http://127.1:8080")).toBe(false); // the URL parser writes 127.0.0.1
    expect(isPlainHttpToNetwork("http://[::1]:8080")).toBe(false);
    expect(isPlainHttpToNetwork("https://idp.example.com")).toBe(false);
  });
});
