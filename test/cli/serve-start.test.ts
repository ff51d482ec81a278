/**
 * Start-up of `serve` (what `npm start` runs): warnings about settings that are probably a
 * mistake are logged, and a token Slack refuses stops start-up with one sentence naming it.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../src/config/index.js";
import { createLogger } from "../../src/log.js";
import { secretsOf, startServer } from "../../src/serve.js";
import { tokenProblem } from "../../src/slack/start-errors.js";
import { type SlackDouble, startSlackDouble } from "../../src/slack-double/index.js";
import { LogCapture } from "../slack/harness.js";
import { useRedis } from "../support/redis.js";

const MAIN = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const redis = useRedis();
let double: SlackDouble;
beforeAll(async () => {
  double = await startSlackDouble();
});
afterAll(async () => {
  await double.close();
});

/** No Gluu request is made at start-up, so the Gluu host need not exist. */
const rawFor = (extra: Record<string, string> = {}): Record<string, string> => ({
  GLUU_URL: "http://gluu.example.test",
  GLUU_CLIENT_ID: "stats-client",
  GLUU_CLIENT_SECRET: "client-secret-0123456789",
  SLACK_BOT_TOKEN: double.botToken,
  SLACK_SIGNING_SECRET: "signing-secret-0123456789",
  SLACK_API_URL: double.apiUrl,
  PORT: "0",
  ...extra,
});

async function start(raw: Record<string, string>) {
  const env = parseEnv(raw);
  const logs = new LogCapture();
  const log = createLogger({ level: "debug", destination: { write: logs.write }, secrets: secretsOf(env) });
  const server = startServer(env, { log, host: "127.0.0.1" });
  return { server, logs };
}

describe("serve start-up warnings", () => {
  it("logs plain http to another machine and a schedule without REPORT_CHANNEL at warn level", async () => {
    const { server, logs } = await start(rawFor({ REPORT_CRON: "0 8 * * *" }));
    await (await server).stop();
    expect(logs.records.filter((r) => r.level === 40).map((r) => r.msg)).toEqual([
      "GLUU_URL: plain http:// to gluu.example.test, which is not this machine: the client secret and tokens travel unencrypted; use https://",
      "REPORT_CRON: has no effect without REPORT_CHANNEL, since there is no monthly post; set REPORT_CHANNEL to the channel ID to post in, or remove REPORT_CRON",
    ]);
  });

  it("is quiet about defaults", async () => {
    const { server, logs } = await start(rawFor({ GLUU_URL: "https://gluu.example.test" }));
    await (await server).stop();
    expect(logs.records.filter((r) => r.level === 40)).toEqual([]);
  });
});

describe("serve with a token Slack refuses", () => {
  it("a wrong SLACK_BOT_TOKEN stops start-up with the sentence naming it", async () => {
    const { server, logs } = await start(rawFor({ SLACK_BOT_TOKEN: "xoxb-not-the-right-token" }));
    const err = await server.then(
      () => expect.unreachable(),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([tokenProblem("invalid_auth", "bot")]);
    expect(logs.lines.join("\n")).not.toContain("xoxb-not-the-right-token");
  });

  it("a wrong SLACK_APP_TOKEN in Socket Mode names SLACK_APP_TOKEN, not the bot token", async () => {
    const { server } = await start(rawFor({ SLACK_APP_TOKEN: "xapp-1-not-the-right-token" }));
    await expect(server).rejects.toMatchObject({ problems: [tokenProblem("invalid_auth", "app")] });
  });

  it("`gluu-stats serve` prints it, exits 2, and does not hang on an open Redis connection", async () => {
    const child = spawn(process.execPath, [MAIN, "serve"], {
      env: {
        PATH: process.env.PATH ?? "",
        ...rawFor({
          SLACK_BOT_TOKEN: "xoxb-not-the-right-token",
          REDIS_URL: redis().url,
          REPORT_RETRY_HOURS: "2",
          LOG_LEVEL: "warn",
        }),
      },
      stdio: ["ignore", "pipe", "pipe"],
      cwd: "/",
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (c) => {
      stdout += String(c);
    });
    child.stderr?.on("data", (c) => {
      stderr += String(c);
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(null);
      }, 10_000);
      child.once("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(stderr).toBe(`gluu-stats: Invalid configuration:\n  - ${tokenProblem("invalid_auth", "bot")}\n`);
    expect(code).toBe(2);
    // The warnings reach the real program's log too.
    expect(stdout).toMatch(/"level":40,.*"msg":"REPORT_RETRY_HOURS: has no effect without REPORT_CHANNEL/);
    expect(stdout + stderr).not.toContain("xoxb-not-the-right-token");
  });
});
