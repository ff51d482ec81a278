/**
 * The fault suite: every way the Gluu server or Slack can misbehave, against the real server
 * (`startServer`, as `npm start` builds it) with LOG_LEVEL=debug. For each fault:
 *   - what the person sees: one readable sentence (or the normal answer, where the bot can ride
 *     the fault out), never "Error:", a stack line, "Bearer" or a secret;
 *   - no crash: /healthz still answers and a following command is answered;
 *   - recovery: once the fault clears, the same question gets the right MAU.
 * Nothing may escape as an unhandled rejection or exception (test/support/unhandled.ts), and the
 * last test checks every log line, every message Slack received and everything written to
 * stdout/stderr by every bot of this file for secrets and access tokens.
 *
 * The errors.test.ts cases (one 500 / one 429 on the response_url, 502, wrong secret, scope) are
 * not repeated here.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import { type Emulator, type EmulatorClient, startEmulator } from "../../src/emulator/index.js";
import { isoMonth, type Month, monthKey, monthLabel } from "../../src/months.js";
import { ACTION_IDS } from "../../src/report/slack/index.js";
import type { Server } from "../../src/serve.js";
import type { RecordedResponse, ResponseUrlBody } from "../../src/slack-double/index.js";
import {
  ackMessage,
  ago,
  allText,
  DATA,
  getJson,
  type Harness,
  type HarnessOptions,
  mauText,
  re,
  SIGNING_SECRET,
  startHarness,
  until,
} from "../slack/harness.js";
import { failOnUnhandled } from "../support/unhandled.js";

failOnUnhandled();

// ---------------------------------------------------------------------------------------------
// Secrets, and the evidence every bot of this file leaves behind
// ---------------------------------------------------------------------------------------------

const CLIENT_ID = "gluu-stats-fault-bot";
const CLIENT_SECRET = "gluu-client-secret-XYZ123";
const CLIENT: EmulatorClient = {
  id: CLIENT_ID,
  secret: CLIENT_SECRET,
  authMethod: "client_secret_basic",
  scopes: ["openid", "jans_stat"],
};
/** The Authorization header value the bot sends to the token endpoint: a secret too. */
const BASIC_CREDENTIAL = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64");
/** The emulator issues randomUUID() access tokens (src/emulator/server.ts, newTokenValue). */
const TOKEN_SHAPE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

const ADMIN = "U0FAULTADM1";
const REPORT = "C0FAULTREP1";

interface Evidence {
  /** Every pino line of every bot (the app's own, Bolt's and the web client's via boltLogger). */
  readonly lines: string[];
  /** Lines of bots in HTTP mode, where nothing shaped like an access token has any business. */
  readonly httpLines: string[];
  /** Every message body the Slack double received: response_urls, Web API calls, socket acks. */
  readonly slack: string[];
  /** Everything written to process.stdout / process.stderr while the suite ran. */
  readonly stdio: string[];
  /** Every access token the bots obtained, and the other client's. */
  readonly tokens: Set<string>;
  /** Bot token, app token, signing secret of every bot. */
  readonly slackSecrets: Set<string>;
  socketBots: number;
}

const evidence: Evidence = {
  lines: [],
  httpLines: [],
  slack: [],
  stdio: [],
  tokens: new Set(),
  slackSecrets: new Set([SIGNING_SECRET]),
  socketBots: 0,
};

/** Every string that must appear nowhere. */
function secrets(): string[] {
  return [CLIENT_SECRET, BASIC_CREDENTIAL, ...evidence.slackSecrets, ...evidence.tokens];
}

/** Which of `secrets` occur in which of `haystacks`: "secret … in: line". */
function leaks(haystacks: readonly string[], needles: readonly string[]): string[] {
  const out: string[] = [];
  for (const hay of haystacks) {
    for (const needle of needles) {
      if (needle.length > 0 && hay.includes(needle))
        out.push(`${needle.slice(0, 6)}… in: ${hay.slice(0, 300)}`);
    }
  }
  return out;
}

/** Records every access token the bot's token provider hands out. */
function watchTokens(server: Server): void {
  const provider = server.gluu.client.tokens;
  const get = provider.get.bind(provider);
  provider.get = async () => {
    const token = await get();
    evidence.tokens.add(token.value);
    return token;
  };
}

