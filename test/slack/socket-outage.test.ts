/**
 * Socket Mode when Slack cannot be reached: the real server (`startServer`) against the Slack
 * double over loopback, with the double made unreachable (every TCP connection reset, the
 * WebSocket cut) or answering 503. The bot must stay up, retry with back-off for as long as the
 * outage lasts, say so once, report not-ready on /readyz, and answer again soon after Slack is back.
 *
 * Before the fix, @slack/socket-mode's own reconnection let a WebAPIRequestError escape as an
 * unhandled rejection about 8.5 s into the outage, which ends a real process (exit code 1).
 */
import { afterEach, describe, expect, it } from "vitest";
import { isoMonth } from "../../src/months.js";
import type { RecordedResponse } from "../../src/slack-double/index.js";
import { failOnUnhandled } from "../support/unhandled.js";
import { ago, getJson, type Harness, type LogRecord, mauText, startHarness, until } from "./harness.js";

failOnUnhandled();

const OUTAGE_WARNING = "Slack is unreachable";
const BACK_INFO = "Slack is reachable again";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Log records written since `from` (an index into the capture) at warn or above. */
function loudSince(harness: Harness, from: number): LogRecord[] {
  return harness.logs.records.slice(from).filter((r) => r.level >= 40);
}

async function readyz(harness: Harness) {
  return getJson(`${harness.base}/readyz`);
}

/** Sends a command once the socket is back and waits for its answer; returns when it was delivered. */
/** The answer (in the ack, or at the response_url) and when it arrived. */
async function answered(harness: Harness, text: string, timeoutMs: number): Promise<RecordedResponse> {
  await harness.double.socket.connected(timeoutMs);
  const sent = await harness.command(text);
  return harness.reply(sent.path, timeoutMs);
}

describe("Socket Mode through an outage of Slack", () => {
  it("a 60 s outage: stays up, warns once, /readyz 503 then 200, answers within 10 s of Slack's return", async () => {
    h = await startHarness({ socket: true });
    const harness = h;
    await harness.double.socket.connected();
    expect((await readyz(harness)).status).toBe(200);
    await answered(harness, isoMonth(ago(1)), 5_000);

    const logsBefore = harness.logs.lines.length;
    const down = Date.now();
    harness.double.setReachable(false);

    const during = await until(
      () => (harness.server.slack.link().state === "reconnecting" ? true : undefined),
      5_000,
      "the app to notice the outage",
    );
    expect(during).toBe(true);
    // The whole outage: /readyz says no (one line of JSON with a reason), /healthz stays 200.
    const samples: number[] = [];
    while (Date.now() - down < 60_000) {
      const r = await readyz(harness);
      samples.push(r.status);
      await sleep(5_000);
    }
    expect(new Set(samples)).toEqual(new Set([503]));
    const notReady = await getJson(`${harness.base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({
      ready: false,
      reason: expect.stringMatching(/^Socket Mode connection to Slack down for \d+ s \(.+\); reconnecting$/),
      slack: { mode: "socket", state: "reconnecting", attempts: expect.any(Number) },
    });
    expect(JSON.stringify(notReady.body)).not.toContain("\n");
    const health = await getJson(`${harness.base}/healthz`);
    expect(health).toMatchObject({
      status: 200,
      body: { ready: true, gluu: { ok: true }, slack: { state: "reconnecting" } },
    });

    const back = Date.now();
    harness.double.setReachable(true);
    const reply = await answered(harness, isoMonth(ago(2)), 10_000);
    const answerMs = reply.at - back;
    expect(answerMs).toBeLessThan(10_000);
    expect((await readyz(harness)).status).toBe(200);
    expect(reply.body.text).toContain(mauText(ago(2)));

    // One warning when the outage began, nothing louder meanwhile, one info line at the end.
    const loud = loudSince(harness, logsBefore);
    expect(loud.map((r) => r.msg)).toEqual([expect.stringContaining(OUTAGE_WARNING)]);
    const backLines = harness.logs.records.slice(logsBefore).filter((r) => r.msg?.includes(BACK_INFO));
    expect(backLines).toHaveLength(1);
    const attempts = Number(backLines[0]?.attempts);
    // Back-off 1 s → 8 s over 60 s is about ten attempts: neither a hot loop nor giving up.
    expect(attempts).toBeGreaterThanOrEqual(5);
    expect(attempts).toBeLessThanOrEqual(20);
    expect(harness.double.refusedConnections).toBeGreaterThanOrEqual(attempts - 1);
    console.info(
      `60 s outage: answered ${answerMs} ms after Slack came back; ${attempts} connection attempts; ` +
        `${harness.double.refusedConnections} connections reset; ${loud.length} warning line(s)`,
    );
  }, 90_000);

  it("a 3 s outage answering HTTP 503: reconnects, warns once, answers again", async () => {
    h = await startHarness({ socket: true });
    const harness = h;
    await harness.double.socket.connected();
    const logsBefore = harness.logs.lines.length;
    harness.double.faults = { method: "apps.connections.open", status: 503 };
    harness.double.socket.drop();
    await until(
      () => (harness.server.slack.link().state === "reconnecting" ? true : undefined),
      5_000,
      "the app to notice the outage",
    );
    await sleep(3_000);
    const failed = harness.double.calls.filter(
      (c) => c.method === "apps.connections.open" && c.status === 503,
    );
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect((await readyz(harness)).body).toMatchObject({
      ready: false,
      reason: expect.stringContaining("503"),
    });
    harness.double.faults = {};
    const back = Date.now();
    expect((await answered(harness, isoMonth(ago(3)), 10_000)).at - back).toBeLessThan(10_000);
    expect((await readyz(harness)).status).toBe(200);
    expect(loudSince(harness, logsBefore).map((r) => r.msg)).toEqual([
      expect.stringContaining(OUTAGE_WARNING),
    ]);
    expect(harness.logs.grep(BACK_INFO)).toHaveLength(1);
  });

  it("Slack's routine disconnect: reconnects at once, without a warning", async () => {
    h = await startHarness({ socket: true });
    const harness = h;
    await harness.double.socket.connected();
    const logsBefore = harness.logs.lines.length;
    harness.double.socket.sendDisconnect("refresh_requested");
    await until(
      () => (harness.double.socket.totalConnections === 2 ? true : undefined),
      5_000,
      "a reconnection",
    );
    await answered(harness, isoMonth(ago(4)), 5_000);
    expect(loudSince(harness, logsBefore)).toEqual([]);
    expect(harness.server.slack.link().state).toBe("connected");
  });

  it("stopping during an outage: stop() returns promptly, nothing escapes, no connection afterwards", async () => {
    h = await startHarness({ socket: true });
    const harness = h;
    await harness.double.socket.connected();
    harness.double.setReachable(false);
    await until(
      () => ((harness.server.slack.link().attempts ?? 0) >= 1 ? true : undefined),
      5_000,
      "a failed reconnection attempt",
    );
    // The app is now waiting 1–2 s before its next attempt.
    const started = Date.now();
    await harness.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(harness.server.slack.link().state).toBe("stopped");
    const opens = harness.double.refusedConnections;
    harness.double.setReachable(true);
    // Longer than the wait that was pending at stop(): a retry that survived it would have connected.
    await sleep(2_500);
    expect(harness.double.socket.totalConnections).toBe(1);
    expect(harness.double.calls.filter((c) => c.method === "apps.connections.open")).toHaveLength(1);
    expect(harness.double.refusedConnections).toBe(opens);
  }, 30_000);
});
