import { describe, expect, it } from "vitest";
import type { StatFormat } from "../../../src/config/index.js";
import { detectStatFormat, parseStatBody } from "../../../src/gluu/parse/index.js";
import { badResponse, fixture, SEED } from "./helpers.js";

const FORMATS: StatFormat[] = ["json", "openmetrics"];

describe("parseStatBody", () => {
  it.each([
    "seed-openmetrics.txt",
    "newer-client-openmetrics.txt",
    "seed-gluu4.json",
    "seed-jsonmonth.json",
    "seed-janssen.json",
  ])("reads %s as the seed's data whichever format was asked for", (name) => {
    for (const format of FORMATS) expect(parseStatBody(fixture(name), format)).toStrictEqual(SEED);
  });

  it("reads the one-line OpenMetrics form labelled as JSON by the server", () => {
    const months = parseStatBody(fixture("oneline-openmetrics.txt"), "json");
    expect(months.map((m) => [m.month, m.mau])).toEqual([
      [{ year: 2021, month: 11 }, 2],
      [{ year: 2021, month: 12 }, 10_000_000],
    ]);
  });

  it("names an HTML error page by its title and points at the URL", () => {
    for (const format of FORMATS) {
      const err = badResponse(() => parseStatBody(fixture("html-error.html"), format));
      expect(err.message).toContain('HTML page ("502 Bad Gateway")');
      expect(err.message).toMatch(/server URL points at the Gluu or Janssen server itself/);
    }
    const untitled = badResponse(() => parseStatBody("  <p>Service Unavailable</p>", "openmetrics"));
    expect(untitled.message).toContain('HTML page ("<p>Service Unavailable</p>")');
  });

  it.each(["", "   ", "\n\r\n", "\uFEFF"])("refuses the empty body %j in either format", (body) => {
    for (const format of FORMATS) {
      expect(badResponse(() => parseStatBody(body, format)).message).toMatch(/empty response/);
    }
  });

  it("reads plain-text garbage as the format asked for, so the message fits the request", () => {
    expect(badResponse(() => parseStatBody("Internal Server Error", "json")).message).toMatch(
      /not valid JSON .*"Internal Server Error"/,
    );
    expect(badResponse(() => parseStatBody("Internal Server Error", "openmetrics")).message).toMatch(
      /OpenMetrics statistics response could not be read at line 1/,
    );
  });

  it("refuses an unterminated label set and a truncated payload in either format", () => {
    const seed = fixture("seed-openmetrics.txt");
    for (const format of FORMATS) {
      expect(
        badResponse(() => parseStatBody(seed.slice(0, seed.indexOf("\n} 144.0")), format)).message,
      ).toMatch(/line 9, column 56: the body ends in the label set opened at line 9/);
      expect(badResponse(() => parseStatBody(seed.slice(0, -3), format)).message).toMatch(/looks cut off/);
      expect(
        badResponse(() => parseStatBody(fixture("seed-janssen.json").slice(0, 50), format)).message,
      ).toMatch(/not valid JSON \(it ends too early/);
    }
  });
});

describe("detectStatFormat", () => {
  it.each<[string, StatFormat, ReturnType<typeof detectStatFormat>]>([
    ["# HELP x y\n", "json", "openmetrics"],
    ['access_token{month="202111"} 1\n', "json", "openmetrics"],
    ["monthly_active_users 2.0\n", "json", "openmetrics"],
    ["up NaN\n", "json", "openmetrics"],
    ['  \n{"response":{}}', "openmetrics", "json"],
    ["[1]", "openmetrics", "json"],
    ["<html>", "json", "html"],
    ["\uFEFF<html>", "openmetrics", "html"],
    ["null", "openmetrics", "openmetrics"],
    ["null", "json", "json"],
    ["Internal Server Error", "json", "json"],
    ["", "json", "empty"],
    [" \t\n", "openmetrics", "empty"],
  ])("%j asked as %s → %s", (body, asked, want) => {
    expect(detectStatFormat(body, asked)).toBe(want);
  });
});