let stdoutSpy: MockInstance<typeof process.stdout.write> | undefined;
let stderrSpy: MockInstance<typeof process.stderr.write> | undefined;
beforeAll(() => {
  // Spies that record and still write: anything a library prints is kept as evidence.
  stdoutSpy = vi.spyOn(process.stdout, "write");
  stderrSpy = vi.spyOn(process.stderr, "write");
});
afterAll(() => {
  stdoutSpy?.mockRestore();
  stderrSpy?.mockRestore();
});
function collectStdio(): void {
  for (const spy of [stdoutSpy, stderrSpy]) {
    for (const call of spy?.mock.calls ?? []) {
      const chunk = call[0];
      evidence.stdio.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    }
    spy?.mockClear();
  }
}

// ---------------------------------------------------------------------------------------------
// Bots
// ---------------------------------------------------------------------------------------------

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  collectStdio();
});

function retire(h: Harness, socket: boolean): void {
  evidence.lines.push(...h.logs.lines);
  if (!socket) evidence.httpLines.push(...h.logs.lines);
  evidence.slack.push(
    ...h.double.responses.map((r) => JSON.stringify(r)),
    ...h.double.calls.map((c) => JSON.stringify(c)),
    ...h.double.socket.acks.map((a) => JSON.stringify(a)),
  );
}

/** A bot with the distinctive client and LOG_LEVEL=debug; closed (and its evidence kept) after the test. */
async function bot(opts: HarnessOptions = {}): Promise<Harness> {
  const h = await startHarness({
    ...opts,
    emulator: { clients: [CLIENT], ...opts.emulator },
    env: {
      GLUU_CLIENT_ID: CLIENT_ID,
      GLUU_CLIENT_SECRET: CLIENT_SECRET,
      LOG_LEVEL: "debug",
      ...opts.env,
    },
  });
  watchTokens(h.server);
  evidence.slackSecrets.add(h.double.botToken);
  evidence.slackSecrets.add(h.double.appToken);
  if (h.env.SLACK_BOT_TOKEN) evidence.slackSecrets.add(h.env.SLACK_BOT_TOKEN);
  if (h.env.SLACK_APP_TOKEN) evidence.slackSecrets.add(h.env.SLACK_APP_TOKEN);
  if (h.env.SLACK_SIGNING_SECRET) evidence.slackSecrets.add(h.env.SLACK_SIGNING_SECRET);
  if (opts.socket) evidence.socketBots++;
  cleanups.push(async () => {
    await h.close();
    retire(h, opts.socket === true);
  });
  return h;
}

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gluu-stats-faults-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// What the user sees, no crash, recovery
// ---------------------------------------------------------------------------------------------

/** A month's answer; the month in progress is titled with its day ("December 2026, day 3 of 31"). */
const monthAnswer = (m: Month) =>
  new RegExp(`^${re(monthLabel(m))}(, day \\d+ of \\d+)?: ${re(mauText(m))} monthly active users`);

/** Nothing in a message a person must not see. */
function expectClean(body: ResponseUrlBody): void {
  const everything = JSON.stringify(body);
  expect(everything).not.toContain("Error:");
  expect(everything).not.toMatch(/ {4}at |\\n\s*at |\bat [\w.<>$]+ \(/);
  expect(everything).not.toContain("Bearer");
  expect(everything).not.toMatch(TOKEN_SHAPE);
  expect(leaks([everything], secrets())).toEqual([]);
}

/** A failure as the person sees it: one line, one readable sentence (plus what to do), clean. */
function expectSentence(body: ResponseUrlBody, says: RegExp): string {
  expect(body.response_type).toBe("ephemeral");
  const sentence = String(body.text);
  expect(sentence).toMatch(says);
  expect(sentence).not.toMatch(/[\r\n]/);
  expect(sentence.length).toBeLessThan(400);
  expect(sentence).toMatch(/^[A-Z].*\.$/);
  // Internal error codes (UND_ERR_SOCKET, ECONNRESET, ERR_TLS_…) mean nothing to a person.
  expect(sentence).not.toMatch(/\b(?:UND_)?ERR_[A-Z_]+|\bE[A-Z]{4,}\b/);
  expect(allText(body)).toContain(`:warning: ${sentence}`);
  expectClean(body);
  return sentence;
}

/** The server still works: /healthz answers (HTTP mode) and a following command is answered. */
async function expectStillServing(h: Harness, socket = false): Promise<void> {
  if (!socket) {
    const health = await getJson(`${h.base}/healthz`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ready: true });
  }
  const help = await h.command("help");
  expect(help.ack.status).toBe(200);
  expect(ackMessage(help.ack).text).toBe("How to use the Gluu statistics command.");
}

