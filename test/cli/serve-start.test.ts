/**
 * Start-up of `serve` (what `npm start` runs): warnings about settings that are probably a
 * mistake are logged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/index.js";
import { createLogger } from "../../src/log.js";
import { secretsOf, startServer } from "../../src/serve.js";
import { type SlackDouble, startSlackDouble } from "../../src/slack-double/index.js";
import { LogCapture } from "../slack/harness.js";

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
  const server = startServer(env, { log, host: "127.0.0.1", rawEnv: raw });
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
