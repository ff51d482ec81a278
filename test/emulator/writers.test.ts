/**
 * The two writers against exact expected text: the seed document's sample (as a server writes
 * it, brace on the label line), Jackson's JSON shapes, the newer simpleclient variants, and
 * the shuffle that tests use to make sure nothing depends on order.
 */
import { describe, expect, it } from "vitest";
import { writeJson, writeOpenMetrics } from "../../src/emulator/index.js";
import { mulberry32 } from "../../src/emulator/random.js";
import { type MonthStats, tokenCounts } from "../../src/gluu/model.js";
import { month } from "../../src/months.js";

const seedStats: MonthStats[] = [
  {
    month: month(2021, 11),
    mau: 2,
    tokens: {
      authorization_code: tokenCounts({ access_token: 144, id_token: 144 }),
      client_credentials: tokenCounts({ access_token: 10 }),
    },
  },
];

/** The seed document's sample with its line breaks before `}` removed, as real servers write it. */
const SEED_OPENMETRICS = `# HELP refresh_token Refresh Token
# TYPE refresh_token counter
refresh_token{month="202111",grantType="authorization_code",} 0.0
refresh_token{month="202111",grantType="client_credentials",} 0.0
# HELP id_token Id Token
# TYPE id_token counter
id_token{month="202111",grantType="authorization_code",} 144.0
id_token{month="202111",grantType="client_credentials",} 0.0
# HELP monthly_active_users Monthly active users
# TYPE monthly_active_users counter
monthly_active_users{month="202111",} 2.0
# HELP access_token Access Token
# TYPE access_token counter
access_token{month="202111",grantType="authorization_code",} 144.0
access_token{month="202111",grantType="client_credentials",} 10.0
# HELP uma_token UMA Token
# TYPE uma_token counter
uma_token{month="202111",grantType="authorization_code",} 0.0
uma_token{month="202111",grantType="client_credentials",} 0.0
`;

const twoMonths: MonthStats[] = [
  ...seedStats,
  {
    month: month(2021, 12),
    mau: 10_000_000,
    tokens: {
      authorization_code: tokenCounts({ access_token: 12_345_678, id_token: 12_345_678, refresh_token: 3 }),
      "urn:ietf:params:oauth:grant-type:uma-ticket": tokenCounts({ uma_token: 7 }),
    },
  },
];

function sampleLines(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .sort();
}

describe("writeOpenMetrics", () => {
  it("reproduces the seed document's sample byte for byte, brace on the label line", () => {
    expect(writeOpenMetrics(seedStats)).toBe(SEED_OPENMETRICS);
  });

  it("writes Java doubles, 0.0 for kinds never counted, and samples in the map's order", () => {
    const text = writeOpenMetrics(twoMonths);
    expect(text).toContain('monthly_active_users{month="202112",} 1.0E7\n');
    expect(text).toContain('access_token{month="202112",grantType="authorization_code",} 1.2345678E7\n');
    expect(text).toContain(
      'uma_token{month="202112",grantType="urn:ietf:params:oauth:grant-type:uma-ticket",} 7.0\n',
    );
    expect(text).toContain(
      'access_token{month="202112",grantType="urn:ietf:params:oauth:grant-type:uma-ticket",} 0.0\n',
    );
    // ConcurrentHashMap order of the [month, grantType] keys, as JDK 17 iterates it.
    const access = text.split("\n").filter((l) => l.startsWith("access_token{"));
    expect(access).toEqual([
      'access_token{month="202112",grantType="urn:ietf:params:oauth:grant-type:uma-ticket",} 0.0',
      'access_token{month="202111",grantType="authorization_code",} 144.0',
      'access_token{month="202112",grantType="authorization_code",} 1.2345678E7',
      'access_token{month="202111",grantType="client_credentials",} 10.0',
    ]);
  });

  it("ignores token kinds outside the four families", () => {
    const stats: MonthStats[] = [
      {
        month: month(2022, 1),
        mau: 5,
        tokens: { authorization_code: tokenCounts({ access_token: 3, logout_status_jwt: 9 }) },
      },
    ];
    expect(writeOpenMetrics(stats)).not.toContain("logout_status_jwt");
  });

  it("escapes label values as the simpleclient does", () => {
    const stats: MonthStats[] = [
      { month: month(2022, 1), mau: 1, tokens: { 'we"ird\\grant\nx': tokenCounts({ access_token: 1 }) } },
    ];
    expect(writeOpenMetrics(stats)).toContain(
      'access_token{month="202201",grantType="we\\"ird\\\\grant\\nx",} 1.0\n',
    );
  });

  it("writes the five families even without months", () => {
    const text = writeOpenMetrics([]);
    expect(text.split("\n").filter((l) => l.startsWith("# TYPE"))).toHaveLength(5);
    expect(sampleLines(text)).toEqual([]);
  });

  it("refuses a negative value, as Counter.inc does", () => {
    expect(() => writeOpenMetrics([{ month: month(2022, 1), mau: -1, tokens: {} }])).toThrow(RangeError);
  });

  it("writes the simpleclient 0.10+ names and created gauges in the suffixed variant", () => {
    const text = writeOpenMetrics(seedStats, { variant: "suffixed", createdAtMs: 1_637_000_000_123 });
    expect(text).toContain("# HELP access_token_total Access Token\n# TYPE access_token_total counter\n");
    expect(text).toContain('access_token_total{month="202111",grantType="authorization_code",} 144.0\n');
    expect(text).toContain('monthly_active_users_total{month="202111",} 2.0\n');
    // The created gauges come last, families sorted by name.
    const createdTypes = text.split("\n").filter((l) => l.startsWith("# TYPE") && l.endsWith("gauge"));
    expect(createdTypes).toEqual([
      "# TYPE access_token_created gauge",
      "# TYPE id_token_created gauge",
      "# TYPE monthly_active_users_created gauge",
      "# TYPE refresh_token_created gauge",
      "# TYPE uma_token_created gauge",
    ]);
    expect(text.indexOf("_created")).toBeGreaterThan(text.lastIndexOf("_total{"));
    expect(text).toContain('monthly_active_users_created{month="202111",} 1.637000000123E9\n');
  });

  it("drops the comma after the last label in the later variant", () => {
    const text = writeOpenMetrics(seedStats, { variant: "suffixed-no-comma", createdAtMs: 0 });
    expect(text).toContain('access_token_total{month="202111",grantType="client_credentials"} 10.0\n');
    expect(text).toContain('monthly_active_users_total{month="202111"} 2.0\n');
  });

  it("shuffles families and samples with the random source, the same way for the same seed", () => {
    const a = writeOpenMetrics(twoMonths, { shuffle: mulberry32(7) });
    const b = writeOpenMetrics(twoMonths, { shuffle: mulberry32(7) });
    expect(a).toBe(b);
    expect(sampleLines(a)).toEqual(sampleLines(writeOpenMetrics(twoMonths)));
    const orders = new Set(
      Array.from({ length: 20 }, (_, seed) => writeOpenMetrics(twoMonths, { shuffle: mulberry32(seed) })),
    );
    expect(orders.size).toBeGreaterThan(5);
  });
});

