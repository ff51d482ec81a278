/**
 * Failures as the person who asked sees them: one readable sentence with a reference that also
 * appears in the log line holding the details; never a stack trace, a token or a secret. And a
 * response_url that fails once, or asks to wait, still gets the answer.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT, type Faults } from "../../src/emulator/index.js";
import { isoMonth, monthLabel } from "../../src/months.js";
import { newRef } from "../../src/slack/failure.js";
import {
  ago,
  blockText,
  type Harness,
  type HarnessOptions,
  type LogRecord,
  mauText,
  re,
  SIGNING_SECRET,
  startHarness,
} from "./harness.js";

interface Scenario {
  readonly name: string;
  readonly options?: HarnessOptions;
  /** Set on the emulator before the command. */
  readonly faults?: Faults;
  /** Close the emulator before the command: the server is down. */
  readonly down?: boolean;
  /** The GluuError code the log line must carry. */
  readonly code: string;
  /** What the sentence must say. */
  readonly says: RegExp;
  /** The HTTP status the log line must record, where there was one to record. */
  readonly status?: number;
}

const WRONG_SECRET = "not-the-stat-secret-5f0c1d2e";

const SCENARIOS: readonly Scenario[] = [
  {
    name: "the Gluu server is down",
    down: true,
    code: "network",
    says: /cannot be reached right now .*Try again later\.$/,
  },
  {
    name: "a 500 from the stat endpoint",
    faults: { status: 500 },
    status: 500,
    code: "server",
    says: /reported an internal error\. Try again later\.$/,
  },
  {
    name: "a 502 page from the proxy",
    faults: { status: 502 },
    status: 502,
    code: "server",
    says: /reported an internal error/,
  },
  {
    name: "a garbage body",
    faults: { garbage: true },
    code: "bad_response",
    says: /sent an answer the bot cannot read/,
  },
  {
    name: "a body over GLUU_MAX_BODY_BYTES",
    options: { env: { GLUU_MAX_BODY_BYTES: "4096" } },
    faults: { oversizeBytes: 100_000 },
    code: "too_large",
    says: /sent an answer the bot cannot read .*larger than 4 KiB/,
  },
  {
    name: "a connection reset",
    faults: { reset: true },
    code: "network",
    says: /cannot be reached right now/,
  },
  {
    name: "a server slower than GLUU_TIMEOUT_MS",
    options: { env: { GLUU_TIMEOUT_MS: "300" } },
    faults: { delayMs: 2_000 },
    code: "timeout",
    says: /did not answer in time\. Try again in a minute\.$/,
  },
  {
    name: "a wrong client secret",
    options: { env: { GLUU_CLIENT_SECRET: WRONG_SECRET } },
    code: "auth",
    status: 401,
    says: /The bot cannot read statistics from .*client authentication failed.*Ask the admin of this bot to run `gluu-stats doctor`\.$/,
  },
  {
    name: "a client without the jans_stat scope",
    options: { emulator: { clients: [{ ...DEFAULT_CLIENT, scopes: ["openid"] }] } },
    code: "scope",
    says: /The bot cannot read statistics from .*lacks scope jans_stat.*gluu-stats doctor/,
  },
];

/** Strings that must never reach a person in Slack. */
function forbidden(h: Harness): string[] {
  return [
    h.env.GLUU_CLIENT_SECRET ?? "",
    h.env.SLACK_BOT_TOKEN ?? "",
    h.double.botToken,
    SIGNING_SECRET,
    DEFAULT_CLIENT.secret,
    WRONG_SECRET,
    "Bearer",
    "Basic ",
    "xoxb-",
    "node:internal",
    "node_modules",
    "file://",
    ".ts:",
    "GluuError",
    "stack",
  ].filter((s) => s !== "");
}

