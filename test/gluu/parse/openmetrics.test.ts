import { describe, expect, it } from "vitest";
import { parseGoFloat, parseOpenMetricsStats, readSamples } from "../../../src/gluu/parse/openmetrics.js";
import { badResponse, fixture, SEED } from "./helpers.js";

/** One month of the seed's data written in the real servers' one-line form. */
function oneMonth(value: (kind: string, grant: string) => string, mau = "2.0"): string {
  const lines = [`monthly_active_users{month="202111",} ${mau}`];
  for (const kind of ["access_token", "id_token", "refresh_token", "uma_token"]) {
    for (const grant of ["authorization_code", "client_credentials"]) {
      lines.push(`${kind}{month="202111",grantType="${grant}",} ${value(kind, grant)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
const seedValue = (kind: string, grant: string): string =>
  grant === "client_credentials"
    ? kind === "access_token"
      ? "10.0"
      : "0.0"
    : kind === "access_token" || kind === "id_token"
      ? "144.0"
      : "0.0";

describe("parseOpenMetricsStats: server output", () => {
  it("reads the seed documentation's sample verbatim, label sets broken before '}'", () => {
    const text = fixture("seed-openmetrics.txt");
    expect(text).toContain(",\n} 144.0");
    const [nov, ...rest] = parseOpenMetricsStats(text);
    expect(rest).toEqual([]);
    expect(nov?.month).toEqual({ year: 2021, month: 11 });
    expect(nov?.mau).toBe(2);
    expect(nov?.tokens.authorization_code?.access_token).toBe(144);
    expect(nov?.tokens.authorization_code?.id_token).toBe(144);
    expect(nov?.tokens.client_credentials?.access_token).toBe(10);
    expect([nov]).toStrictEqual(SEED);
  });

  it("reads the one-line ',}' form real servers write, months in calendar order", () => {
    expect(parseOpenMetricsStats(fixture("oneline-openmetrics.txt"))).toStrictEqual([
      {
        month: { year: 2021, month: 11 },
        mau: 2,
        tokens: { authorization_code: { access_token: 144, id_token: 144, refresh_token: 0, uma_token: 0 } },
      },
      {
        month: { year: 2021, month: 12 },
        mau: 10_000_000,
        tokens: {
          authorization_code: {
            access_token: 12_345_678,
            id_token: 12_345_678,
            refresh_token: 3,
            uma_token: 0,
          },
          "urn:ietf:params:oauth:grant-type:uma-ticket": {
            access_token: 7,
            id_token: 0,
            refresh_token: 0,
            uma_token: 7,
          },
        },
      },
    ]);
  });

  it("counts newer clients' _total samples and ignores _created samples and timestamps", () => {
    const text = fixture("newer-client-openmetrics.txt");
    expect(text).toContain("access_token_created{");
    expect(parseOpenMetricsStats(text)).toStrictEqual(SEED);
  });

  it("reads CRLF line endings, also inside a broken label set", () => {
    const lf = fixture("seed-openmetrics.txt");
    expect(parseOpenMetricsStats(lf.replaceAll("\n", "\r\n"))).toStrictEqual(SEED);
    expect(parseOpenMetricsStats(fixture("oneline-openmetrics.txt").replaceAll("\n", "\r\n"))).toStrictEqual(
      parseOpenMetricsStats(fixture("oneline-openmetrics.txt")),
    );
  });

  it("does not depend on family order, sample order or comments", () => {
    const lines = oneMonth(seedValue).trimEnd().split("\n");
    const shuffled = [
      "# a comment the format allows anywhere",
      ...lines.slice(5),
      "",
      "   # indented comment",
      "#",
      ...lines.slice(0, 5).reverse(),
      "\t",
      "# EOF",
    ];
    expect(parseOpenMetricsStats(`${shuffled.join("\n")}\n`)).toStrictEqual(SEED);
  });

  it("accepts labels in either order, without trailing comma and with blanks around tokens", () => {
    const text = [
      `monthly_active_users { month = "202111" } 2`,
      `access_token{grantType="authorization_code",month="202111"} 144`,
      `id_token{ grantType = "authorization_code" , month = "202111" , }\t144.0`,
      `access_token{grantType="client_credentials", month="202111"}10.0`,
      "",
    ].join("\n");
    const [nov] = parseOpenMetricsStats(text);
    expect(nov?.tokens).toStrictEqual({
      authorization_code: { access_token: 144, id_token: 144, refresh_token: 0, uma_token: 0 },
      client_credentials: { access_token: 10, id_token: 0, refresh_token: 0, uma_token: 0 },
    });
  });

  it('keeps URN grant types and unescapes \\\\, \\" and \\n in label values', () => {
    const grants: [written: string, meant: string][] = [
      ["urn:ietf:params:oauth:grant-type:uma-ticket", "urn:ietf:params:oauth:grant-type:uma-ticket"],
      ["urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:device_code"],
      ['say \\"hi\\"', 'say "hi"'],
      ["C:\\\\DIR\\\\FILE", "C:\\DIR\\FILE"],
      ["two\\nlines", "two\nlines"],
      ["trailing backslash\\\\", "trailing backslash\\"],
      ["commas, {braces} and = signs", "commas, {braces} and = signs"],
      ["ünïcødé ✓", "ünïcødé ✓"],
      ["", ""],
    ];
    const valid = grants;
    const text = [
      'monthly_active_users{month="202111",} 1.0',
      ...valid.map(([w], i) => `access_token{month="202111",grantType="${w}",} ${i + 1}.0`),
      "",
    ].join("\n");
    const [nov] = parseOpenMetricsStats(text);
    expect(Object.keys(nov?.tokens ?? {}).sort()).toEqual(valid.map(([, m]) => m).sort());
    valid.forEach(([, meant], i) => {
      expect(nov?.tokens[meant]?.access_token).toBe(i + 1);
    });
  });

  it("reads every number notation a Java double or the Go format prints", () => {
    const cases: [written: string, count: number][] = [
      ["144.0", 144],
      ["144", 144],
      ["0.0", 0],
      ["-0.0", 0],
      ["1.0E7", 10_000_000],
      ["1.2345678E9", 1_234_567_800],
      ["9.007199254740991E15", 9_007_199_254_740_991],
      ["1e+06", 1_000_000],
      ["1.5e3", 1500],
      ["+12", 12],
      ["2.4", 2], // doubles are rounded to whole counts
      ["2.5", 3],
      [".5", 1],
      ["7.", 7],
    ];
    for (const [written, want] of cases) {
      const [nov] = parseOpenMetricsStats(oneMonth(seedValue, written));
      expect(nov?.mau, written).toBe(want);
      expect(Object.is(nov?.mau, -0), written).toBe(false);
    }
  });

  it("skips timestamps, negative ones included, and exemplars", () => {
    const text = oneMonth(seedValue)
      .replace("} 2.0\n", "} 2.0 1637000000000\n")
      .replace('"client_credentials",} 10.0\n', '"client_credentials",} 10.0 -3982045\n')
      .replace('"authorization_code",} 144.0\n', '"authorization_code",} 144.0 # {trace_id="abc"} 1.0\n');
    expect(text).toContain("-3982045");
    expect(parseOpenMetricsStats(text)).toStrictEqual(SEED);
  });

  it("ignores unknown families and keeps unknown token kinds that carry month and grantType", () => {
    const text = [
      "# TYPE process_cpu_seconds_total counter",
      "process_cpu_seconds_total 12.47",
      'jvm_memory_bytes_used{area="heap",} NaN',
      'something_weird{problem="division by zero"} +Inf -3982045',
      'device_token{month="202111",grantType="urn:ietf:params:oauth:grant-type:device_code",} 5.0',
      'device_token_created{month="202111",grantType="urn:ietf:params:oauth:grant-type:device_code",} NaN',
      'access_token_created{month="not a month",grantType="x",} -1.0',
      oneMonth(seedValue),
    ].join("\n");
    const [nov] = parseOpenMetricsStats(text);
    expect(nov?.tokens["urn:ietf:params:oauth:grant-type:device_code"]).toStrictEqual({
      access_token: 0,
      id_token: 0,
      refresh_token: 0,
      uma_token: 0,
      device_token: 5,
    });
    expect(nov?.tokens.authorization_code).toStrictEqual(SEED[0]?.tokens.authorization_code);
  });

  it("returns no months for a body with families but no samples", () => {
    const text = "# HELP monthly_active_users Monthly active users\n# TYPE monthly_active_users counter\n";
    expect(parseOpenMetricsStats(text)).toEqual([]);
  });

  it("keeps a grant type named __proto__ as data", () => {
    const text = oneMonth(seedValue).replaceAll('"client_credentials"', '"__proto__"');
    const [nov] = parseOpenMetricsStats(text);
    expect(Object.keys(nov?.tokens ?? {})).toContain("__proto__");
    expect(Object.getPrototypeOf(nov?.tokens)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(nov?.tokens, "__proto__")?.value.access_token).toBe(10);
  });
});

describe("parseOpenMetricsStats: refusals", () => {
  it.each(["NaN", "+Inf", "-Inf", "Inf", "-1.0", "-1e-9"])("refuses a count of %s", (value) => {
    const err = badResponse(() =>
      parseOpenMetricsStats(oneMonth((k) => (k === "uma_token" ? value : "1.0"))),
    );
    expect(err.message).toMatch(/uma_token for grant type "authorization_code" in 2021-11 is .* not a count/);
    expect(err.message).toContain("line 8");
    expect(badResponse(() => parseOpenMetricsStats(oneMonth(seedValue, value))).message).toContain(
      "monthly_active_users for 2021-11",
    );
  });

  it("refuses a month that has token counts but no monthly_active_users", () => {
    const text = oneMonth(seedValue).replace(/^monthly_active_users.*\n/, "");
    expect(badResponse(() => parseOpenMetricsStats(text)).message).toMatch(
      /token counts for 2021-11 but no monthly_active_users/,
    );
  });

  it("refuses a sample written twice, also as plain and _total", () => {
    const twice = `${oneMonth(seedValue)}access_token_total{month="202111",grantType="client_credentials",} 10.0\n`;
    expect(badResponse(() => parseOpenMetricsStats(twice)).message).toMatch(/access_token .* appears twice/);
    const mau = `${oneMonth(seedValue)}monthly_active_users{month="202111",} 2.0\n`;
    expect(badResponse(() => parseOpenMetricsStats(mau)).message).toMatch(/appears twice/);
  });

  it("refuses counted samples without their labels or with a month not in yyyyMM form", () => {
    expect(badResponse(() => parseOpenMetricsStats("monthly_active_users 2.0\n")).message).toMatch(
      /no month label/,
    );
    expect(
      badResponse(() =>
        parseOpenMetricsStats('monthly_active_users{month="202111"} 2\naccess_token{month="202111"} 3\n'),
      ).message,
    ).toMatch(/access_token lacks the month or grantType label/);
    for (const month of ["2021-11", "202113", "20211", "199912"]) {
      expect(
        badResponse(() => parseOpenMetricsStats(`monthly_active_users{month="${month}"} 2\n`)).message,
      ).toContain(`"${month}" is not in yyyyMM form`);
    }
  });

  it.each<[string, string, RegExp]>([
    ["an empty body", "", /empty response/],
    ["a lone brace", "{", /line 1, column 1: expected a metric name/],
    [
      "an unterminated label set",
      'access_token{month="202111",grantType="x"\nid_token 1\n',
      /expected "," or "}" in the label set opened at line 1/,
    ],
    ["a label set cut off", 'access_token{month="202111",', /body ends in the label set opened at line 1/],
    [
      "a label value cut off",
      'access_token{month="2021',
      /ends inside the label value that starts at line 1/,
    ],
    ["a raw line feed in a label value", 'a{b="x\ny"} 1\n', /line break inside a label value/],
    ["an unknown escape", 'a{b="x\\ty"} 1\n', /unknown escape "\\t"/],
    ["a missing value", "access_token{}\n", /line 1, column 15: expected a value/],
    ["a value that is not a number", "access_token abc\n", /the value is not a number/],
    ["a hexadecimal float", "access_token 0x1p3\n", /the value is not a number/],
    ["a timestamp that is not a number", "access_token 1.0 soon\n", /expected a timestamp/],
    ["text after the timestamp", "access_token 1.0 1637000000000 more\n", /expected the end of the line/],
    [
      "a body cut inside a number",
      'monthly_active_users{month="202111",} 14',
      /no line feed, so the body looks cut off/,
    ],
    ["a missing label value quote", "a{b=c} 1\n", /expected a quoted label value/],
    ["a label without =", 'a{b "c"} 1\n', /expected "=" after a label name/],
    ["a label name that is not one", 'a{1b="c"} 1\n', /expected a label name or "}"/],
    ["a repeated label", 'a{b="1",b="2"} 1\n', /label name appears twice/],
    ["a name glued to a value", "a=1\n", /expected a space or "{" after the metric name/],
    ["a leading comma", 'a{,b="1"} 1\n', /expected a label name or "}"/],
  ])("refuses %s", (_what, text, message) => {
    expect(badResponse(() => parseOpenMetricsStats(text)).message).toMatch(message);
  });

  it("names the line and column in the original body", () => {
    const text = `${oneMonth(seedValue)}\n# fine so far\naccess_token{month="202111",grantType=oops} 1\n`;
    const err = badResponse(() => parseOpenMetricsStats(text));
    expect(err.message).toContain("line 12, column 39");
    expect(err.message).toContain('near "oops} 1"');
  });

  it("quotes at most a short excerpt of a huge garbage line", () => {
    const junk = `metric{label="${"x".repeat(10_000)}`;
    const err = badResponse(() => parseOpenMetricsStats(junk));
    expect(err.message.length).toBeLessThan(400);
    expect(err.message).not.toContain("x".repeat(61));
  });
});

