/**
 * The stat client against the emulator over real HTTP on loopback: token reuse, single flight,
 * auto-detection, the Gluu 4.x interval limit, 401 refresh and every failure mode.
 */
import { readFileSync } from "node:fs";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../src/emulator/index.js";
import { GluuError, type GluuStack } from "../../src/gluu/index.js";
import { addMonths, month, monthAt, monthRange } from "../../src/months.js";
import { CLIENT_ID, CLIENT_SECRET, stackFor } from "../support/gluu.js";

const tls = {
  key: readFileSync(new URL("../fixtures/tls/server.key", import.meta.url), "utf8"),
  cert: readFileSync(new URL("../fixtures/tls/server.pem", import.meta.url), "utf8"),
};
const CA = readFileSync(new URL("../fixtures/tls/ca.pem", import.meta.url), "utf8");

const current = monthAt(Date.now());
const lastMonth = addMonths(current, -1);
const trend = monthRange(addMonths(lastMonth, -11), lastMonth);

const open: Array<{ close(): Promise<void> }> = [];
async function emulator(opts: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const e = await startEmulator({ family: "janssen", ...opts });
  open.push(e);
  return e;
}
function stack(e: Emulator, overrides: Parameters<typeof stackFor>[1] = {}): GluuStack {
  const s = stackFor(e, overrides);
  open.push(s);
  return s;
}
async function failure(p: Promise<unknown>): Promise<GluuError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(GluuError);
    return err as GluuError;
  }
  throw new Error("expected a failure");
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

describe.each(["janssen", "gluu4"] as const)("stat client against %s", (family) => {
  it("answers 100 concurrent identical queries with one stat request and one token", async () => {
    const e = await emulator({ family, intervalLimitS: 60 });
    const s = stack(e);
    const results = await Promise.all(Array.from({ length: 100 }, () => s.service.get(trend)));
    // Janssen: one request. Gluu 4.x: the same, detection's 404 at the Janssen path aside.
    expect(e.counters.statOk).toBe(1);
    expect(e.counters.token).toBe(1);
    expect(results.every((r) => r.months.length + r.noData.length === 12)).toBe(true);
  });

  it("fetches a 12-month trend in one request cold and none warm", async () => {
    const e = await emulator({ family, intervalLimitS: 60 });
    const s = stack(e);
    const cold = await s.service.get(trend);
    expect(e.counters.statOk).toBe(1);
    expect(e.counters.statMonths).toBeGreaterThanOrEqual(12);
    const warm = await s.service.get(trend);
    expect(e.counters.statOk).toBe(1);
    expect(warm.months).toEqual(cold.months);
  });

  it("reuses one token across requests until it expires", async () => {
    const e = await emulator({ family, intervalLimitS: 0 });
    const s = stack(e, { minIntervalS: 0 });
    // With GLUU_MIN_INTERVAL_S=0 the current month is never reused: every get is a request.
    for (let i = 0; i < 5; i++) await s.service.get([current]);
    expect(e.counters.token).toBe(1);
    expect(e.counters.statOk).toBe(5);
  });

  it("refreshes a revoked token once and retries once", async () => {
    const e = await emulator({ family, intervalLimitS: 0 });
    const s = stack(e, { minIntervalS: 0 });
    await s.service.get([lastMonth]);
    e.revokeTokens();
    const r = await s.service.get([current]);
    expect(r.months.length + r.noData.length).toBe(1);
    expect(e.counters.token).toBe(2);
  });
});

describe("server families", () => {
  it("auto-detects Gluu 4.x after a 404 at the Janssen path and remembers it", async () => {
    const e = await emulator({ family: "gluu4", intervalLimitS: 0 });
    const s = stack(e, { minIntervalS: 0 });
    await s.service.get([lastMonth]);
    await s.service.get([current]);
    expect(s.client.knownEndpoint?.family).toBe("gluu4");
    const statPaths = e.requests.filter((r) => r.path.endsWith("/internal/stat")).map((r) => r.path);
    expect(statPaths).toEqual([
      "/jans-auth/restv1/internal/stat",
      "/oxauth/restv1/internal/stat",
      "/oxauth/restv1/internal/stat",
    ]);
  });

  it("asks for OpenMetrics when configured and parses it", async () => {
    const e = await emulator({ family: "gluu4", intervalLimitS: 0 });
    const json = await stack(e, { minIntervalS: 0 }).service.get(trend);
    const om = await stack(e, { minIntervalS: 0, statFormat: "openmetrics" }).service.get(trend);
    expect(om.months).toEqual(json.months);
    expect(e.requests.some((r) => r.query.includes("format=openmetrics"))).toBe(true);
  });

  it("authenticates with client_secret_post when the client is registered that way", async () => {
    const e = await emulator({
      clients: [
        {
          id: "post-client",
          secret: "p0st s3cret&=",
          authMethod: "client_secret_post",
          scopes: ["jans_stat"],
        },
      ],
    });
    const s = stackFor(e, {
      clientId: "post-client",
      clientSecret: "p0st s3cret&=",
      authMethod: "client_secret_post",
    });
    open.push(s);
    const r = await s.service.get([lastMonth]);
    expect(r.months.length + r.noData.length).toBe(1);
  });
});

