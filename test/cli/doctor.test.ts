/** doctor against the emulator and the Slack double, over loopback. */
import { afterEach, describe, expect, it } from "vitest";
import { type Check, gluuDoctor, printCheck, serversDoctor } from "../../src/cli/doctor.js";
import { slackDoctor } from "../../src/cli/doctor-slack.js";
import { parseEnv } from "../../src/config/index.js";
import { DEFAULT_CLIENT, type Emulator, startEmulator } from "../../src/emulator/index.js";
import { addMonths, monthAt } from "../../src/months.js";
import { type SlackDouble, startSlackDouble } from "../../src/slack-double/index.js";
import { stackFor } from "../support/gluu.js";
import { serverEnv } from "../support/servers.js";

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function emulator(family: "gluu4" | "janssen", extra = {}): Promise<Emulator> {
  const e = await startEmulator({ family, intervalLimitS: 60, ...extra });
  open.push(e);
  return e;
}
async function double(scopes?: string[]): Promise<SlackDouble> {
  const d = await startSlackDouble(scopes ? { scopes } : {});
  open.push(d);
  return d;
}
function collect(): { checks: Check[]; print: (c: Check) => void } {
  const checks: Check[] = [];
  return { checks, print: (c) => checks.push(c) };
}
const gluuEnv = (e: Emulator, extra: Record<string, string> = {}) =>
  parseEnv({
    GLUU_URL: e.url,
    GLUU_CLIENT_ID: DEFAULT_CLIENT.id,
    GLUU_CLIENT_SECRET: DEFAULT_CLIENT.secret,
    ...extra,
  });

