import { describe, expect, it } from "vitest";
import { parseJsonStats, quoteExcerpt } from "../../../src/gluu/parse/json.js";
import { badResponse, fixture, SEED } from "./helpers.js";

const item = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  monthly_active_users: 5,
  token_count_per_granttype: { password: { access_token: 1 } },
  ...extra,
});
const gluu4 = (months: Record<string, unknown>): string => JSON.stringify({ response: months });
const janssen = (items: unknown[]): string => JSON.stringify({ response: items });

describe("parseJsonStats: server shapes", () => {
  it.each(["seed-gluu4.json", "seed-jsonmonth.json", "seed-janssen.json"])(
    "reads %s as the seed's data",
    (name) => {
      expect(parseJsonStats(fixture(name))).toStrictEqual(SEED);
    },
  );

  it.each(["{}", '{"response":{}}', '{"response":[]}', ' {"response" : { } }\n'])(
    "reads %s as no months",
    (body) => {
      expect(parseJsonStats(body)).toEqual([]);
    },
  );

  it("returns months in calendar order whatever order the server used", () => {
    const months = { "202201": item(), "202111": item({ monthly_active_users: 1 }), "202112": item() };
    const want = [
      { year: 2021, month: 11 },
      { year: 2021, month: 12 },
      { year: 2022, month: 1 },
    ];
    expect(parseJsonStats(gluu4(months)).map((m) => m.month)).toEqual(want);
    const list = [
      { month: "202112", ...item() },
      { month: "202201", ...item() },
      { month: "202111", ...item() },
    ];
    expect(parseJsonStats(janssen(list)).map((m) => m.month)).toEqual(want);
  });

  it("reads a month without token_count_per_granttype, or with null, as no tokens", () => {
    const body = gluu4({
      "202111": { monthly_active_users: 3 },
      "202112": { monthly_active_users: 4, token_count_per_granttype: null },
    });
    expect(parseJsonStats(body)).toStrictEqual([
      { month: { year: 2021, month: 11 }, mau: 3, tokens: {} },
      { month: { year: 2021, month: 12 }, mau: 4, tokens: {} },
    ]);
  });

  it("fills missing token kinds with 0 and keeps unknown kinds", () => {
    const body = gluu4({
      "202111": item({
        token_count_per_granttype: {
          "urn:ietf:params:oauth:grant-type:device_code": { device_token: 3, access_token: 2 },
          implicit: {},
        },
      }),
    });
    expect(parseJsonStats(body)[0]?.tokens).toStrictEqual({
      "urn:ietf:params:oauth:grant-type:device_code": {
        access_token: 2,
        id_token: 0,
        refresh_token: 0,
        uma_token: 0,
        device_token: 3,
      },
      implicit: { access_token: 0, id_token: 0, refresh_token: 0, uma_token: 0 },
    });
  });

  it("reads big counts, 144.0, exponents and -0 as whole numbers", () => {
    const body =
      '{"response":{"202111":{"monthly_active_users":9007199254740991,"token_count_per_granttype":' +
      '{"password":{"access_token":144.0,"id_token":1.0E7,"refresh_token":-0,"uma_token":1e3}}}}}';
    const [nov] = parseJsonStats(body);
    expect(nov?.mau).toBe(Number.MAX_SAFE_INTEGER);
    expect(nov?.tokens.password).toStrictEqual({
      access_token: 144,
      id_token: 10_000_000,
      refresh_token: 0,
      uma_token: 1000,
    });
    expect(Object.is(nov?.tokens.password?.refresh_token, -0)).toBe(false);
  });

  it("accepts a numeric month in the flat list and ignores unknown fields", () => {
    const body = JSON.stringify({ extra: true, response: [{ month: 202111, note: "x", ...item() }] });
    expect(parseJsonStats(body)[0]?.month).toEqual({ year: 2021, month: 11 });
  });

  it("keeps grant types and kinds named like Object.prototype members as data", () => {
    const body =
      '{"response":{"202111":{"monthly_active_users":1,"token_count_per_granttype":' +
      '{"__proto__":{"access_token":4},"constructor":{"__proto__":5,"toString":6}}}}}';
    const [nov] = parseJsonStats(body);
    expect(Object.keys(nov?.tokens ?? {}).sort()).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(nov?.tokens)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(nov?.tokens, "__proto__")?.value.access_token).toBe(4);
    const ctor = Object.getOwnPropertyDescriptor(nov?.tokens, "constructor")?.value;
    expect(Object.getOwnPropertyDescriptor(ctor, "__proto__")?.value).toBe(5);
    expect(ctor.toString).toBe(6);
  });

  it("ignores a byte-order mark", () => {
    expect(parseJsonStats(`\uFEFF${fixture("seed-gluu4.json")}`)).toStrictEqual(SEED);
  });
});