describe("Gluu 4.x interval limit", () => {
  it("sends a request when it is needed and retries after 1 s on a 403", async () => {
    const e = await emulator({ family: "gluu4", intervalLimitS: 1 });
    const s = stack(e, { minIntervalS: 1 });
    await s.service.get([lastMonth]);
    const started = Date.now();
    // Outside the first request's neighbourhood: a request of its own, refused once.
    const r = await s.service.get([addMonths(lastMonth, -40)]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.months.length + r.noData.length).toBe(1);
    expect(e.counters.stat403).toBe(1);
    expect(e.counters.statOk).toBe(2);
  });

  it("waits out the interval when another client used it, then succeeds", async () => {
    const e = await emulator({ family: "gluu4", intervalLimitS: 1 });
    const s = stack(e, { minIntervalS: 1, statUrl: `${e.url}/oxauth/restv1/internal/stat` });
    // Another client (the admin UI, the official exporter) takes the interval first.
    const token = await s.client.tokens.get();
    const other = await request(`${e.url}/oxauth/restv1/internal/stat?month=202001`, {
      headers: { authorization: `Bearer ${token.value}` },
    });
    await other.body.text();
    expect(other.statusCode).toBe(200);
    const r = await s.service.get([lastMonth]);
    expect(r.months.length + r.noData.length).toBe(1);
    expect(e.counters.stat403).toBe(1);
  });

  it("does not use the interval for doctor's probe", async () => {
    const e = await emulator({ family: "gluu4", intervalLimitS: 60 });
    const s = stack(e);
    const probe = await s.client.probe();
    expect(probe.endpoint.family).toBe("gluu4");
    expect(probe.tokenAccepted).toBe(true);
    const started = Date.now();
    await s.service.get([lastMonth]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(e.counters.stat403).toBe(0);
  });
});

describe("failures become errors a person can act on", () => {
  it("times out a slow server", async () => {
    const e = await emulator();
    e.faults = { delayMs: 2000 };
    const err = await failure(stack(e, { timeoutMs: 300 }).service.get([lastMonth]));
    expect(err.code).toBe("timeout");
    expect(err.message).toMatch(/did not answer within/);
  });

  it("rejects a garbled body", async () => {
    const e = await emulator();
    e.faults = { garbage: true };
    expect((await failure(stack(e).service.get([lastMonth]))).code).toBe("bad_response");
  });

  it("caps the body size", async () => {
    const e = await emulator();
    e.faults = { oversizeBytes: 10 * 1024 * 1024 };
    const err = await failure(stack(e, { maxBodyBytes: 1024 * 1024 }).service.get([lastMonth]));
    expect(err.code).toBe("too_large");
  });

  it("reports a 500 and recovers when it clears", async () => {
    const e = await emulator();
    e.faults = { status: 500, times: 1 };
    const s = stack(e);
    expect((await failure(s.service.get([lastMonth]))).code).toBe("server");
    const r = await s.service.get([lastMonth]);
    expect(r.months.length + r.noData.length).toBe(1);
  });

  it("reports a reset connection", async () => {
    const e = await emulator();
    e.faults = { reset: true };
    expect((await failure(stack(e).service.get([lastMonth]))).code).toBe("network");
  });

  it("reports a server that is down", async () => {
    const e = await emulator();
    const url = e.url;
    await e.close();
    const s = stackFor(e, { url });
    open.push(s);
    const err = await failure(s.service.get([lastMonth]));
    expect(err.code).toBe("network");
    expect(err.message).toMatch(/connection refused/);
  });

  it("says when client authentication fails, without the secret", async () => {
    const e = await emulator();
    const s = stackFor(e, { clientSecret: "wrong-secret-value" });
    open.push(s);
    const err = await failure(s.service.get([lastMonth]));
    expect(err.code).toBe("auth");
    expect(err.message).toMatch(/check GLUU_CLIENT_ID\/GLUU_CLIENT_SECRET/);
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain("wrong-secret-value");
  });

  it("says when the client lacks the stat scope", async () => {
    const e = await emulator({
      clients: [
        { id: CLIENT_ID, secret: CLIENT_SECRET, authMethod: "client_secret_basic", scopes: ["openid"] },
      ],
    });
    const err = await failure(stack(e).service.get([lastMonth]));
    expect(err.code).toBe("scope");
    expect(err.message).toMatch(/lacks scope jans_stat/);
  });

  it("says when GLUU_URL is not the issuer", async () => {
    const e = await emulator();
    const s = stackFor(e, { url: `${e.url}/not-the-issuer` });
    open.push(s);
    const err = await failure(s.service.get([lastMonth]));
    expect(err.message).toMatch(/is GLUU_URL the issuer\?/);
  });
});

describe("TLS", () => {
  it("refuses an untrusted certificate and says how to fix it", async () => {
    const e = await emulator({ tls });
    const err = await failure(stack(e).service.get([lastMonth]));
    expect(err.code).toBe("tls");
    expect(err.message).toMatch(/certificate not trusted.*set GLUU_CA_FILE/);
  });

  it("trusts the CA of GLUU_CA_FILE in addition to the system CAs", async () => {
    const e = await emulator({ tls });
    const r = await stack(e, { ca: CA }).service.get([lastMonth]);
    expect(r.months.length + r.noData.length).toBe(1);
  });

  it("skips verification only when told to", async () => {
    const e = await emulator({ tls });
    const r = await stack(e, { tlsInsecure: true }).service.get([lastMonth]);
    expect(r.months.length + r.noData.length).toBe(1);
  });
});

describe("months", () => {
  it("marks months the server has no data for as no data, not zero", async () => {
    const e = await emulator();
    e.setData([]);
    const r = await stack(e).service.get([month(2020, 1), month(2020, 2)]);
    expect(r.months).toEqual([]);
    expect(r.noData).toEqual([month(2020, 1), month(2020, 2)]);
  });
});
