/** Discovery, the token endpoint and the stat endpoint's 401s, over HTTP on loopback. */
import { describe, expect, it } from "vitest";
import { basic, call, emulator, stat, token, tokenPath } from "./helpers.js";

const TERSE_DENIED = '{\n    "error_description": "access_denied",\n    "error": "access_denied"\n}';

describe.each(["gluu4", "janssen"] as const)("%s discovery", (family) => {
  it("points at the family's token endpoint, at the root and under the family path", async () => {
    const e = await emulator({ family });
    const prefix = family === "gluu4" ? "/oxauth" : "/jans-auth";
    for (const path of ["/.well-known/openid-configuration", `${prefix}/.well-known/openid-configuration`]) {
      const a = await call(e, path);
      expect(a.status).toBe(200);
      expect(a.headers["content-type"]).toBe("application/json");
      const doc = JSON.parse(a.text) as Record<string, unknown>;
      expect(doc.issuer).toBe(e.url);
      expect(doc.token_endpoint).toBe(`${e.url}${prefix}/restv1/token`);
      expect(doc.grant_types_supported).toContain("client_credentials");
      expect(doc.token_endpoint_auth_methods_supported).toEqual(
        expect.arrayContaining(["client_secret_basic", "client_secret_post"]),
      );
    }
    expect(e.counters.discovery).toBe(2);
    expect(e.statPath).toBe(`${prefix}/restv1/internal/stat`);
  });

  it("answers 404 at the other family's paths", async () => {
    const e = await emulator({ family });
    const other = family === "gluu4" ? "/jans-auth" : "/oxauth";
    expect((await call(e, `${other}/restv1/internal/stat?month=202111`)).status).toBe(404);
    expect((await call(e, `${other}/restv1/token`, { form: "grant_type=client_credentials" })).status).toBe(
      404,
    );
    expect(e.counters.stat).toBe(0);
    expect(e.counters.token).toBe(0);
  });
});

describe.each(["gluu4", "janssen"] as const)("%s token endpoint", (family) => {
  it("issues a client_credentials token with client_secret_basic", async () => {
    const e = await emulator({ family, tokenLifetimeS: 120 });
    const a = await call(e, tokenPath(e), {
      headers: { authorization: basic("stat-client", "stat-secret") },
      form: "grant_type=client_credentials&scope=jans_stat",
    });
    expect(a.status).toBe(200);
    expect(a.headers["cache-control"]).toBe("no-store");
    const body = JSON.parse(a.text) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.stringMatching(/^[0-9a-f-]{36}$/),
      token_type: family === "gluu4" ? "bearer" : "Bearer",
      expires_in: 120,
      scope: "jans_stat",
    });
    // org.json's HashMap order, compact.
    expect(a.text).toMatch(
      /^\{"access_token":"[^"]+","scope":"jans_stat","token_type":"[bB]earer","expires_in":120\}$/,
    );
    expect(e.counters.token).toBe(1);
  });

  it("issues different opaque tokens each time", async () => {
    const e = await emulator({ family });
    expect(await token(e)).not.toBe(await token(e));
  });

  it("authenticates client_secret_post clients from the body, URL-decoded", async () => {
    const e = await emulator({
      family,
      clients: [
        {
          id: "post client",
          secret: "p0st s3cret&=",
          authMethod: "client_secret_post",
          scopes: ["jans_stat"],
        },
      ],
    });
    const a = await call(e, tokenPath(e), {
      form: `grant_type=client_credentials&scope=jans_stat&client_id=post+client&client_secret=${encodeURIComponent("p0st s3cret&=")}`,
    });
    expect(a.status).toBe(200);
    expect(JSON.parse(a.text)).toMatchObject({ scope: "jans_stat" });
  });

  it("URL-decodes the Basic credentials (RFC 6749 2.3.1)", async () => {
    const e = await emulator({
      family,
      clients: [
        { id: "id:with@odd", secret: "s e:c%ret", authMethod: "client_secret_basic", scopes: ["jans_stat"] },
      ],
    });
    const ok = await call(e, tokenPath(e), {
      headers: { authorization: basic("id:with@odd", "s e:c%ret") },
      form: "grant_type=client_credentials&scope=jans_stat",
    });
    expect(ok.status).toBe(200);
    // Not encoded: the first colon splits, and "%re" is a malformed escape.
    const raw = `Basic ${Buffer.from("id:with@odd:s e:c%ret").toString("base64")}`;
    const bad = await call(e, tokenPath(e), {
      headers: { authorization: raw },
      form: "grant_type=client_credentials",
    });
    expect(bad.status).toBe(401);
  });

  it.each([
    ["a wrong secret", { authorization: basic("stat-client", "nope") }, "grant_type=client_credentials"],
    [
      "an unknown client",
      { authorization: basic("someone", "stat-secret") },
      "grant_type=client_credentials",
    ],
    ["no credentials", {}, "grant_type=client_credentials"],
    [
      "body credentials for a Basic client",
      {},
      "grant_type=client_credentials&client_id=stat-client&client_secret=stat-secret",
    ],
  ])("refuses %s with 401 invalid_client and a challenge", async (_, headers, form) => {
    const e = await emulator({ family });
    const a = await call(e, tokenPath(e), { headers, form });
    expect(a.status).toBe(401);
    expect(a.headers["www-authenticate"]).toBe(
      `Basic realm="${family === "gluu4" ? "oxAuth" : "jans-auth"}"`,
    );
    const body = JSON.parse(a.text) as Record<string, string>;
    expect(body.error).toBe("invalid_client");
    expect(body.error_description).toMatch(/^Client authentication failed/);
    expect(body.reason).toBeUndefined();
  });

  it("refuses Basic credentials for a client registered for client_secret_post", async () => {
    const e = await emulator({
      family,
      clients: [{ id: "pc", secret: "ps", authMethod: "client_secret_post", scopes: ["jans_stat"] }],
    });
    const a = await call(e, tokenPath(e), {
      headers: { authorization: basic("pc", "ps") },
      form: "grant_type=client_credentials",
    });
    expect(a.status).toBe(401);
  });

  it("adds the reason to the 401 body when errorReasonEnabled is on", async () => {
    const e = await emulator({ family, errorReasonEnabled: true });
    const a = await call(e, tokenPath(e), {
      headers: { authorization: basic("stat-client", "x") },
      form: "grant_type=client_credentials",
    });
    expect(JSON.parse(a.text)).toMatchObject({
      error: "invalid_client",
      reason: "Unable to authenticate client.",
    });
  });

  it("refuses other grant types and a missing one with 400", async () => {
    const e = await emulator({ family });
    const auth = { authorization: basic("stat-client", "stat-secret") };
    const other = await call(e, tokenPath(e), {
      headers: auth,
      form: "grant_type=password&username=a&password=b",
    });
    expect(other.status).toBe(400);
    expect(JSON.parse(other.text)).toMatchObject({ error: "unsupported_grant_type" });
    const missing = await call(e, tokenPath(e), { headers: auth, form: "scope=jans_stat" });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text)).toMatchObject({ error: "invalid_request" });
  });

  it("grants the intersection of the requested and the client's scopes, none when none asked", async () => {
    const e = await emulator({ family });
    const auth = { authorization: basic("stat-client", "stat-secret") };
    const scopeOf = async (form: string): Promise<string> =>
      (JSON.parse((await call(e, tokenPath(e), { headers: auth, form })).text) as { scope: string }).scope;
    expect(await scopeOf("grant_type=client_credentials&scope=openid+jans_stat+admin")).toBe(
      "openid jans_stat",
    );
    expect(await scopeOf("grant_type=client_credentials&scope=admin")).toBe("");
    expect(await scopeOf("grant_type=client_credentials")).toBe("");
  });

  it("answers 405 to a GET at the token endpoint", async () => {
    const e = await emulator({ family });
    expect((await call(e, tokenPath(e))).status).toBe(405);
  });
});

