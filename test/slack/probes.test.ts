/**
 * /healthz and /readyz in HTTP mode (Socket Mode's are in socket.test.ts and socket-outage.test.ts),
 * and the sentences /readyz gives when it says no.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notReadyReason } from "../../src/slack/probes.js";
import { getJson, type Harness, startHarness } from "./harness.js";

describe("probes in HTTP mode", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("GET /readyz: 200 once listening", async () => {
    expect(await getJson(`${h.base}/readyz`)).toEqual({
      status: 200,
      body: { ready: true, slack: { mode: "http", state: "listening", since: expect.any(String) } },
    });
  });

  it("GET /healthz keeps its fields and tells the link to Slack", async () => {
    expect(await getJson(`${h.base}/healthz`)).toMatchObject({
      status: 200,
      body: { ready: true, gluu: { ok: null }, slack: { mode: "http", state: "listening" } },
    });
  });
});

describe("notReadyReason", () => {
  const at = Date.UTC(2026, 0, 1);
  it("says how long the socket has been down and why, in one line", () => {
    const reason = notReadyReason(
      {
        mode: "socket",
        state: "reconnecting",
        since: at,
        attempts: 4,
        error: "A request error occurred: fetch failed",
      },
      true,
      at + 12_400,
    );
    expect(reason).toBe(
      "Socket Mode connection to Slack down for 12 s (A request error occurred: fetch failed); reconnecting",
    );
  });

  it("names start-up and shutdown", () => {
    expect(notReadyReason({ mode: "socket", state: "connecting", since: at }, false, at)).toBe(
      "connecting to Slack (Socket Mode)",
    );
    expect(notReadyReason({ mode: "http", state: "stopped", since: at }, false, at)).toBe("shutting down");
    expect(notReadyReason({ mode: "http", state: "starting", since: at }, false, at)).toBe("starting");
  });
});
