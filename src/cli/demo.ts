/**
 * `demo`: the README's first command. Starts the server emulator in-process and runs the real
 * pipeline against it over HTTP (discovery, token, one stat request, parse, cache, render), then
 * the real Bolt app against a local Slack double: a signed `/gluu-stats` command goes in, and
 * what Slack would show comes out. No credentials, no network.
 */
import { Writable } from "node:stream";
import { comparisonView, fetchComparison } from "../answer/compare.js";
import { answerView, isStatsCommand } from "../answer/index.js";
import { defaultGluuConfig, parseEnv } from "../config/index.js";
import { DEFAULT_CLIENT, generateData, startEmulator } from "../emulator/index.js";
import { createGluuStack } from "../gluu/index.js";
import { createLogger } from "../log.js";
import { addMonths, monthAt, monthRange } from "../months.js";
import { parseCommand } from "../query/parse.js";
import type { SlackMessage } from "../report/slack/index.js";
import { renderComparisonText } from "../report/text.js";
import { startServer } from "../serve.js";
import { blockKitBuilderUrl, previewMessage } from "../slack/preview.js";
import { startSlackDouble } from "../slack-double/index.js";
import { appHomeOpened, eventCallbackBody, slashCommandBody } from "../slack-double/payloads.js";
import { sendSignedCommand } from "../slack-double/signing.js";
import { renderView } from "./render.js";

/** A throw-away secret for the demo's own signed requests; it signs nothing outside this process. */
const DEMO_SIGNING_SECRET = "demo-signing-secret-0000";

