/** Fault injection, counters, the request log, HTTPS and closing, over real sockets on loopback. */
import { readFileSync } from "node:fs";
import { Agent, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { basic, call, emulator, stat, token, tokenPath } from "./helpers.js";

const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

describe("faults", () => {
  it("delays answers by delayMs", async () => {
    const e = await emulator({ intervalLimitS: 0 });
    const t = await token(e);
    e.faults = { delayMs: 300 };
    const started = Date.now();
    const a = await stat(e, t, "month=202111");
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(a.status).toBe(200);
    // The default target is the stat endpoint only.
    const tokenStarted = Date.now();
    await token(e);
    expect(Date.now() - tokenStarted).toBeLessThan(250);
  });

  it("answers a status the given number of times, then recovers", async () => {
    const e = await emulator({ intervalLimitS: 0 });
    const t = await token(e);
    e.faults = { status: 503, times: 2 };
    const first = await stat(e, t, "month=202111");
    expect(first.status).toBe(503);
    expect(first.headers["content-type"]).toMatch(/^text\/html/);
    expect(first.text).toContain("<title>503 Service Unavailable</title>");
    expect((await stat(e, t, "month=202111")).status).toBe(503);
    expect((await stat(e, t, "month=202111")).status).toBe(200);
    expect(e.faults.times).toBe(0);
    expect(e.counters.stat).toBe(3);
    expect(e.counters.statOk).toBe(1);
  });

  it("answers 500 as the server does: an empty JSON body", async () => {
    const e = await emulator({ intervalLimitS: 0 });
    const t = await token(e);
    e.faults = { status: 500 };
    for (let i = 0; i < 3; i++) {
      const a = await stat(e, t, "month=202111");
      expect(a.status).toBe(500);
      expect(a.headers["content-type"]).toBe("application/json");
      expect(a.text).toBe("");
    }
    e.faults = {};
    expect((await stat(e, t, "month=202111")).status).toBe(200);
  });

  it("answers 502 with the proxy's page and 401 with the server's body", async () => {
    const e = await emulator({ intervalLimitS: 0 });
    const t = await token(e);
    e.faults = { status: 502, times: 1 };
    expect((await stat(e, t, "month=202111")).text).toContain("Proxy Error");
    e.faults = { status: 401, times: 1 };
    const denied = await stat(e, t, "month=202111");
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.text)).toEqual({ error: "access_denied", error_description: "access_denied" });
  });

  it("sends a garbled 200 that is neither JSON nor the text format", async () => {
    const e = await emulator({ intervalLimitS: 0 });
    const t = await token(e);
    e.faults = { garbage: true };
    const a = await stat(e, t, "month=202111&format=openmetrics");
    expect(a.status).toBe(200);
    expect(() => JSON.parse(a.text)).toThrow();
    expect(a.text.split("\n")[0]).not.toMatch(/^(#|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+$)/);
    expect(e.counters.statOk).toBe(0);
  });

  it("sends exactly oversizeBytes bytes, chunked, as valid JSON", async () => {
    const e = await emulator({ intervalLimitS: 0 });
    const t = await token(e);
    e.faults = { oversizeBytes: 3 * 1024 * 1024 + 7 };
    const a = await stat(e, t, "month=202111");
    expect(a.status).toBe(200);
    expect(a.headers["content-length"]).toBeUndefined();
    expect(Buffer.byteLength(a.text)).toBe(3 * 1024 * 1024 + 7);
    expect(JSON.parse(a.text)).toMatchObject({ response: {} });
    e.faults = { oversizeBytes: 5 };
    expect((await stat(e, t, "month=202111")).text).toBe("xxxxx");
  });

  it("survives a client that gives up on an oversized body halfway", async () => {
    const e = await emulator({ intervalLimitS: 0 });
    const t = await token(e);
    e.faults = { oversizeBytes: 512 * 1024 * 1024 };
    const res = await request(`${e.url}${e.statPath}?month=202111`, {
      headers: { authorization: `Bearer ${t}` },
    });
    let received = 0;
    for await (const chunk of res.body) {
      received += (chunk as Buffer).length;
      if (received > 1024 * 1024) break;
    }
    expect(received).toBeGreaterThan(1024 * 1024);
    // The emulator is still healthy and answers the next request.
    e.faults = {};
    expect((await stat(e, t, "month=202111")).status).toBe(200);
  });

  it("resets the connection without answering", async () => {
    const e = await emulator({ intervalLimitS: 0 });
    const t = await token(e);
    e.faults = { reset: true, times: 1 };
    await expect(stat(e, t, "month=202111")).rejects.toThrow(/other side closed|socket|reset/i);
    expect(e.requests.at(-1)).toMatchObject({ path: e.statPath, status: 0 });
    expect((await stat(e, t, "month=202111")).status).toBe(200);
  });

  it("targets the token endpoint, discovery or everything when told to", async () => {
    const e = await emulator({ intervalLimitS: 0 });
    const t = await token(e);
    e.faults = { status: 500, target: "token" };
    await expect(token(e)).rejects.toThrow(/token: 500/);
    expect((await stat(e, t, "month=202111")).status).toBe(200);
    e.faults = { status: 503, target: "discovery" };
    expect((await call(e, "/.well-known/openid-configuration")).status).toBe(503);
    expect((await stat(e, t, "month=202111")).status).toBe(200);
    e.faults = { status: 503, target: "all" };
    expect((await call(e, "/.well-known/openid-configuration")).status).toBe(503);
    expect((await stat(e, t, "month=202111")).status).toBe(503);
    expect((await call(e, "/anything")).status).toBe(503);
  });

  it("does not let a faulted request use the Gluu 4.x interval", async () => {
    const e = await emulator({ family: "gluu4", intervalLimitS: 60 });
    const t = await token(e);
    e.faults = { status: 503, times: 1 };
    expect((await stat(e, t, "month=202111")).status).toBe(503);
    expect((await stat(e, t, "month=202111")).status).toBe(200);
  });
});

describe("counters and the request log", () => {
  it("counts requests by endpoint and logs them without secrets", async () => {
    let now = 1_000;
    const e = await emulator({ family: "janssen", now: () => now });
    await call(e, "/.well-known/openid-configuration");
    const t = await token(e);
    now = 2_000;
    await stat(e, t, "month=202110+202111&format=openmetrics");
    await call(e, `${e.statPath}?month=202111`);
    await call(e, `${tokenPath(e)}?client_secret=leak&x=1`, {
      headers: { authorization: basic("stat-client", "stat-secret") },
      form: "grant_type=client_credentials&client_secret=body-secret",
    });
    expect(e.counters).toEqual({ discovery: 1, token: 2, stat: 2, statOk: 1, stat403: 0, statMonths: 2 });
    expect(e.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", "/.well-known/openid-configuration", 200],
      ["POST", tokenPath(e), 200],
      ["GET", e.statPath, 200],
      ["GET", e.statPath, 401],
      ["POST", tokenPath(e), 200],
    ]);
    expect(e.requests[2]).toEqual({
      method: "GET",
      path: e.statPath,
      query: "month=202110+202111&format=openmetrics",
      status: 200,
      at: 2_000,
    });
    const logged = JSON.stringify(e.requests);
    expect(logged).not.toContain("stat-secret");
    expect(logged).not.toContain("leak");
    expect(logged).not.toContain("body-secret");
    expect(logged).not.toContain(t);
    expect(e.requests[4]?.query).toBe("client_secret=***&x=1");

    e.resetCounters();
    expect(e.counters).toEqual({ discovery: 0, token: 0, stat: 0, statOk: 0, stat403: 0, statMonths: 0 });
    expect(e.requests).toEqual([]);
  });

  it("reports each logged request to onRequest", async () => {
    const seen: string[] = [];
    const e = await emulator({ onRequest: (r) => seen.push(`${r.method} ${r.path} ${r.status}`) });
    await call(e, "/nowhere");
    expect(seen).toEqual(["GET /nowhere 404"]);
  });
});