describe.each(["gluu4", "janssen"] as const)("%s stat endpoint authorization", (family) => {
  it("answers 401 with the terse body without a token, with an unknown one and with the wrong scheme", async () => {
    const e = await emulator({ family, intervalLimitS: 0 });
    const t = await token(e);
    const variants: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer not-a-token" },
      { authorization: "Bearer " },
      { authorization: basic("stat-client", "stat-secret") },
    ];
    for (const headers of variants) {
      const a = await call(e, `${e.statPath}?month=202111`, { headers });
      expect(a.status).toBe(401);
      expect(a.headers["content-type"]).toBe("application/json");
      expect(a.text).toBe(TERSE_DENIED);
    }
    // The scheme is matched without regard to case, as the server does.
    expect(
      (await call(e, `${e.statPath}?month=202111`, { headers: { authorization: `bearer ${t}` } })).status,
    ).toBe(200);
  });

  it("refuses a token without the stat scope, and says why only with errorReasonEnabled", async () => {
    const terse = await emulator({ family });
    const a = await stat(terse, await token(terse, "openid"), "month=202111");
    expect(a.status).toBe(401);
    expect(a.text).toBe(TERSE_DENIED);

    const chatty = await emulator({ family, errorReasonEnabled: true });
    const b = await stat(chatty, await token(chatty, "openid"), "month=202111");
    expect(b.status).toBe(401);
    expect(b.text).toBe(
      '{\n    "reason": "jans_stat scope is required for token.",\n    "error_description": "access_denied",\n    "error": "access_denied"\n}',
    );
    const c = await call(chatty, `${chatty.statPath}?month=202111`);
    expect(JSON.parse(c.text)).toMatchObject({ reason: "Can't find grant for authorization." });
  });

  it("uses the configured stat scope, matched as a substring of the granted scopes as the server does", async () => {
    const e = await emulator({
      family,
      statAuthorizationScope: "stats",
      clients: [
        {
          id: "stat-client",
          secret: "stat-secret",
          authMethod: "client_secret_basic",
          scopes: ["stats_read", "jans_stat"],
        },
      ],
    });
    expect((await stat(e, await token(e, "jans_stat"), "month=202111")).status).toBe(401);
    expect((await stat(e, await token(e, "stats_read"), "month=202111")).status).toBe(200);
  });

  it("expires tokens after their lifetime by the emulator's clock", async () => {
    let now = 1_700_000_000_000;
    const e = await emulator({
      family,
      now: () => now,
      tokenLifetimeS: 299,
      intervalLimitS: 0,
      errorReasonEnabled: true,
    });
    const t = await token(e);
    now += 299_000;
    expect((await stat(e, t, "month=202111")).status).toBe(200);
    now += 1;
    const expired = await stat(e, t, "month=202111");
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.text)).toMatchObject({ error: "access_denied", reason: "Token expired." });
  });

  it("forgets every token on revokeTokens", async () => {
    const e = await emulator({ family, intervalLimitS: 0 });
    const t = await token(e);
    expect((await stat(e, t, "month=202111")).status).toBe(200);
    e.revokeTokens();
    expect((await stat(e, t, "month=202111")).status).toBe(401);
    expect((await stat(e, await token(e), "month=202111")).status).toBe(200);
  });
});