describe("readSamples", () => {
  it("yields names, unescaped labels and values, skipping comments", () => {
    const text = '# HELP a x\na{b="1\\"2",c="\\\\"} 1.5E2 123\nd +Inf\n';
    const samples = readSamples(text);
    expect(
      samples.map((s) => ({ name: s.name, labels: Object.fromEntries(s.labels), value: s.value })),
    ).toEqual([
      { name: "a", labels: { b: '1"2', c: "\\" }, value: 150 },
      { name: "d", labels: {}, value: Number.POSITIVE_INFINITY },
    ]);
    expect(samples[1]?.at).toBe(text.indexOf("d +Inf"));
  });
});

describe("parseGoFloat", () => {
  it.each<[string, number | undefined]>([
    ["1", 1],
    ["-1.5e-3", -0.0015],
    ["1.0E7", 1e7],
    ["NaN", Number.NaN],
    ["nan", Number.NaN],
    ["+Inf", Number.POSITIVE_INFINITY],
    ["-inf", Number.NEGATIVE_INFINITY],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["", undefined],
    [".", undefined],
    ["1e", undefined],
    ["0x10", undefined],
    ["1_000", undefined],
    ["+NaN", undefined],
    [" 1", undefined],
  ])("%j → %s", (token, want) => {
    expect(parseGoFloat(token)).toBe(want);
  });
});

describe("large payloads", () => {
  // Speed is measured by `npm run bench`, not asserted here: timed unit tests are flaky on shared machines.
  it("parses 24 months × 30 grant types (about 3,600 samples)", () => {
    const lines: string[] = [];
    const months = Array.from(
      { length: 24 },
      (_, i) => `${2020 + Math.floor(i / 12)}${String((i % 12) + 1).padStart(2, "0")}`,
    );
    const grants = Array.from({ length: 30 }, (_, i) => `urn:example:grant-type:number_${i}`);
    for (const m of months) lines.push(`monthly_active_users{month="${m}",} 1.2345678E7`);
    for (const kind of ["access_token", "id_token", "refresh_token", "uma_token"]) {
      lines.push(`# HELP ${kind} Token`, `# TYPE ${kind} counter`);
      for (const m of months)
        for (const g of grants) lines.push(`${kind}{month="${m}",grantType="${g}",} 144.0`);
    }
    const text = `${lines.join("\n")}\n`;
    expect(parseOpenMetricsStats(text)).toHaveLength(24);
  });
});