/** The question answered normally, with the right MAU. */
async function expectAnswer(h: Harness, m: Month, timeoutMs = 8_000): Promise<RecordedResponse> {
  const sent = await h.command(isoMonth(m));
  expect(sent.ack.status).toBe(200);
  const reply = await h.reply(sent.path, timeoutMs);
  expect(reply.body.text).toMatch(monthAnswer(m));
  expectClean(reply.body);
  return reply;
}

// ---------------------------------------------------------------------------------------------
// Gluu server faults with a sentence
// ---------------------------------------------------------------------------------------------

const TLS = {
  key: readFileSync(new URL("../fixtures/tls/server.key", import.meta.url), "utf8"),
  cert: readFileSync(new URL("../fixtures/tls/server.pem", import.meta.url), "utf8"),
};
const CA_FILE = fileURLToPath(new URL("../fixtures/tls/ca.pem", import.meta.url));

interface GluuFault {
  readonly name: string;
  readonly options?: HarnessOptions;
  readonly inject: (h: Harness) => Promise<void> | void;
  /** Undo the fault; the same bot then answers the same question. */
  readonly clear: (h: Harness) => Promise<void> | void;
  readonly says: RegExp;
  /** The GluuError code in the log line holding the details. */
  readonly code: string;
}

/** The emulator comes back on the port it had, as a restarted server would. */
async function restartEmulator(h: Harness): Promise<Emulator> {
  const port = Number(new URL(h.emulator.url).port);
  const again = await startEmulator({ family: h.emulator.family, port, clients: [CLIENT], data: [...DATA] });
  cleanups.push(() => again.close());
  return again;
}

const GLUU_FAULTS: readonly GluuFault[] = [
  {
    name: "the Gluu server is down (emulator closed)",
    inject: (h) => h.emulator.close(),
    clear: async (h) => {
      await restartEmulator(h);
    },
    says: /^The Gluu server 127\.0\.0\.1:\d+ cannot be reached right now \(connection refused by 127\.0\.0\.1:\d+: is the Gluu server running and GLUU_URL right\?\)\. Try again later\.$/,
    code: "network",
  },
  {
    name: "the connection is reset",
    inject: (h) => {
      h.emulator.faults = { reset: true };
    },
    clear: (h) => {
      h.emulator.faults = {};
    },
    says: /^The Gluu server 127\.0\.0\.1:\d+ cannot be reached right now \([^()]*127\.0\.0\.1:\d+[^()]*\)\. Try again later\.$/,
    code: "network",
  },
  {
    name: "a 5 s delay with GLUU_TIMEOUT_MS=1000",
    options: { env: { GLUU_TIMEOUT_MS: "1000" } },
    inject: (h) => {
      h.emulator.faults = { delayMs: 5_000 };
    },
    clear: (h) => {
      h.emulator.faults = {};
    },
    says: /^The Gluu server 127\.0\.0\.1:\d+ did not answer in time\. Try again in a minute\.$/,
    code: "timeout",
  },
  {
    name: "a 500 from the stat endpoint",
    inject: (h) => {
      h.emulator.faults = { status: 500 };
    },
    clear: (h) => {
      h.emulator.faults = {};
    },
    says: /^The Gluu server 127\.0\.0\.1:\d+ reported an internal error\. Try again later\.$/,
    code: "server",
  },
  {
    name: "a garbage body",
    inject: (h) => {
      h.emulator.faults = { garbage: true };
    },
    clear: (h) => {
      h.emulator.faults = {};
    },
    says: /^The Gluu server 127\.0\.0\.1:\d+ sent an answer the bot cannot read\. Tell the admin of this bot\.$/,
    code: "bad_response",
  },
  {
    name: "a 10 MB body (GLUU_MAX_BODY_BYTES default 5 MiB)",
    inject: (h) => {
      expect(h.env.GLUU_MAX_BODY_BYTES).toBe(5 * 1024 * 1024);
      h.emulator.faults = { oversizeBytes: 10 * 1024 * 1024 };
    },
    clear: (h) => {
      h.emulator.faults = {};
    },
    says: /^The Gluu server 127\.0\.0\.1:\d+ sent an answer the bot cannot read \(.*larger than 5120 KiB.*GLUU_MAX_BODY_BYTES.*\)\. Tell the admin of this bot\.$/,
    code: "too_large",
  },
];