describe("writeJson", () => {
  it("writes the Gluu 4.x map compactly, in HashMap order, without kinds never counted", () => {
    expect(writeJson(seedStats, "gluu4")).toBe(
      '{"response":{"202111":{"monthly_active_users":2,"token_count_per_granttype":{"client_credentials":{"access_token":10},"authorization_code":{"access_token":144,"id_token":144}}}}}',
    );
  });

  it("adds the month to each item for jsonmonth and lists the items for flat", () => {
    const item =
      '{"month":"202111","monthly_active_users":2,"token_count_per_granttype":{"client_credentials":{"access_token":10},"authorization_code":{"access_token":144,"id_token":144}}}';
    expect(writeJson(seedStats, "jsonmonth")).toBe(`{"response":{"202111":${item}}}`);
    expect(writeJson(seedStats, "flat")).toBe(`{"response":[${item}]}`);
  });

  it("writes big counts as plain integers and extra token kinds like the others", () => {
    const stats: MonthStats[] = [
      {
        month: month(2022, 1),
        mau: 12_345_678,
        tokens: { authorization_code: tokenCounts({ access_token: 10_000_000, logout_status_jwt: 4 }) },
      },
    ];
    const parsed = JSON.parse(writeJson(stats, "flat")) as { response: Array<Record<string, unknown>> };
    expect(parsed.response[0]).toEqual({
      month: "202201",
      monthly_active_users: 12_345_678,
      token_count_per_granttype: { authorization_code: { access_token: 10_000_000, logout_status_jwt: 4 } },
    });
    expect(writeJson(stats, "flat")).toContain('"monthly_active_users":12345678,');
  });

  it("writes an empty response when no month has data", () => {
    expect(writeJson([], "gluu4")).toBe('{"response":{}}');
    expect(writeJson([], "jsonmonth")).toBe('{"response":{}}');
    expect(writeJson([], "flat")).toBe('{"response":[]}');
  });

  it("keeps one entry per month, the last value, as Map.put does", () => {
    const again = { ...(seedStats[0] as MonthStats), mau: 3 };
    const parsed = JSON.parse(writeJson([...seedStats, again], "flat")) as {
      response: Array<{ monthly_active_users: number }>;
    };
    expect(parsed.response.map((r) => r.monthly_active_users)).toEqual([3]);
  });

  it("orders months as HashMap does, not by calendar", () => {
    const stats = Array.from({ length: 6 }, (_, i) => ({
      month: month(2024, 7 + i),
      mau: i + 1,
      tokens: {},
    }));
    // Read the text: JSON.parse would put integer-like keys in ascending order.
    const order = [...writeJson(stats, "gluu4").matchAll(/"(\d{6})":/g)].map((m) => m[1]);
    // JDK 17's HashMap iterates these keys in this order.
    expect(order).toEqual(["202410", "202408", "202409", "202407", "202411", "202412"]);
  });

  it("shuffles months, grant types and kinds with the random source and keeps the content", () => {
    const a = writeJson(twoMonths, "jsonmonth", { shuffle: mulberry32(3) });
    expect(writeJson(twoMonths, "jsonmonth", { shuffle: mulberry32(3) })).toBe(a);
    expect(JSON.parse(a)).toEqual(JSON.parse(writeJson(twoMonths, "jsonmonth")));
    const orders = new Set(
      Array.from({ length: 20 }, (_, seed) => writeJson(twoMonths, "flat", { shuffle: mulberry32(seed) })),
    );
    expect(orders.size).toBeGreaterThan(3);
  });
});