describe("HTTPS", () => {
  const tls = {
    key: readFileSync(new URL("../fixtures/tls/server.key", import.meta.url), "utf8"),
    cert: readFileSync(new URL("../fixtures/tls/server.pem", import.meta.url), "utf8"),
  };
  const ca = readFileSync(new URL("../fixtures/tls/ca.pem", import.meta.url), "utf8");

  it("serves the whole flow over TLS to a client that trusts the fixture CA", async () => {
    const e = await emulator({ family: "janssen", tls });
    expect(e.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const agent = new Agent({ connect: { ca } });
    agents.push(agent);
    const discovery = await call(e, "/.well-known/openid-configuration", { dispatcher: agent });
    expect((JSON.parse(discovery.text) as { token_endpoint: string }).token_endpoint).toBe(
      `${e.url}${tokenPath(e)}`,
    );
    const issued = await call(e, tokenPath(e), {
      dispatcher: agent,
      headers: { authorization: basic("stat-client", "stat-secret") },
      form: "grant_type=client_credentials&scope=jans_stat",
    });
    const t = (JSON.parse(issued.text) as { access_token: string }).access_token;
    const a = await call(e, `${e.statPath}?month=202111`, {
      dispatcher: agent,
      headers: { authorization: `Bearer ${t}` },
    });
    expect(a.status).toBe(200);
  });

  it("is refused by a client that does not trust the CA", async () => {
    const e = await emulator({ tls });
    await expect(call(e, "/.well-known/openid-configuration")).rejects.toThrow(/certificate/i);
  });
});

describe("close", () => {
  it("closes kept-alive and pending connections, delays included, and refuses new ones", async () => {
    const e = await startEmulator({ family: "gluu4" });
    const url = e.url;
    await call(e, "/.well-known/openid-configuration");
    e.faults = { delayMs: 60_000, target: "all" };
    const pending = call(e, "/.well-known/openid-configuration").then(
      () => "answered",
      () => "failed",
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await e.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await pending).toBe("failed");
    await expect(request(`${url}/.well-known/openid-configuration`)).rejects.toThrow(/ECONNREFUSED|connect/i);
    await e.close();
  });
});

describe("default data", () => {
  it("serves 24 months ending with the current one, the current one partial", async () => {
    const now = Date.UTC(2025, 10, 16); // halfway through November 2025
    const e = await emulator({ family: "janssen", now: () => now, data: undefined });
    const t = await token(e);
    const a = await stat(e, t, "start-month=202311&end-month=202512");
    const months = (
      JSON.parse(a.text) as { response: Array<{ month: string; monthly_active_users: number }> }
    ).response;
    const byMonth = new Map(months.map((m) => [m.month, m.monthly_active_users]));
    expect([...byMonth.keys()].sort()[0]).toBe("202312");
    expect(byMonth.size).toBe(24);
    expect(byMonth.has("202512")).toBe(false);
    expect(byMonth.get("202511")).toBeLessThan((byMonth.get("202510") ?? 0) * 0.8);
  });

  it("copes with a test clock near the epoch", async () => {
    const e = await emulator({ now: () => 0, data: undefined, intervalLimitS: 0 });
    const a = await stat(e, await token(e), "month=200112");
    expect(JSON.parse(a.text)).toHaveProperty(["response", "200112"]);
  });
});