describe("Gluu server faults: one sentence, no crash, recovery", () => {
  it.each(GLUU_FAULTS)("$name", async (f) => {
    const h = await bot(f.options);
    const m = ago(2);
    await f.inject(h);
    const sent = await h.command(isoMonth(m));
    expect(sent.ack).toMatchObject({ status: 200, body: "" });
    const reply = await h.reply(sent.path, 8_000);
    expectSentence(reply.body, f.says);
    // The details are in the log, under the reference the person was given.
    const ref = /Reference `([A-Z0-9]{8})`/.exec(allText(reply.body))?.[1];
    expect(ref).toBeDefined();
    expect(h.logs.grep(`request failed (ref ${ref})`).join("\n")).toContain(`"code":"${f.code}"`);

    await expectStillServing(h);
    await f.clear(h);
    await expectAnswer(h, m);
  });

  it("a 10 MB body is streamed without leaking listeners (no MaxListenersExceededWarning)", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on("warning", onWarning);
    try {
      const h = await bot();
      h.emulator.faults = { oversizeBytes: 10 * 1024 * 1024 };
      const sent = await h.command(isoMonth(ago(2)));
      await h.reply(sent.path, 8_000);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
  });

  it("self-signed TLS without GLUU_CA_FILE: a sentence naming the certificate and GLUU_CA_FILE", async () => {
    const h = await bot({ emulator: { tls: TLS } });
    expect(h.emulator.url).toMatch(/^https:/);
    const m = ago(2);
    const sent = await h.command(isoMonth(m));
    const reply = await h.reply(sent.path, 8_000);
    const sentence = expectSentence(
      reply.body,
      /^The bot cannot read statistics from 127\.0\.0\.1:\d+: certificate not trusted.* set GLUU_CA_FILE to the CA's PEM file\. Ask the admin of this bot to run `gluu-stats doctor`\.$/,
    );
    expect(sentence).not.toMatch(/UNABLE_TO|DEPTH_ZERO|SELF_SIGNED_CERT_IN_CHAIN/);
    await expectStillServing(h);

    // The fault clears when the admin sets GLUU_CA_FILE and restarts the bot.
    const fixed = await bot({ emulator: { tls: TLS }, env: { GLUU_CA_FILE: CA_FILE } });
    await expectAnswer(fixed, m);
  });
});

// ---------------------------------------------------------------------------------------------
// Gluu server faults the bot rides out: the answer still arrives
// ---------------------------------------------------------------------------------------------