describe("parseJsonStats: refusals", () => {
  it.each<[string, unknown, RegExp]>([
    ["a negative count", -1, /access_token must be a whole number of at least 0/],
    ["a fraction", 1.5, /must be a whole number/],
    ["a string", "12", /expected number, received string/],
    ["null", null, /expected number/],
  ])("refuses %s as a token count", (_what, value, message) => {
    const body = gluu4({
      "202111": item({ token_count_per_granttype: { password: { access_token: value } } }),
    });
    const err = badResponse(() => parseJsonStats(body));
    expect(err.message).toMatch(message);
    expect(err.message).toContain("response.202111.token_count_per_granttype.password.access_token");
  });

  it("refuses an infinite count (a number too big for a double)", () => {
    const body = '{"response":{"202111":{"monthly_active_users":1e400}}}';
    expect(badResponse(() => parseJsonStats(body)).message).toMatch(/monthly_active_users .*Infinity/);
  });

  it("refuses a month without monthly_active_users", () => {
    const body = gluu4({ "202111": { token_count_per_granttype: {} } });
    expect(badResponse(() => parseJsonStats(body)).message).toMatch(/response\.202111\.monthly_active_users/);
  });

  it.each(["2021-11", "202113", "20211", "199912", "abcdef"])("refuses the month key %s", (key) => {
    expect(badResponse(() => parseJsonStats(gluu4({ [key]: item() }))).message).toContain(
      `${JSON.stringify(key)} at response that is not in yyyyMM form`,
    );
    expect(badResponse(() => parseJsonStats(janssen([{ month: key, ...item() }]))).message).toContain(
      "not in yyyyMM form",
    );
  });

  it("refuses a jsonmonth item whose month disagrees with its key", () => {
    const body = gluu4({ "202111": item({ month: "202112" }) });
    expect(badResponse(() => parseJsonStats(body)).message).toMatch(
      /files month "202112" under the key 202111/,
    );
  });

  it("refuses a flat list naming a month twice or an entry without a month", () => {
    const twice = janssen([
      { month: "202111", ...item() },
      { month: "202111", ...item() },
    ]);
    expect(badResponse(() => parseJsonStats(twice)).message).toMatch(/lists 2021-11 twice/);
    expect(badResponse(() => parseJsonStats(janssen([item()]))).message).toMatch(
      /without a month \(response\.0\)/,
    );
  });

  it.each<[string, string, RegExp]>([
    ["a string response", '{"response":"none"}', /neither a map of months nor a list/],
    ["a null response", '{"response":null}', /neither a map of months nor a list/],
    ["a top-level array", "[]", /the body expected object, received array/],
    ["a top-level number", "42", /the body expected object/],
    ["a list item that is not an object", '{"response":[1]}', /response\.0 expected object/],
    ["an empty body", "", /empty response/],
    ["a blank body", " \r\n\t", /empty response/],
    ["a lone brace", "{", /not valid JSON \(it ends too early, as if cut off/],
    ["a truncated body", fixture("seed-gluu4.json").slice(0, 80), /not valid JSON \(it ends too early/],
    ["an HTML page", fixture("html-error.html"), /not valid JSON \(.*starts with "<!DOCTYPE html>/],
    ["a syntax error", '{"response": {"202111": 1 x}}', /not valid JSON \(the error is at character \d+/],
    [
      "a deeply nested body",
      `${"[".repeat(200_000)}${"]".repeat(200_000)}`,
      /nested far deeper than statistics are/,
    ],
  ])("refuses %s", (_what, body, message) => {
    expect(badResponse(() => parseJsonStats(body)).message).toMatch(message);
  });

  it("reports an error object as the server's error, not as no data", () => {
    const err = badResponse(() =>
      parseJsonStats(
        '{"error":"access_denied","error_description":"access_denied","reason":"jans_stat scope is required for token."}',
      ),
    );
    expect(err.message).toContain('error "access_denied" ("jans_stat scope is required for token.")');
    expect(err.message).toMatch(/credentials and its jans_stat scope/);
  });

  it("quotes at most 60 characters of the body", () => {
    const body = `{"x": "${"y".repeat(5000)}`;
    const err = badResponse(() => parseJsonStats(body));
    expect(err.message).not.toContain("y".repeat(61));
    expect(err.message.length).toBeLessThan(400);
  });
});

describe("quoteExcerpt", () => {
  it("quotes, escapes control characters and marks a cut", () => {
    expect(quoteExcerpt('a"b\nc')).toBe('"a\\"b\\nc"');
    expect(quoteExcerpt("abcdef", 1, 3)).toBe('"bcd"…');
    expect(quoteExcerpt("abc", 0, 3)).toBe('"abc"');
  });
});