describe("doctor: Gluu", () => {
  it.each(["gluu4", "janssen"] as const)(
    "passes every check against %s and names the family",
    async (family) => {
      const e = await emulator(family);
      const { checks, print } = collect();
      expect(await gluuDoctor(gluuEnv(e), print)).toBe(true);
      expect(checks.every((c) => c.ok)).toBe(true);
      const labels = checks.map((c) => c.label).join("\n");
      expect(labels).toMatch(/discovery: token endpoint/);
      expect(labels).toMatch(/token: granted scopes "jans_stat"/);
      expect(labels).toMatch(family === "gluu4" ? /Gluu Server 4\.x/ : /Janssen/);
    },
  );

  it("leaves the Gluu 4.x interval to the user's first command", async () => {
    const e = await emulator("gluu4");
    await gluuDoctor(gluuEnv(e), () => {});
    const stack = stackFor(e);
    open.push(stack);
    const started = Date.now();
    await stack.service.get([addMonths(monthAt(Date.now()), -1)]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(e.counters.stat403).toBe(0);
    expect(e.counters.statOk).toBe(1);
  });

  it("stops at a wrong secret with the fix and without the secret", async () => {
    const e = await emulator("janssen");
    const { checks, print } = collect();
    expect(await gluuDoctor(gluuEnv(e, { GLUU_CLIENT_SECRET: "wrong-secret-123" }), print)).toBe(false);
    const failed = checks.find((c) => !c.ok);
    expect(failed?.label).toBe("token");
    expect(failed?.detail).toMatch(/client authentication failed: check GLUU_CLIENT_ID\/GLUU_CLIENT_SECRET/);
    expect(JSON.stringify(checks)).not.toContain("wrong-secret-123");
  });

  it("says when the client lacks the stat scope", async () => {
    const e = await emulator("janssen", {
      clients: [{ ...DEFAULT_CLIENT, scopes: ["openid"] }],
    });
    const { checks, print } = collect();
    expect(await gluuDoctor(gluuEnv(e), print)).toBe(false);
    expect(checks.find((c) => !c.ok)?.detail).toMatch(/lacks scope jans_stat/);
  });

  it("reports missing configuration by name", async () => {
    const { checks, print } = collect();
    expect(await gluuDoctor(parseEnv({}), print)).toBe(false);
    expect(checks[0]?.detail).toMatch(/GLUU_URL: missing/);
  });

  it("warns about plain http to another machine, after the configuration line", async () => {
    const { checks, print } = collect();
    const env = parseEnv({
      GLUU_URL: "http://gluu.invalid",
      GLUU_CLIENT_ID: "abc",
      GLUU_CLIENT_SECRET: "s3cret-value",
      GLUU_TIMEOUT_MS: "1000",
    });
    await gluuDoctor(env, print);
    expect(checks[1]).toEqual({
      ok: true,
      warning: true,
      label:
        "GLUU_URL: plain http:// to gluu.invalid, which is not this machine: the client secret and tokens travel unencrypted; use https://",
    });
    const lines: string[] = [];
    printCheck((l) => lines.push(l))(checks[1] as Check);
    expect(lines).toEqual([`! ${checks[1]?.label}`]);
  });

  it("is quiet about plain http on loopback", async () => {
    const e = await emulator("janssen");
    const { checks, print } = collect();
    expect(await gluuDoctor(gluuEnv(e), print)).toBe(true);
    expect(e.url).toMatch(/^http:\/\/127\./);
    expect(checks.some((c) => c.warning)).toBe(false);
  });

  it("says when GLUU_URL is not the issuer", async () => {
    const e = await emulator("janssen");
    const { checks, print } = collect();
    expect(await gluuDoctor(gluuEnv(e, { GLUU_URL: `${e.url}/wrong` }), print)).toBe(false);
    expect(checks.find((c) => !c.ok)?.detail).toMatch(/is GLUU_URL the issuer\?/);
  });
});

describe("doctor: Slack", () => {
  const slackEnv = (d: SlackDouble, extra: Record<string, string> = {}) =>
    parseEnv({
      SLACK_BOT_TOKEN: d.botToken,
      SLACK_SIGNING_SECRET: "signing-secret-1",
      SLACK_API_URL: d.apiUrl,
      ...extra,
    });

  it("checks auth.test, the scopes and each report channel", async () => {
    const d = await double(["commands", "chat:write", "im:write", "channels:read", "groups:read"]);
    const { checks, print } = collect();
    expect(await slackDoctor(slackEnv(d, { REPORT_CHANNEL: "C0DOUBLE01" }), print)).toBe(true);
    const labels = checks.map((c) => c.label).join("\n");
    expect(labels).toMatch(/bot token works/);
    expect(labels).toMatch(/report channel #general: the bot is a member/);
  });

  it("names a missing scope and a channel the bot is not in", async () => {
    const d = await double(["commands"]);
    d.handle("conversations.info", () => ({
      ok: true,
      channel: { id: "C0OTHER01", name: "billing", is_member: false },
    }));
    const { checks, print } = collect();
    expect(await slackDoctor(slackEnv(d, { REPORT_CHANNEL: "C0OTHER01" }), print)).toBe(false);
    expect(checks.find((c) => c.label.startsWith("Slack scope chat:write"))?.ok).toBe(false);
    const channel = checks.find((c) => c.label.startsWith("report channel"));
    expect(channel?.ok).toBe(false);
    expect(channel?.detail).toMatch(/\/invite @Gluu Stats/);
  });

  it("reports a token Slack refuses", async () => {
    const d = await double();
    const { checks, print } = collect();
    const env = parseEnv({
      SLACK_BOT_TOKEN: "xoxb-not-the-right-one",
      SLACK_SIGNING_SECRET: "s3cret-12",
      SLACK_API_URL: d.apiUrl,
    });
    expect(await slackDoctor(env, print)).toBe(false);
    expect(checks[0]?.detail).toBe(
      "SLACK_BOT_TOKEN: Slack refused the bot token (invalid_auth); copy it from your app at api.slack.com/apps → OAuth & Permissions → Bot User OAuth Token (it starts with xoxb-)",
    );
    expect(JSON.stringify(checks)).not.toContain("xoxb-not-the-right-one");
  });

  it("warns about a monthly-post setting given without REPORT_CHANNEL, and still passes", async () => {
    const d = await double(["commands", "chat:write", "im:write", "channels:read", "groups:read"]);
    const { checks, print } = collect();
    const base = {
      SLACK_BOT_TOKEN: d.botToken,
      SLACK_SIGNING_SECRET: "signing-secret-1",
      SLACK_API_URL: d.apiUrl,
    };
    expect(await slackDoctor(parseEnv({ ...base, REPORT_CRON: "0 8 * * *" }), print)).toBe(true);
    expect(checks.filter((c) => c.warning).map((c) => c.label)).toEqual([
      "REPORT_CRON: has no effect without REPORT_CHANNEL, since there is no monthly post; set REPORT_CHANNEL to the channel ID to post in, or remove REPORT_CRON",
    ]);
    const quiet = collect();
    expect(await slackDoctor(parseEnv(base), quiet.print)).toBe(true);
    expect(quiet.checks.some((c) => c.warning)).toBe(false);
  });

  it("names SLACK_APP_TOKEN and where to copy it when Slack refuses it", async () => {
    const d = await double();
    const { checks, print } = collect();
    expect(await slackDoctor(slackEnv(d, { SLACK_APP_TOKEN: "xapp-1-not-the-right-one" }), print)).toBe(
      false,
    );
    expect(checks.find((c) => c.label === "Slack: Socket Mode connection refused")?.detail).toMatch(
      /^SLACK_APP_TOKEN: Slack refused the app-level token \(invalid_auth\); copy it from .*Basic Information → App-Level Tokens/,
    );
  });

  it("checks that Socket Mode can connect", async () => {
    const d = await double();
    const { checks, print } = collect();
    expect(await slackDoctor(slackEnv(d, { SLACK_APP_TOKEN: d.appToken }), print)).toBe(true);
    expect(checks.some((c) => c.ok && /Socket Mode connection can be opened/.test(c.label))).toBe(true);
  });
});

describe("doctor: several Gluu servers", () => {
  it("checks every server at once and prints one block each, in the configured order", async () => {
    const prod = await emulator("gluu4");
    const staging = await emulator("janssen");
    const env = parseEnv({
      GLUU_SERVERS: "prod,staging,qa",
      ...serverEnv("prod", prod.url, "Production"),
      ...serverEnv("staging", staging.url),
      // Nothing listens there: qa fails, the others pass.
      GLUU_QA_URL: "http://127.0.0.1:9",
      GLUU_QA_CLIENT_ID: "qa-client",
      GLUU_QA_CLIENT_SECRET: "qa-secret-value",
    });
    const lines: string[] = [];
    expect(await serversDoctor(env, (l) => lines.push(l))).toBe(false);
    const text = lines.join("\n");
    const blocks = text.split(/\n\n/);
    expect(blocks.map((b) => b.split("\n")[0])).toEqual([
      "Gluu server prod (Production), the default",
      "Gluu server staging",
      "Gluu server qa",
    ]);
    expect(blocks[0]).toMatch(/Gluu Server 4\.x/);
    expect(blocks[1]).toMatch(/Janssen/);
    expect(blocks[2]).toMatch(/✗ discovery/);
    expect(blocks.slice(0, 2).join("\n")).not.toContain("✗");
    expect(text).not.toContain("qa-secret-value");
    expect(text).not.toContain(DEFAULT_CLIENT.secret);
  });

  it("names every configuration problem before checking anything", async () => {
    const lines: string[] = [];
    const env = parseEnv({ GLUU_SERVERS: "prod", GLUU_PROD_URL: "https://idp.example.com" });
    expect(await serversDoctor(env, (l) => lines.push(l))).toBe(false);
    expect(lines.join("\n")).toMatch(/GLUU_PROD_CLIENT_ID/);
    expect(lines.join("\n")).toMatch(/GLUU_PROD_CLIENT_SECRET/);
  });
});
