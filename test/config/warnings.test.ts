import { readFileSync } from "node:fs";
import { parse } from "dotenv";
import { describe, expect, it } from "vitest";
import { parseEnv, scheduleWarnings, startupWarnings } from "../../src/config/index.js";

const base = {
  GLUU_URL: "https://idp.example.com",
  GLUU_CLIENT_ID: "abc",
  GLUU_CLIENT_SECRET: "s3cret-value",
};
const warningsFor = (raw: Record<string, string>) => startupWarnings(parseEnv(raw));

describe("start-up warnings: plain http", () => {
  it("warns about http:// to a host that is not this machine", () => {
    expect(warningsFor({ ...base, GLUU_URL: "http://idp.example.com:8080/" })).toEqual([
      "GLUU_URL: plain http:// to idp.example.com:8080, which is not this machine: the client secret and tokens travel unencrypted; use https://",
    ]);
  });

  it("names each Gluu URL that is plain http", () => {
    const warnings = warningsFor({
      ...base,
      GLUU_TOKEN_URL: "http://10.0.0.5/oxauth/restv1/token",
      GLUU_STAT_URL: "http://10.0.0.5/oxauth/restv1/internal/stat",
    });
    expect(warnings.map((w) => w.split(":")[0])).toEqual(["GLUU_TOKEN_URL", "GLUU_STAT_URL"]);
  });

  it("does not echo credentials of the URL", () => {
    const [warning] = warningsFor({ ...base, GLUU_URL: "http://admin:pa55word-x@idp.example.com" });
    expect(warning).toMatch(/^GLUU_URL: plain http:\/\/ to idp\.example\.com,/);
    expect(warning).not.toContain("pa55word-x");
    expect(warning).not.toContain("admin");
  });

  it.each([
    "http://127.0.0.1:8080",
    "http://127.9.9.9",
    "http://localhost:8080",
    "http://[::1]:8080",
    "https://idp.example.com",
  ])("is quiet for %s", (url) => {
    expect(warningsFor({ ...base, GLUU_URL: url })).toEqual([]);
  });
});

describe("start-up warnings: monthly-post settings without REPORT_CHANNEL", () => {
  it("warns about each one that was set", () => {
    expect(warningsFor({ ...base, REPORT_CRON: "0 8 2 * *", REPORT_RETRY_HOURS: "3" })).toEqual([
      "REPORT_CRON: has no effect without REPORT_CHANNEL, since there is no monthly post; set REPORT_CHANNEL to the channel ID to post in, or remove REPORT_CRON",
      "REPORT_RETRY_HOURS: has no effect without REPORT_CHANNEL, since there is no monthly post; set REPORT_CHANNEL to the channel ID to post in, or remove REPORT_RETRY_HOURS",
    ]);
  });

  it("is quiet about defaults, empty values and REPORT_TZ (replies use it too)", () => {
    expect(warningsFor(base)).toEqual([]);
    expect(warningsFor({ ...base, REPORT_CRON: " ", REPORT_TZ: "Europe/Berlin" })).toEqual([]);
  });

  it("is quiet when REPORT_CHANNEL is set", () => {
    expect(warningsFor({ ...base, REPORT_CRON: "0 8 2 * *", REPORT_CHANNEL: "C0123ABCD" })).toEqual([]);
  });

  it("is quiet when only a server's own GLUU_<NAME>_REPORT_CHANNEL is set", () => {
    const several = { ...base, GLUU_SERVERS: "prod,staging", REPORT_CRON: "0 8 2 * *" };
    expect(warningsFor({ ...several, GLUU_STAGING_REPORT_CHANNEL: "C0STAGE001" })).toEqual([]);
    expect(warningsFor({ ...several, GLUU_STAGING_REPORT_CHANNEL: " " })).toHaveLength(1);
  });

  it("is quiet about a value spelled out equal to its default", () => {
    expect(
      scheduleWarnings(parseEnv({ ...base, REPORT_CRON: "0 9 1 * *", REPORT_RETRY_HOURS: "6.0" })),
    ).toEqual([]);
  });
});

describe("start-up warnings: a copied .env.example", () => {
  it("warns about nothing: its values are the defaults", () => {
    const example = parse(readFileSync(new URL("../../.env.example", import.meta.url), "utf8"));
    // Only the <placeholders> filled in, as an operator starting from the example does.
    const raw = { ...example, SLACK_BOT_TOKEN: "xoxb-filled-in", SLACK_SIGNING_SECRET: "filled-in-secret" };
    expect(startupWarnings(parseEnv(raw))).toEqual([]);
  });
});