describe("Gluu server faults the bot rides out", () => {
  it("a 5 s delay with the default GLUU_TIMEOUT_MS (15 s): the answer arrives; meanwhile the bot serves others", async () => {
    const h = await bot();
    expect(h.env.GLUU_TIMEOUT_MS).toBe(15_000);
    const m = ago(3);
    h.emulator.faults = { delayMs: 5_000, times: 1 };
    const started = Date.now();
    const sent = await h.command(isoMonth(m));
    expect(sent.ack).toMatchObject({ status: 200, body: "" });
    expect(sent.ack.ms).toBeLessThan(3_000);
    // While the slow request is pending: health and other commands are not held up.
    await expectStillServing(h);
    expect(h.postsAt(sent.path)).toEqual([]);
    const reply = await h.reply(sent.path, 12_000);
    expect(reply.at - started).toBeGreaterThanOrEqual(4_900);
    expect(reply.body.text).toMatch(monthAnswer(m));
    expectClean(reply.body);
    await expectAnswer(h, ago(4));
  });

  it("401 after the tokens are revoked: one refresh, the answer arrives", async () => {
    // The first answer brings two years of months; the current month, never reused with
    // GLUU_MIN_INTERVAL_S=0, is one the bot must ask for again.
    const h = await bot({ env: { GLUU_MIN_INTERVAL_S: "0" } });
    await expectAnswer(h, ago(2));
    expect(h.emulator.counters.token).toBe(1);
    h.emulator.revokeTokens();
    h.emulator.resetCounters();
    const m = ago(0);
    await expectAnswer(h, m);
    expect(h.emulator.counters.token).toBe(1);
    expect(
      h.emulator.requests.map((r) => `${r.path.endsWith("/token") ? "token" : "stat"} ${r.status}`),
    ).toEqual(["stat 401", "token 200", "stat 200"]);
    await expectStillServing(h);
  });

  it("403 interval limit (Gluu 4.x): another client uses the interval first; the bot waits and answers", async () => {
    const h = await bot({
      family: "gluu4",
      emulator: { intervalLimitS: 2 },
      env: { GLUU_MIN_INTERVAL_S: "2" },
    });
    // Another statistics client, with its own token, takes the server-wide interval.
    const other = await request(`${h.emulator.url}/oxauth/restv1/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${BASIC_CREDENTIAL}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials&scope=jans_stat",
    });
    const { access_token: otherToken } = (await other.body.json()) as { access_token: string };
    evidence.tokens.add(otherToken);
    const took = await request(`${h.emulator.url}${h.emulator.statPath}?month=${monthKey(ago(1))}`, {
      headers: { authorization: `Bearer ${otherToken}` },
    });
    await took.body.text();
    expect(took.statusCode).toBe(200);

    const m = ago(2);
    const started = Date.now();
    const reply = await expectAnswer(h, m, 12_000);
    expect(h.emulator.counters.stat403).toBeGreaterThanOrEqual(1);
    // It waited for the interval rather than giving up or hammering the server.
    expect(reply.at - started).toBeGreaterThanOrEqual(1_500);
    expect(h.emulator.counters.stat403).toBeLessThanOrEqual(2);
    await expectStillServing(h);
  });

  it("an expired token (tokenLifetimeS=1): after > 1 s a new token is issued and the answer arrives", async () => {
    // GLUU_MIN_INTERVAL_S=0: the current month is asked for again (the rest came with the first answer).
    const h = await bot({ emulator: { tokenLifetimeS: 1 }, env: { GLUU_MIN_INTERVAL_S: "0" } });
    await expectAnswer(h, ago(2));
    expect(h.emulator.counters.token).toBe(1);
    const before = new Set(evidence.tokens);
    await new Promise((r) => setTimeout(r, 1_200));
    await expectAnswer(h, ago(0));
    expect(h.emulator.counters.token).toBe(2);
    expect([...evidence.tokens].filter((t) => !before.has(t))).toHaveLength(1);
    // Renewed before use: the server never saw the expired token.
    expect(h.emulator.requests.filter((r) => r.status === 401)).toEqual([]);
    await expectStillServing(h);
  });
});

// ---------------------------------------------------------------------------------------------
// Slack faults
// ---------------------------------------------------------------------------------------------

describe("Slack faults", () => {
  it("429 Retry-After 1 on the response_url of a share: the answer reaches the channel after the wait", async () => {
    const h = await bot();
    const m = ago(3);
    h.double.faults = { method: "response_url", retryAfterS: 1, times: 1 };
    const sent = await h.click({ action_id: ACTION_IDS.share, value: `${isoMonth(m)} public` });
    expect(sent.ack).toMatchObject({ status: 200, body: "" });
    const reply = await h.reply(sent.path, 8_000);
    const posts = h.postsAt(sent.path);
    expect(posts.map((p) => p.status)).toEqual([429, 200]);
    expect(reply.at - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(reply.body).toMatchObject({ response_type: "in_channel", replace_original: false });
    expect(reply.body.text).toMatch(monthAnswer(m));
    expectClean(reply.body);
    await expectStillServing(h);
  });

  it("429 with a Retry-After longer than the response_url can wait (30 s): dropped at once, logged, no crash", async () => {
    const h = await bot();
    h.double.faults = { method: "response_url", retryAfterS: 30 };
    const sent = await h.command(isoMonth(ago(2)));
    expect(sent.ack).toMatchObject({ status: 200, body: "" });
    const failed = await until(
      () => {
        const lines = h.logs.grep("could not deliver a reply");
        return lines.length > 0 ? lines : undefined;
      },
      5_000,
      "the delivery failure in the log",
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain("Slack asked to wait 30 s");
    expect(h.postsAt(sent.path).map((p) => p.status)).toEqual([429]);
    h.double.faults = {};
    await expectStillServing(h);
    await expectAnswer(h, ago(2));
  });

  it("500 on the response_url every time: three attempts, then logged once; no crash; recovery", async () => {
    const h = await bot();
    const m = ago(2);
    h.double.faults = { method: "response_url", status: 500 };
    const sent = await h.command(isoMonth(m));
    expect(sent.ack).toMatchObject({ status: 200, body: "" });
    const failed = await until(
      () => {
        const lines = h.logs.grep("could not deliver a reply");
        return lines.length > 0 ? lines : undefined;
      },
      8_000,
      "the delivery failure in the log",
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain("Slack answered 500");
    expect(h.postsAt(sent.path).map((p) => p.status)).toEqual([500, 500, 500]);
    h.double.faults = {};
    await expectStillServing(h);
    await expectAnswer(h, m);
  });

  it("500 twice on the response_url of a button: the third attempt delivers it", async () => {
    const h = await bot();
    const m = ago(4);
    h.double.faults = { method: "response_url", status: 500, times: 2 };
    const sent = await h.click({ action_id: ACTION_IDS.prev, value: isoMonth(m) });
    const reply = await h.reply(sent.path, 8_000);
    expect(h.postsAt(sent.path).map((p) => p.status)).toEqual([500, 500, 200]);
    expect(reply.body).toMatchObject({ replace_original: true });
    expect(reply.body.text).toMatch(monthAnswer(m));
    expect(h.logs.grep("could not deliver")).toEqual([]);
  });

  describe("500 on chat.postMessage", () => {
    async function reportBot(env: Record<string, string> = {}): Promise<Harness> {
      const h = await bot({
        env: {
          REPORT_CHANNEL: REPORT,
          STATE_DIR: await stateDir(),
          REPORT_CRON: "0 0 1 * *",
          ADMIN_USER_IDS: ADMIN,
          ...env,
        },
      });
      // The catch-up post at start-up goes out first, without faults.
      await h.server.monthly?.scheduler?.settled();
      return h;
    }
    const summaryPosts = (h: Harness) =>
      h.double.calls.filter((c) => c.method === "chat.postMessage" && c.body.channel === REPORT);

    it("/gluu-stats post by an admin: the web client's retries ride out two 500s; the admin is told it was posted", async () => {
      const h = await reportBot();
      const before = summaryPosts(h).length;
      const m = ago(3);
      h.double.faults = { method: "chat.postMessage", status: 500, times: 2 };
      const sent = await h.command(`post ${isoMonth(m)}`, { user_id: ADMIN });
      expect(sent.ack).toMatchObject({ status: 200, body: "" });
      const reply = await h.reply(sent.path, 10_000);
      expect(String(reply.body.text)).toMatch(
        new RegExp(`^:white_check_mark: Posted the ${re(monthLabel(m))} summary for <#${REPORT}>`),
      );
      expectClean(reply.body);
      expect(
        summaryPosts(h)
          .slice(before)
          .map((c) => c.status),
      ).toEqual([500, 500, 200]);
      await expectStillServing(h);
    });

    it("/gluu-stats post when every attempt fails (REPORT_RETRY_HOURS=0): one line saying so; then recovery", async () => {
      const h = await reportBot({ REPORT_RETRY_HOURS: "0" });
      const m = ago(4);
      // The post's request and the web client's 3 retries; the admin's DM afterwards gets through.
      h.double.faults = { method: "chat.postMessage", status: 500, times: 4 };
      const sent = await h.command(`post ${isoMonth(m)}`, { user_id: ADMIN });
      const reply = await h.reply(sent.path, 15_000);
      const text = String(reply.body.text);
      expect(text).toBe(
        `:x: The ${monthLabel(m)} summary for <#${REPORT}> could not be posted: Slack answered HTTP 500`,
      );
      expectClean(reply.body);
      const dm = await h.double.waitForCalls("conversations.open", 1);
      expect(dm[0]?.body.users).toBe(ADMIN);
      await expectStillServing(h);

      // Slack is back: the admin posts again and it goes out.
      h.double.faults = {};
      const again = await h.command(`post ${isoMonth(m)}`, { user_id: ADMIN });
      const ok = await h.reply(again.path, 10_000);
      expect(String(ok.body.text)).toMatch(/^:white_check_mark: Posted the .* summary/);
    });

    it("the share button does not depend on chat.postMessage: shared through the response_url", async () => {
      const h = await bot();
      h.double.faults = { method: "chat.postMessage", status: 500 };
      const m = ago(2);
      const sent = await h.click({ action_id: ACTION_IDS.share, value: `${isoMonth(m)} public` });
      const reply = await h.reply(sent.path, 8_000);
      expect(reply.body).toMatchObject({ response_type: "in_channel" });
      expect(reply.body.text).toMatch(monthAnswer(m));
      expect(h.double.calls.filter((c) => c.method === "chat.postMessage")).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Socket Mode: the app token is in play
// ---------------------------------------------------------------------------------------------

describe("Socket Mode", () => {
  it("a 500 from the Gluu server: the sentence, a following command, recovery", async () => {
    const h = await bot({ socket: true });
    expect(h.env.SLACK_APP_TOKEN).toBeDefined();
    const m = ago(2);
    h.emulator.faults = { status: 500 };
    const sent = await h.command(isoMonth(m));
    const reply = await h.reply(sent.path, 8_000);
    expectSentence(
      reply.body,
      /^The Gluu server 127\.0\.0\.1:\d+ reported an internal error\. Try again later\.$/,
    );
    await expectStillServing(h, true);
    h.emulator.faults = {};
    await expectAnswer(h, m);
  });
});

// ---------------------------------------------------------------------------------------------
// Secrets: checked last, over everything every bot above logged, sent and printed
// ---------------------------------------------------------------------------------------------

describe("secrets, over the whole suite", () => {
  it("the leak scanner finds a planted secret (so the check below can fail)", () => {
    const planted = [`{"msg":"token request","auth":"Basic ${BASIC_CREDENTIAL}"}`, `x ${CLIENT_SECRET} y`];
    expect(leaks(planted, [CLIENT_SECRET, BASIC_CREDENTIAL])).toHaveLength(2);
    expect(leaks(["nothing here"], [CLIENT_SECRET])).toEqual([]);
    expect(`tok 0b1f4f9e-5c3a-4d8e-9a7b-1234567890ab`).toMatch(TOKEN_SHAPE);
  });

  it("no client secret, access token, bot or app token or signing secret in any log line, Slack message or stdio", () => {
    collectStdio();
    // The suite must have produced the evidence it claims to check.
    expect(evidence.lines.length).toBeGreaterThan(200);
    const records = evidence.lines.map((l) => JSON.parse(l) as { level: number; component?: string });
    expect(records.some((r) => r.level === 20)).toBe(true); // debug lines were written
    expect(records.some((r) => r.component === "slack")).toBe(true); // Bolt / web-api lines too
    expect(evidence.socketBots).toBeGreaterThanOrEqual(1);
    expect(evidence.tokens.size).toBeGreaterThanOrEqual(10);
    expect(evidence.slack.length).toBeGreaterThan(20);
    for (const s of [CLIENT_SECRET, SIGNING_SECRET]) expect(secrets()).toContain(s);
    expect([...evidence.slackSecrets].some((s) => s.startsWith("xapp-"))).toBe(true);
    expect([...evidence.slackSecrets].some((s) => s.startsWith("xoxb-"))).toBe(true);

    expect(leaks(evidence.lines, secrets())).toEqual([]);
    expect(leaks(evidence.slack, secrets())).toEqual([]);
    expect(leaks(evidence.stdio, secrets())).toEqual([]);
    // Tokens the bot never reported (none should exist) would still have the emulator's shape.
    expect(evidence.httpLines.filter((l) => TOKEN_SHAPE.test(l))).toEqual([]);
    expect(evidence.slack.filter((l) => TOKEN_SHAPE.test(l) && !l.includes('"envelope_id"'))).toEqual([]);
    expect(evidence.lines.filter((l) => /Bearer\s+(?!\[redacted\])\S{8,}/.test(l))).toEqual([]);
    expect(evidence.lines.filter((l) => l.includes("unhandled error in a Slack listener"))).toEqual([]);
  });
});