describe.each(["janssen", "gluu4"] as const)("failures against %s", (family) => {
  it.each(SCENARIOS)("$name: one sentence with a reference, found in the log with the details", async (s) => {
    const h = await startHarness({
      family,
      ...s.options,
      env: { GLUU_MIN_INTERVAL_S: "0", ...s.options?.env },
      emulator: { intervalLimitS: 0, ...s.options?.emulator },
    });
    try {
      if (s.down) await h.emulator.close();
      if (s.faults) h.emulator.faults = { ...s.faults };
      const host = new URL(h.emulator.url).host;
      const sent = await h.command(isoMonth(ago(2)));
      expect(sent.ack).toMatchObject({ status: 200, body: "" });
      const reply = await h.reply(sent.path, 8_000);
      const { body } = reply;
      expect(body.response_type).toBe("ephemeral");

      // The sentence: fallback text and the first block say the same single line.
      const sentence = String(body.text);
      expect(sentence).toMatch(s.says);
      expect(sentence).toContain(host);
      expect(sentence).not.toMatch(/[\r\n]/);
      expect(sentence.length).toBeLessThan(400);
      // What happened, then at most one sentence saying what to do.
      expect(sentence.split(/(?<=[.!?])\s+(?=[A-Z])/).length, sentence).toBeLessThanOrEqual(2);
      // No piece of the server's body: escapes, control or replacement characters, markup, JSON.
      expect(sentence).not.toMatch(/\\u|\\"|[\p{Cc}\ufffd]|&lt;|&gt;|\{"/u);
      const blocks = Array.isArray(body.blocks) ? body.blocks : [];
      expect(blocks).toHaveLength(2);
      expect(blockText({ blocks: blocks.slice(0, 1) })).toBe(`:warning: ${sentence}`);

      // The reference, and nothing a person should not see.
      const context = blockText({ blocks: blocks.slice(1) });
      // 7 or 8: see "the reference has the documented 8 characters" below.
      const ref = /^Reference `([A-Z0-9]{7,8})`: quote it to whoever runs this bot\.$/.exec(context)?.[1];
      expect(ref, context).toBeDefined();
      const everything = JSON.stringify(body);
      for (const f of forbidden(h)) expect(everything).not.toContain(f);
      expect(everything).not.toMatch(/\bat [\w.<>$]+ \(|\n\s+at /);

      // The same reference in exactly one log line, which holds the details.
      const lines = h.logs.grep(String(ref));
      expect(lines).toHaveLength(1);
      const record = JSON.parse(lines[0] ?? "{}") as LogRecord;
      expect(record).toMatchObject({
        level: 50,
        ref,
        code: s.code,
        query: "month",
        msg: `request failed (ref ${ref})`,
      });
      expect(record.message).toBeTypeOf("string");
      expect(String(record.message).length).toBeGreaterThan(10);
      if (s.status !== undefined) {
        expect(record.status).toBe(s.status);
        expect(String(record.url)).toContain(host);
      }
      // The log holds no secret either.
      const log = h.logs.lines.join("\n");
      for (const secret of [h.env.GLUU_CLIENT_SECRET ?? "", h.double.botToken, SIGNING_SECRET]) {
        expect(log).not.toContain(secret);
      }
      expect(log).not.toMatch(/Bearer [A-Za-z0-9-]{8,}/);
    } finally {
      await h.close();
    }
  });
});

describe("the reference", () => {
  // src/slack/failure.ts documents newRef() as "8 characters", but 5 random bytes are only 7
  // base64url characters, so `.slice(0, 8)` keeps 7. Fails until newRef draws 6 bytes.
  it("has the documented 8 characters, from A-Z and 0-9", () => {
    const refs = Array.from({ length: 200 }, () => newRef());
    for (const ref of refs) expect(ref).toMatch(/^[A-Z0-9]{8}$/);
    expect(new Set(refs).size).toBe(refs.length);
  });
});

describe("delivery to the response_url", () => {
  // A fresh bot each time: only an answer that needs the server goes to the response_url, and
  // the first answer brings the whole neighbourhood into the cache.
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h?.close();
  });

  it("Slack answering 500 once: the reply is retried and arrives", async () => {
    h.double.faults = { method: "response_url", status: 500, times: 1 };
    const m = ago(2);
    const sent = await h.command(isoMonth(m));
    const reply = await h.reply(sent.path, 8_000);
    expect(reply.body.text).toMatch(
      new RegExp(`^${re(monthLabel(m))}: ${re(mauText(m))} monthly active users`),
    );
    expect(h.postsAt(sent.path).map((p) => p.status)).toEqual([500, 200]);
    expect(h.logs.grep("could not deliver")).toEqual([]);
  });

  it("Slack answering 429 with Retry-After 1: the reply arrives after at least a second", async () => {
    h.double.faults = { method: "response_url", retryAfterS: 1, times: 1 };
    const m = ago(3);
    const sent = await h.command(isoMonth(m));
    const reply = await h.reply(sent.path, 8_000);
    const posts = h.postsAt(sent.path);
    expect(posts.map((p) => p.status)).toEqual([429, 200]);
    expect(reply.at - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(reply.body.text).toMatch(
      new RegExp(`^${re(monthLabel(m))}: ${re(mauText(m))} monthly active users`),
    );
  });

  it("an expired response_url (404) is not retried; the failure is logged, nothing crashes", async () => {
    h.double.faults = { method: "response_url", status: 404, error: "expired_url", times: 1 };
    const sent = await h.command(isoMonth(ago(4)));
    expect(sent.ack).toMatchObject({ status: 200, body: "" });
    await h.double.waitForResponses(1);
    // Longer than the poster's first back-off: a retry would have shown up by now.
    await new Promise((r) => setTimeout(r, 800));
    expect(h.postsAt(sent.path).map((p) => p.status)).toEqual([404]);
    const failed = h.logs.grep("could not deliver a reply");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain("expired_url");
    expect(h.logs.grep("unhandled error")).toEqual([]);
  });
});
