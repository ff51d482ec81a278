/**
 * Property tests: random statistics written the way servers (and their Java and Go client
 * libraries) write them read back to the same numbers, and no input makes a parser throw
 * anything but GluuError("bad_response").
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StatFormat } from "../../../src/config/index.js";
import { GluuError } from "../../../src/gluu/errors.js";
import type { MonthStats } from "../../../src/gluu/model.js";
import { STANDARD_TOKEN_KINDS, tokenCounts } from "../../../src/gluu/model.js";
import { parseStatBody } from "../../../src/gluu/parse/index.js";
import { parseJsonStats } from "../../../src/gluu/parse/json.js";
import { parseOpenMetricsStats } from "../../../src/gluu/parse/openmetrics.js";
import { fromIndex, monthIndex, monthKey } from "../../../src/months.js";

// ---- the data -------------------------------------------------------------------------------

interface GrantData {
  readonly grant: string;
  /** Every standard kind, plus any extra kinds the grant type has. */
  readonly kinds: Readonly<Record<string, number>>;
}
interface MonthData {
  readonly index: number;
  readonly mau: number;
  readonly grants: readonly GrantData[];
}

const EXTRA_KINDS = ["device_token", "ciba_token", "tx_token"] as const;

const countArb = fc.oneof(
  fc.nat({ max: 1000 }),
  fc.maxSafeNat(),
  fc.constantFrom(0, 1, 9_999_999, 10_000_000, 2 ** 53 - 1),
);

const grantArb = fc.oneof(
  fc.constantFrom(
    "authorization_code",
    "client_credentials",
    "refresh_token",
    "implicit",
    "password",
    "urn:ietf:params:oauth:grant-type:uma-ticket",
    "urn:ietf:params:oauth:grant-type:device_code",
    "__proto__",
    "constructor",
    'say "hi"',
    "C:\\DIR\\",
    "two\nlines",
    "\\n",
    '\\"',
    "commas, {braces} and = signs",
    "",
    "ünïcødé ✓",
    "cr\rlf",
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom('"', "\\", "\n", "\r", ",", "{", "}", "=", "#", " ", "a", "n"),
    maxLength: 12,
  }),
);

const grantDataArb: fc.Arbitrary<GrantData> = fc
  .record({
    grant: grantArb,
    standard: fc.tuple(countArb, countArb, countArb, countArb),
    extras: fc.uniqueArray(fc.tuple(fc.constantFrom(...EXTRA_KINDS), countArb), {
      selector: ([kind]) => kind,
      maxLength: 2,
    }),
  })
  .map(({ grant, standard, extras }) => ({
    grant,
    kinds: Object.fromEntries([
      ...STANDARD_TOKEN_KINDS.map((k, i) => [k, standard[i] ?? 0] as const),
      ...extras,
    ]),
  }));

const FIRST = monthIndex({ year: 2000, month: 1 });
const LAST = monthIndex({ year: 9999, month: 12 });

/** Months in random ("hash-map") order, as the servers send them. */
const monthsArb = (maxMonths: number, maxGrants: number): fc.Arbitrary<MonthData[]> =>
  fc.uniqueArray(
    fc.record({
      index: fc.integer({ min: FIRST, max: LAST }),
      mau: countArb,
      grants: fc.uniqueArray(grantDataArb, { selector: (g) => g.grant, maxLength: maxGrants }),
    }),
    { selector: (m) => m.index, maxLength: maxMonths },
  );
/** Up to what the bot asks for: 24 months, each with up to 30 grant types. */
const dataArb = monthsArb(24, 30);
/** Small payloads for the tests that run every parser on every edit. */
const smallDataArb = monthsArb(3, 4);

function expected(data: readonly MonthData[]): MonthStats[] {
  return [...data]
    .sort((a, b) => a.index - b.index)
    .map((m) => ({
      month: fromIndex(m.index),
      mau: m.mau,
      tokens: Object.fromEntries(m.grants.map((g) => [g.grant, tokenCounts(g.kinds)])),
    }));
}

type Normalized = { month: MonthStats["month"]; mau: number; tokens: [string, [string, number][]][] }[];

