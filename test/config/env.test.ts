import { describe, expect, it } from "vitest";
import { ConfigError, gluuConfig, parseEnv } from "../../src/config/index.js";

const base = {
  GLUU_URL: "https://idp.example.com/",
  GLUU_CLIENT_ID: "abc",
  GLUU_CLIENT_SECRET: "very-secret-value",
};

describe("configuration", () => {
  it("applies defaults and strips the trailing slash of GLUU_URL", () => {
    const cfg = gluuConfig(parseEnv(base));
    expect(cfg.url).toBe("https://idp.example.com");
    expect(cfg.authMethod).toBe("client_secret_basic");
    expect(cfg.scope).toBe("jans_stat");
    expect(cfg.minIntervalS).toBe(60);
    expect(cfg.statFormat).toBe("json");
    expect(cfg.closeGraceMs).toBe(2 * 60 * 60 * 1000);
  });

  it("names every missing Gluu variable and what it should look like", () => {
    try {
      gluuConfig(parseEnv({}));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/GLUU_URL: missing; the issuer URL/);
      expect(msg).toMatch(/GLUU_CLIENT_ID: missing/);
      expect(msg).toMatch(/GLUU_CLIENT_SECRET: missing/);
    }
  });

  it("names each invalid variable without echoing its value", () => {
    try {
      parseEnv({
        ...base,
        GLUU_URL: "ftp://nope",
        GLUU_AUTH_METHOD: "private_key_jwt",
        GLUU_STAT_FORMAT: "xml",
        GLUU_MIN_INTERVAL_S: "-1",
        SLACK_BOT_TOKEN: "not-a-token-secret-123",
        REPORT_TZ: "Mars/Olympus",
        ALLOWED_USER_IDS: "U123, bad id",
      });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join("\n");
      for (const name of [
        "GLUU_URL",
        "GLUU_AUTH_METHOD",
        "GLUU_STAT_FORMAT",
        "GLUU_MIN_INTERVAL_S",
        "SLACK_BOT_TOKEN",
        "REPORT_TZ",
        "ALLOWED_USER_IDS",
      ]) {
        expect(problems).toContain(`${name}:`);
      }
      expect(problems).not.toContain("not-a-token-secret-123");
      expect(problems).toMatch(/REPORT_TZ: must be an IANA time zone/);
    }
  });

  it("treats empty values as unset and splits ID lists", () => {
    const env = parseEnv({ ...base, GLUU_TOKEN_URL: "", ALLOWED_USER_IDS: "U1, U2 ,,", PORT: "" });
    expect(env.GLUU_TOKEN_URL).toBeUndefined();
    expect(env.ALLOWED_USER_IDS).toEqual(["U1", "U2"]);
    expect(env.PORT).toBe(3000);
  });

  it("reports an unreadable CA file", () => {
    expect(() => gluuConfig(parseEnv({ ...base, GLUU_CA_FILE: "/nonexistent/ca.pem" }))).toThrow(
      /GLUU_CA_FILE: cannot read/,
    );
  });
});