export async function runDemo(out: (s: string) => void, opts: { timeZone?: string } = {}): Promise<number> {
  const timeZone = opts.timeZone ?? "UTC";
  const emulator = await startEmulator({ family: "gluu4", intervalLimitS: 60 });
  // The second server of GLUU_SERVERS: another family, another deployment's figures.
  const stagingEmulator = await startEmulator({
    family: "janssen",
    data: generateData({ months: 24, endMonth: monthAt(Date.now(), timeZone), seed: 11 }),
  });
  const config = defaultGluuConfig({
    url: emulator.url,
    clientId: DEFAULT_CLIENT.id,
    clientSecret: DEFAULT_CLIENT.secret,
  });
  const gluu = createGluuStack(config);
  const staging = createGluuStack(
    defaultGluuConfig({
      url: stagingEmulator.url,
      clientId: DEFAULT_CLIENT.id,
      clientSecret: DEFAULT_CLIENT.secret,
    }),
  );
  const slack = await startSlackDouble();
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    out(`gluu-stats demo: two servers, with 24 months of generated data each:`);
    out(`  prod     a Gluu Server 4.x emulator at ${emulator.url} (one stat request a minute)`);
    out(`  staging  a Janssen / Gluu Flex emulator at ${stagingEmulator.url}`);
    out("For each, the bot discovers the token endpoint, gets one client_credentials token and asks for");
    out("every month it needs in ONE stat request; every answer below comes from those.\n");
    const now = Date.now();
    const current = monthAt(now, timeZone);
    await gluu.service.get(monthRange(addMonths(current, -12), current));

    out("══ Command line ══\n");
    for (const text of ["", "trend", "export"]) {
      const parsed = parseCommand(text, { now, timeZone });
      if (!parsed.ok || !isStatsCommand(parsed.command))
        throw new Error(`demo query "${text}" did not parse`);
      const view = await answerView(parsed.command, {
        stats: gluu.service,
        host: gluu.client.host,
        timeZone,
        now: () => now,
      });
      out(`$ gluu-stats ${text === "export" ? "export" : `report ${text}`.trim()}`);
      out(`${renderView(view, "text")}\n`);
    }
    const last = addMonths(current, -1);
    const compared = await fetchComparison(
      [
        { name: "prod", displayName: "Production", stats: gluu.service },
        { name: "staging", displayName: "Staging", stats: staging.service },
      ],
      last,
      { now: Date.now, deadlineMs: 10_000 },
    );
    out("$ gluu-stats report all");
    out(
      `${renderComparisonText(comparisonView({ month: last, current: false, timeZone, servers: compared }))}`,
    );

    out("══ Slack ══\n");
    const env = parseEnv({
      GLUU_SERVERS: "prod,staging",
      GLUU_PROD_URL: emulator.url,
      GLUU_PROD_CLIENT_ID: DEFAULT_CLIENT.id,
      GLUU_PROD_CLIENT_SECRET: DEFAULT_CLIENT.secret,
      GLUU_PROD_NAME: "Production",
      GLUU_STAGING_URL: stagingEmulator.url,
      GLUU_STAGING_CLIENT_ID: DEFAULT_CLIENT.id,
      GLUU_STAGING_CLIENT_SECRET: DEFAULT_CLIENT.secret,
      GLUU_STAGING_NAME: "Staging",
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: DEMO_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: "0",
      REPORT_TZ: timeZone,
    });
    const quiet = createLogger({ level: "warn", destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    server = await startServer(env, { log: quiet, host: "127.0.0.1", gluu, others: { staging } });
    const endpoint = `http://127.0.0.1:${server.slack.port}/slack/events`;
    out(`The real Bolt app is listening at ${endpoint}, talking to a local Slack double.\n`);
    for (const text of ["last", "trend", "staging last", "all"]) {
      const responseUrl = slack.responseUrl();
      const before = slack.responses.length;
      const ack = await sendSignedCommand(
        endpoint,
        DEMO_SIGNING_SECRET,
        slashCommandBody({ text, response_url: responseUrl }),
      );
      // A cached answer is the ack's own body; one that needs the server follows at the response_url.
      const inAck = ack.body !== "";
      const body: unknown = inAck
        ? JSON.parse(ack.body)
        : (await slack.waitForResponses(before + 1)).slice(before)[0]?.body;
      out(
        `/gluu-stats ${text}    (acknowledged in ${ack.ms.toFixed(1)} ms with HTTP ${ack.status}; ` +
          `${inAck ? "the answer came in the acknowledgement, from the cache" : "answer via response_url"})\n`,
      );
      const message = body as SlackMessage | undefined;
      if (message?.blocks) {
        out(previewMessage(message));
        out(`\n  Open it in Block Kit Builder:\n  ${blockKitBuilderUrl(message)}\n`);
      } else {
        out(`  (no reply arrived: ${JSON.stringify(body ?? null).slice(0, 200)})\n`);
      }
    }
    // The Home tab, as someone opening it sees it (Events API, signed like the commands).
    const homeUser = "U0DEMOUSER";
    const published = () =>
      slack.calls.filter((c) => c.method === "views.publish" && c.body.user_id === homeUser);
    const opened = await sendSignedCommand(
      endpoint,
      DEMO_SIGNING_SECRET,
      eventCallbackBody(appHomeOpened(homeUser)),
    );
    const until = Date.now() + 5_000;
    while (published().length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    const home = published().at(-1)?.body.view as { blocks?: SlackMessage["blocks"] } | undefined;
    out(
      `The Home tab, when ${homeUser} opens it (app_home_opened acknowledged with HTTP ${opened.status}; views.publish):\n`,
    );
    out(
      home?.blocks ? `${previewMessage({ text: "", blocks: home.blocks })}\n` : "  (no Home was published)\n",
    );
    const counts = (e: typeof emulator) =>
      `${e.counters.discovery} discovery, ${e.counters.token} token, ${e.counters.statOk} stat`;
    out(`Requests the emulators answered: prod ${counts(emulator)}; staging ${counts(stagingEmulator)}.`);
    return 0;
  } finally {
    // The bot's own stack for staging is closed by stop(); the demo's two by the demo.
    await server?.stop();
    await Promise.allSettled([gluu.close(), staging.close()]);
    await slack.close();
    await emulator.close();
    await stagingEmulator.close();
  }
}