const byKey = <T extends [string, unknown]>(a: T, b: T): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * Months as plain arrays for comparison: toStrictEqual compares objects' `constructor`
 * property by identity, so a grant type named "constructor" would fail an equal result.
 */
function normalize(months: readonly MonthStats[]): Normalized {
  return months.map((m) => ({
    month: m.month,
    mau: m.mau,
    tokens: Object.entries(m.tokens)
      .map(([grant, kinds]): [string, [string, number][]] => [grant, Object.entries(kinds).sort(byKey)])
      .sort(byKey),
  }));
}

// ---- number notations ---------------------------------------------------------------------

/** Java's Double.toString for whole numbers: `144.0`, `1.0E7`, `1.2345678E9`. */
function javaDouble(n: number): string {
  if (n < 1e7) return `${n}.0`;
  const [mantissa = "", exponent = ""] = n.toExponential().split("e");
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** Go's strconv.FormatFloat(n, 'g', -1, 64): `144`, `1e+07`, `1.2345678e+09`. */
function goFloat(n: number): string {
  const [mantissa = "", exponent = ""] = n.toExponential().split("e");
  const exp = Number(exponent);
  return exp < 6 ? String(n) : `${mantissa}e+${String(exp).padStart(2, "0")}`;
}

type Notation = "plain" | "java" | "go";
const write = (n: number, notation: Notation): string =>
  notation === "java" ? javaDouble(n) : notation === "go" ? goFloat(n) : String(n);

// ---- a tiny OpenMetrics writer ------------------------------------------------------------

interface OmStyle {
  readonly total: boolean;
  readonly trailingComma: boolean;
  readonly seedBreaks: boolean;
  readonly grantFirst: boolean;
  readonly timestamps: boolean;
  readonly crlf: boolean;
  readonly created: boolean;
  readonly noise: boolean;
  readonly notation: Notation;
  readonly familyWeights: readonly number[];
}

const omStyleArb: fc.Arbitrary<OmStyle> = fc.record({
  total: fc.boolean(),
  trailingComma: fc.boolean(),
  seedBreaks: fc.boolean(),
  grantFirst: fc.boolean(),
  timestamps: fc.boolean(),
  crlf: fc.boolean(),
  created: fc.boolean(),
  noise: fc.boolean(),
  notation: fc.constantFrom<Notation>("plain", "java", "go"),
  familyWeights: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
});

const escapeLabel = (v: string): string =>
  v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function writeOpenMetrics(data: readonly MonthData[], style: OmStyle): string {
  const out: string[] = [];
  if (style.noise)
    out.push("# a comment", "", "process_cpu_seconds_total 12.47", 'jvm_info{version="17.0.1"} 1.0');
  const labelSet = (pairs: [string, string][]): string => {
    const ordered = style.grantFirst ? [...pairs].reverse() : pairs;
    const body = ordered.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
    // The seed documentation's form: the label set broken before its closing brace.
    if (style.seedBreaks) return `{${body},\n}`;
    return `{${body}${style.trailingComma ? "," : ""}}`;
  };
  const sample = (family: string, pairs: [string, string][], value: number): void => {
    const stamp = style.timestamps ? " 1637000000000" : "";
    out.push(
      `${family}${style.total ? "_total" : ""}${labelSet(pairs)} ${write(value, style.notation)}${stamp}`,
    );
    if (style.created) out.push(`${family}_created${labelSet(pairs)} 1.637000000123E9${stamp}`);
  };
  const families = ["monthly_active_users", ...STANDARD_TOKEN_KINDS, ...EXTRA_KINDS]
    .map((family, i) => ({ family, weight: style.familyWeights[i] ?? 0 }))
    .sort((a, b) => a.weight - b.weight)
    .map((f) => f.family);
  for (const family of families) {
    // The Java writer always writes these, even for a family without samples.
    out.push(`# HELP ${family} Some help`, `# TYPE ${family} counter`);
    for (const m of data) {
      const month = monthKey(fromIndex(m.index));
      if (family === "monthly_active_users") {
        sample(family, [["month", month]], m.mau);
        continue;
      }
      for (const g of m.grants) {
        const value = g.kinds[family];
        if (value !== undefined) {
          sample(
            family,
            [
              ["month", month],
              ["grantType", g.grant],
            ],
            value,
          );
        }
      }
    }
  }
  const text = `${out.join("\n")}\n`;
  return style.crlf ? text.replaceAll("\n", "\r\n") : text;
}

// ---- a tiny JSON writer -------------------------------------------------------------------

interface JsonStyle {
  readonly shape: "gluu4" | "jsonmonth" | "janssen";
  readonly omitZeroKinds: boolean;
  readonly omitEmptyTokens: boolean;
  readonly notation: "plain" | "java";
}

const jsonStyleArb: fc.Arbitrary<JsonStyle> = fc.record({
  shape: fc.constantFrom<JsonStyle["shape"]>("gluu4", "jsonmonth", "janssen"),
  omitZeroKinds: fc.boolean(),
  omitEmptyTokens: fc.boolean(),
  notation: fc.constantFrom<JsonStyle["notation"]>("plain", "java"),
});

const STANDARD: ReadonlySet<string> = new Set(STANDARD_TOKEN_KINDS);

function writeJson(data: readonly MonthData[], style: JsonStyle): string {
  const num = (n: number): string => write(n, style.notation);
  const item = (m: MonthData): string => {
    const fields: string[] = [];
    if (style.shape !== "gluu4") fields.push(`"month":"${monthKey(fromIndex(m.index))}"`);
    fields.push(`"monthly_active_users":${num(m.mau)}`);
    const grants = m.grants.map((g) => {
      // Servers leave out kinds they never counted; a missing kind must read as 0.
      const kinds = Object.entries(g.kinds).filter(
        ([k, v]) => !(style.omitZeroKinds && v === 0 && STANDARD.has(k)),
      );
      return `${JSON.stringify(g.grant)}:{${kinds.map(([k, v]) => `${JSON.stringify(k)}:${num(v)}`).join(",")}}`;
    });
    if (grants.length > 0 || !style.omitEmptyTokens)
      fields.push(`"token_count_per_granttype":{${grants.join(",")}}`);
    return `{${fields.join(",")}}`;
  };
  if (style.shape === "janssen") return `{"response":[${data.map(item).join(",")}]}`;
  return `{"response":{${data.map((m) => `"${monthKey(fromIndex(m.index))}":${item(m)}`).join(",")}}}`;
}

// ---- checks -------------------------------------------------------------------------------

/** Runs a parser on any input: it may return months or throw GluuError(bad_response), nothing else. */
function parsesOrRefuses(run: () => unknown, body: string): GluuError | undefined {
  try {
    expect(Array.isArray(run())).toBe(true);
    return undefined;
  } catch (err) {
    if (!(err instanceof GluuError)) throw err;
    expect(err.code).toBe("bad_response");
    expect(err.message.length).toBeLessThan(600);
    // No 81-character stretch of the message may come from the body.
    let leaked: string | undefined;
    for (let i = 0; leaked === undefined && i + 81 <= err.message.length; i++) {
      const stretch = err.message.slice(i, i + 81);
      if (body.includes(stretch)) leaked = stretch;
    }
    expect(leaked).toBeUndefined();
    return err;
  }
}

const ALL_PARSERS: [string, (body: string) => unknown][] = [
  ["parseJsonStats", parseJsonStats],
  ["parseOpenMetricsStats", parseOpenMetricsStats],
  ...(["json", "openmetrics"] as StatFormat[]).map(
    (f) =>
      [`parseStatBody(${f})`, (body: string) => parseStatBody(body, f)] as [
        string,
        (body: string) => unknown,
      ],
  ),
];

describe("round trip", () => {
  it("OpenMetrics written in any server style reads back to the same numbers", () => {
    fc.assert(
      fc.property(dataArb, omStyleArb, (data, style) => {
        const text = writeOpenMetrics(data, style);
        const want = normalize(expected(data));
        expect(normalize(parseOpenMetricsStats(text))).toStrictEqual(want);
        // Servers label OpenMetrics as JSON: asking for JSON must still read it.
        expect(normalize(parseStatBody(text, "json"))).toStrictEqual(want);
      }),
      { numRuns: 150 },
    );
  });

  it("every JSON shape reads back to the same numbers", () => {
    fc.assert(
      fc.property(dataArb, jsonStyleArb, (data, style) => {
        const text = writeJson(data, style);
        const want = normalize(expected(data));
        expect(normalize(parseJsonStats(text))).toStrictEqual(want);
        expect(normalize(parseStatBody(text, "openmetrics"))).toStrictEqual(want);
      }),
      { numRuns: 150 },
    );
  });

  it("the same data reads the same from OpenMetrics and from JSON", () => {
    fc.assert(
      fc.property(dataArb, omStyleArb, jsonStyleArb, (data, om, json) => {
        expect(normalize(parseStatBody(writeOpenMetrics(data, om), "openmetrics"))).toStrictEqual(
          normalize(parseStatBody(writeJson(data, json), "json")),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe("robustness", () => {
  const exposition = fc.string({
    unit: fc.constantFrom(
      "#",
      "{",
      "}",
      '"',
      "\\",
      "=",
      ",",
      " ",
      "\n",
      "\r",
      "a",
      "_",
      "1",
      ".",
      "E",
      "+",
      "-",
      "N",
    ),
    maxLength: 200,
  });
  const jsonish = fc.string({
    unit: fc.constantFrom("{", "}", "[", "]", '"', ":", ",", "1", "-", ".", "e", "r", " ", "\\", "n"),
    maxLength: 200,
  });
  // Long enough that a message quoting too much of it would be caught.
  const longText = fc.string({
    unit: fc.constantFrom("a", "b", " ", "<", "{", "#", ":"),
    minLength: 100,
    maxLength: 400,
  });
  const anyText = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    exposition,
    jsonish,
    fc.json(),
    longText,
  );

  it("no string makes a parser throw anything but GluuError(bad_response)", () => {
    fc.assert(
      fc.property(anyText, (body) => {
        for (const [, parse] of ALL_PARSERS) parsesOrRefuses(() => parse(body), body);
      }),
      { numRuns: 500 },
    );
  });

  it("no edit of a valid payload makes a parser throw anything but GluuError(bad_response)", () => {
    const payload = fc.oneof(
      fc.tuple(smallDataArb, omStyleArb).map(([d, s]) => writeOpenMetrics(d, s)),
      fc.tuple(smallDataArb, jsonStyleArb).map(([d, s]) => writeJson(d, s)),
    );
    const edit = fc.record({
      at: fc.nat(),
      cut: fc.nat({ max: 5 }),
      insert: fc.string({ unit: "binary", maxLength: 3 }),
    });
    fc.assert(
      fc.property(payload, edit, (text, { at, cut, insert }) => {
        const i = text.length === 0 ? 0 : at % text.length;
        const edited = `${text.slice(0, i)}${insert}${text.slice(i + cut)}`;
        for (const [, parse] of ALL_PARSERS) parsesOrRefuses(() => parse(edited), edited);
      }),
      { numRuns: 300 },
    );
  });

  it("a payload cut inside a sample line is always refused", () => {
    fc.assert(
      fc.property(smallDataArb, omStyleArb, fc.nat(), (data, style, at) => {
        const text = writeOpenMetrics(data, style);
        const cut = at % text.length;
        const lineStart = text.lastIndexOf("\n", cut - 1) + 1;
        const partial = text.slice(lineStart, cut).trim();
        // A cut at a line end, in a comment or in a blank line loses no figure it could detect.
        fc.pre(partial !== "" && !partial.startsWith("#"));
        expect(parsesOrRefuses(() => parseOpenMetricsStats(text.slice(0, cut)), text)).toBeInstanceOf(
          GluuError,
        );
      }),
      { numRuns: 300 },
    );
  });

  it("any proper prefix of a JSON payload is refused", () => {
    fc.assert(
      fc.property(smallDataArb, jsonStyleArb, fc.nat(), (data, style, at) => {
        const text = writeJson(data, style);
        const prefix = text.slice(0, at % text.length);
        expect(parsesOrRefuses(() => parseJsonStats(prefix), text)).toBeInstanceOf(GluuError);
      }),
      { numRuns: 300 },
    );
  });
});
