import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  gluuConfig,
  parseEnv,
  type ServerSet,
  SINGLE_SERVER,
  serverConfigs,
} from "../../src/config/index.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const readFile = (path: string): string => {
  if (path === "/etc/ca.pem") return PEM;
  if (path === "/etc/not-pem.txt") return "hello";
  throw new Error("ENOENT");
};

function servers(vars: Record<string, string>): ServerSet {
  return serverConfigs(parseEnv(vars), { readFile });
}

function problems(vars: Record<string, string>): string[] {
  try {
    servers(vars);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error(`expected ${JSON.stringify(vars)} to fail`);
}

const TWO = {
  GLUU_SERVERS: "prod,staging",
  GLUU_PROD_URL: "https://idp.example.com/",
  GLUU_PROD_CLIENT_ID: "prod-client",
  GLUU_PROD_CLIENT_SECRET: "prod-secret-value",
  GLUU_STAGING_URL: "https://staging.example.com",
  GLUU_STAGING_CLIENT_ID: "staging-client",
  GLUU_STAGING_CLIENT_SECRET: "staging-secret-value",
};

describe("one server, without GLUU_SERVERS", () => {
  const ONE = {
    GLUU_URL: "https://idp.example.com",
    GLUU_CLIENT_ID: "abc",
    GLUU_CLIENT_SECRET: "very-secret-value",
  };

  it("works as before: the GLUU_* variables, named after the issuer's host", () => {
    const set = servers({ ...ONE, GLUU_MIN_INTERVAL_S: "5", REPORT_CHANNEL: "C0REPORT01" });
    expect(set.single).toBe(true);
    expect(set.servers).toHaveLength(1);
    const [s] = set.servers;
    expect(s.name).toBe(SINGLE_SERVER);
    expect(s.displayName).toBe("idp.example.com");
    expect(s.gluu).toMatchObject({ url: "https://idp.example.com", clientId: "abc", minIntervalS: 5 });
    expect(s.reportChannels).toEqual(["C0REPORT01"]);
    expect(gluuConfig(parseEnv(ONE))).toEqual(servers(ONE).servers[0].gluu);
  });

  it("GLUU_NAME is its display name", () => {
    expect(servers({ ...ONE, GLUU_NAME: "Production IdP" }).servers[0].displayName).toBe("Production IdP");
  });

  it("a per-server variable without GLUU_SERVERS is reported, not ignored", () => {
    expect(problems({ ...ONE, GLUU_PROD_URL: "https://x.example.com" })).toEqual([
      "GLUU_PROD_URL: names no configured server (GLUU_SERVERS is not set); fix the name or add the server to GLUU_SERVERS",
    ]);
  });
});

describe("several servers", () => {
  it("reads each server's own variables, in GLUU_SERVERS order, the first the default", () => {
    const set = servers(TWO);
    expect(set.single).toBe(false);
    expect(set.servers.map((s) => s.name)).toEqual(["prod", "staging"]);
    expect(set.servers.map((s) => s.displayName)).toEqual(["prod", "staging"]);
    expect(set.servers[0].gluu).toMatchObject({
      url: "https://idp.example.com",
      clientId: "prod-client",
      clientSecret: "prod-secret-value",
    });
    expect(set.servers[1]?.gluu.clientId).toBe("staging-client");
    expect(gluuConfig(parseEnv(TWO)).clientId).toBe("prod-client");
  });

  it("an unprefixed setting is every server's default; a server's own wins", () => {
    const set = servers({
      ...TWO,
      GLUU_MIN_INTERVAL_S: "5",
      GLUU_STAGING_MIN_INTERVAL_S: "1",
      GLUU_STAT_FORMAT: "openmetrics",
      GLUU_MAU_LIMIT: "10000",
      GLUU_PROD_MAU_LIMIT: "50000",
      REPORT_CHANNEL: "C0GLOBAL01",
      GLUU_STAGING_REPORT_CHANNEL: "C0STAGE001",
      GLUU_PROD_NAME: "Production",
    });
    const [prod, staging] = set.servers;
    expect([prod.gluu.minIntervalS, staging?.gluu.minIntervalS]).toEqual([5, 1]);
    expect([prod.gluu.statFormat, staging?.gluu.statFormat]).toEqual(["openmetrics", "openmetrics"]);
    expect([prod.mauLimit, staging?.mauLimit]).toEqual([50_000, 10_000]);
    expect([prod.reportChannels, staging?.reportChannels]).toEqual([["C0GLOBAL01"], ["C0STAGE001"]]);
    expect([prod.displayName, staging?.displayName]).toEqual(["Production", "staging"]);
  });

  it("the access lists of a server narrow, they are not inherited from the global ones", () => {
    const set = servers({ ...TWO, ALLOWED_USER_IDS: "U01,U02", GLUU_STAGING_ALLOWED_USER_IDS: "U02" });
    expect(set.servers.map((s) => s.allowedUserIds)).toEqual([[], ["U02"]]);
  });

  it("a name with - is written with _ in its variables", () => {
    const set = servers({
      GLUU_SERVERS: "eu-west",
      GLUU_EU_WEST_URL: "https://eu.example.com",
      GLUU_EU_WEST_CLIENT_ID: "eu",
      GLUU_EU_WEST_CLIENT_SECRET: "eu-secret-value",
      GLUU_EU_WEST_CA_FILE: "/etc/ca.pem",
    });
    expect(set.servers[0]).toMatchObject({ name: "eu-west", gluu: { ca: PEM, caFile: "/etc/ca.pem" } });
  });

  it("names every missing and invalid per-server variable in full, without echoing values", () => {
    const found = problems({
      GLUU_SERVERS: "prod,staging",
      GLUU_PROD_URL: "ftp://nope.example.com",
      GLUU_PROD_CLIENT_ID: "x",
      GLUU_PROD_MIN_INTERVAL_S: "soon",
      GLUU_STAGING_CLIENT_SECRET: "hunter2-is-secret",
      GLUU_STAGING_CA_FILE: "/etc/not-pem.txt",
      GLUU_STAGING_AUTH_METHOD: "private_key_jwt",
    });
    const vars = found.map((p) => p.split(":")[0]);
    expect(vars).toEqual(
      expect.arrayContaining([
        "GLUU_PROD_URL",
        "GLUU_PROD_MIN_INTERVAL_S",
        "GLUU_PROD_CLIENT_SECRET",
        "GLUU_STAGING_AUTH_METHOD",
      ]),
    );
    expect(found.join("\n")).not.toContain("hunter2");
    expect(found.join("\n")).not.toContain("nope.example.com");
  });

  it("reports a missing URL, client and CA of a server whose values parse", () => {
    const found = problems({
      GLUU_SERVERS: "staging",
      GLUU_STAGING_CLIENT_SECRET: "s3cret-value",
      GLUU_STAGING_CA_FILE: "/etc/not-pem.txt",
    });
    expect(found.map((p) => p.split(":")[0])).toEqual([
      "GLUU_STAGING_URL",
      "GLUU_STAGING_CLIENT_ID",
      "GLUU_STAGING_CA_FILE",
    ]);
  });

  it.each([
    ["GLUU_URL", "https://idp.example.com"],
    ["GLUU_CLIENT_ID", "abc"],
    ["GLUU_CLIENT_SECRET", "abcdefgh"],
    ["GLUU_NAME", "Prod"],
  ])("an unprefixed %s next to GLUU_SERVERS is an error", (name, value) => {
    const found = problems({ ...TWO, [name]: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${name}: not used next to GLUU_SERVERS`));
    expect(found[0]).toContain(name.replace("GLUU_", "GLUU_PROD_"));
  });

  it("a variable for a server not listed is reported (a typo must not go unnoticed)", () => {
    expect(problems({ ...TWO, GLUU_STAGNG_URL: "https://x.example.com" })).toEqual([
      "GLUU_STAGNG_URL: names no configured server (GLUU_SERVERS lists prod, staging); fix the name or add the server to GLUU_SERVERS",
    ]);
    expect(problems({ ...TWO, GLUU_PROD_COLOUR: "blue" })[0]).toMatch(
      /^GLUU_PROD_COLOUR: not a setting of gluu-stats/,
    );
  });

  it.each([
    ["Prod", "is not a server name"],
    ["prod_eu", "is not a server name"],
    ["-prod", "is not a server name"],
    ["a-very-long-server-name", "is not a server name"],
    ["prod,prod", "is listed twice"],
    ["token", "makes its variables read like the global GLUU_TOKEN_URL"],
    ["client", "makes its variables read like the global GLUU_CLIENT_ID"],
    ["min", "makes its variables read like the global GLUU_MIN_INTERVAL_S"],
    ["stat", "makes its variables read like the global GLUU_STAT_URL"],
    ["a,a-token", "makes GLUU_A_TOKEN_URL, which is already server a"],
    ["trend", "cannot name a server: a command's first word names its server"],
    ["help", "cannot name a server"],
    ["2021", "cannot name a server"],
    ["all", "cannot name a server"],
    ["may", "cannot name a server: a command's first word names its server, and “may” is a month"],
    ["prod,dec", "“dec” is a month (`/gluu-stats dec` asks for it)"],
    ["sept", "is a month"],
    ["june", "is a month"],
  ])("GLUU_SERVERS=%s is refused: %s", (list, message) => {
    expect(problems({ GLUU_SERVERS: list }).join("\n")).toContain(message);
  });

  it("accepts 20 characters, digits and inner dashes", () => {
    const name = "prod-2-eu-west-1-abc";
    expect(name).toHaveLength(20);
    const upper = "PROD_2_EU_WEST_1_ABC";
    const set = servers({
      GLUU_SERVERS: name,
      [`GLUU_${upper}_URL`]: "https://idp.example.com",
      [`GLUU_${upper}_CLIENT_ID`]: "a",
      [`GLUU_${upper}_CLIENT_SECRET`]: "b-secret-value",
    });
    expect(set.servers[0].name).toBe(name);
  });
});

describe("random GLUU_* variable sets", () => {
  const NAMES = ["prod", "staging", "eu-west", "c1", "Prod", "token", "bad_name", "x-"];
  const VALID = new Set(["prod", "staging", "eu-west", "c1"]);
  const upper = (n: string) => n.toUpperCase().replaceAll("-", "_");
  type Value = "valid" | "invalid" | "absent";
  const value = fc.constantFrom<Value>("valid", "valid", "invalid", "absent");
  const serverArb = fc.record({
    url: value,
    id: fc.constantFrom<Value>("valid", "absent"),
    secret: fc.constantFrom<Value>("valid", "absent"),
    interval: value,
    format: value,
  });
  const setArb = fc.record({
    names: fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 4 }),
    settings: fc.array(serverArb, { minLength: 4, maxLength: 4 }),
    stray: fc.boolean(),
    unprefixedUrl: fc.boolean(),
    globalInterval: fc.constantFrom("7", undefined),
  });

  it("either load with every server complete or fail naming each problem", () => {
    fc.assert(
      fc.property(setArb, ({ names, settings, stray, unprefixedUrl, globalInterval }) => {
        const vars: Record<string, string> = { GLUU_SERVERS: names.join(",") };
        const expected: string[] = [];
        if (names.some((n) => !VALID.has(n))) expected.push("GLUU_SERVERS");
        if (stray) {
          vars.GLUU_NOSUCH_URL = "https://x.example.com";
          expected.push("GLUU_NOSUCH_URL");
        }
        if (unprefixedUrl) {
          vars.GLUU_URL = "https://global.example.com";
          expected.push("GLUU_URL");
        }
        if (globalInterval) vars.GLUU_MIN_INTERVAL_S = globalInterval;
        names.forEach((name, i) => {
          const s = settings[i];
          if (!s || !VALID.has(name)) return;
          const p = `GLUU_${upper(name)}_`;
          if (s.url !== "absent")
            vars[`${p}URL`] = s.url === "valid" ? `https://${name}.example.com` : "not a url";
          if (s.id === "valid") vars[`${p}CLIENT_ID`] = `${name}-id`;
          if (s.secret === "valid") vars[`${p}CLIENT_SECRET`] = `${name}-secret-value`;
          if (s.interval !== "absent") vars[`${p}MIN_INTERVAL_S`] = s.interval === "valid" ? "3" : "-1";
          if (s.format !== "absent") vars[`${p}STAT_FORMAT`] = s.format === "valid" ? "openmetrics" : "xml";
          const invalid = [
            ...(s.url === "invalid" ? ["URL"] : []),
            ...(s.interval === "invalid" ? ["MIN_INTERVAL_S"] : []),
            ...(s.format === "invalid" ? ["STAT_FORMAT"] : []),
          ];
          const missing = [
            ...(s.url === "absent" ? ["URL"] : []),
            ...(s.id === "absent" ? ["CLIENT_ID"] : []),
            ...(s.secret === "absent" ? ["CLIENT_SECRET"] : []),
          ];
          for (const setting of [...invalid, ...missing]) expected.push(`${p}${setting}`);
        });
        let result: ServerSet | undefined;
        let found: string[] = [];
        try {
          result = serverConfigs(parseEnv(vars), { readFile });
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          found = err.problems.map((p) => p.split(":")[0] ?? "");
        }
        if (expected.length === 0) {
          expect(result, JSON.stringify(found)).toBeDefined();
          expect(result?.servers.map((s) => s.name)).toEqual(names);
          result?.servers.forEach((server, i) => {
            const s = settings[i];
            expect(server.gluu.url).toBe(`https://${server.name}.example.com`);
            expect(server.gluu.clientId).toBe(`${server.name}-id`);
            expect(server.gluu.clientSecret).toBe(`${server.name}-secret-value`);
            const interval = s?.interval === "valid" ? 3 : globalInterval ? Number(globalInterval) : 60;
            expect(server.gluu.minIntervalS).toBe(interval);
            expect(server.gluu.statFormat).toBe(s?.format === "valid" ? "openmetrics" : "json");
          });
        } else {
          expect(result).toBeUndefined();
          expect(new Set(found)).toEqual(new Set(expected));
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

describe("secrets of several servers", () => {
  it("every server's client secret is redacted from the logs", async () => {
    const { createLogger } = await import("../../src/log.js");
    const { secretsOf } = await import("../../src/config/index.js");
    const env = parseEnv(TWO);
    expect(secretsOf(env)).toEqual(expect.arrayContaining(["prod-secret-value", "staging-secret-value"]));
    const lines: string[] = [];
    const log = createLogger({
      level: "info",
      destination: { write: (s: string) => void lines.push(s) },
      secrets: secretsOf(env),
    });
    log.info({ body: "client_secret=staging-secret-value" }, "token for prod-secret-value");
    await new Promise((done) => setTimeout(done, 10));
    expect(lines.join("")).not.toMatch(/prod-secret-value|staging-secret-value/);
    expect(lines.join("")).toContain("client_secret=");
  });
});
