import { describe, expect, it } from "vitest";
import type { Month } from "../../src/months.js";
import { month } from "../../src/months.js";
import { formatCommand, formatQuery, MAX_INPUT_LENGTH, parseCommand } from "../../src/query/parse.js";
import type { ParsedCommand, Query } from "../../src/query/types.js";
import { USAGE } from "../../src/query/usage.js";

/** 26 November 2026: the current month is November 2026 in every zone. */
const NOV_2026 = Date.UTC(2026, 10, 26, 12);
/** 15 January 2026: the current year has one month so far. */
const JAN_2026 = Date.UTC(2026, 0, 15, 12);
/** 31 December 2026 23:30 UTC: already 1 January 2027 in Auckland (UTC+13). */
const NYE_2026 = Date.UTC(2026, 11, 31, 23, 30);

function parse(text: string, now = NOV_2026, timeZone = "UTC") {
  return parseCommand(text, { now, timeZone });
}

function command(text: string, now = NOV_2026, timeZone = "UTC"): ParsedCommand {
  const result = parse(text, now, timeZone);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got: ${result.message}`);
  return result.command;
}

function query(text: string, now = NOV_2026, timeZone = "UTC"): Query {
  const c = command(text, now, timeZone);
  expect(c.public).toBe(false);
  return c.query;
}

function error(text: string, now = NOV_2026, timeZone = "UTC"): string {
  const result = parse(text, now, timeZone);
  if (result.ok)
    throw new Error(`expected ${JSON.stringify(text)} to fail, got ${JSON.stringify(result.command)}`);
  expect(result.usage).toBe(USAGE);
  // One sentence: a single line ending in a full stop, nothing Slack would turn into markup.
  expect(result.message).toMatch(/^[^\n]+\.$/);
  expect(result.message).not.toMatch(/[<>&]/);
  return result.message;
}

const m = (year: number, monthOfYear: number): Month => month(year, monthOfYear);
const monthQ = (year: number, monthOfYear: number, current = false): Query => ({
  kind: "month",
  month: m(year, monthOfYear),
  current,
});
const rangeQ = (from: Month, to: Month): Query => ({ kind: "range", from, to });

describe("the current month", () => {
  it.each(["", "   ", "\t\n"])("%j is the current month so far", (text) => {
    expect(query(text)).toEqual(monthQ(2026, 11, true));
  });

  it.each(["this month", "current", "CURRENT"])("%j is the current month", (text) => {
    expect(query(text)).toEqual(monthQ(2026, 11, true));
  });
});

describe("the previous month", () => {
  it.each(["last", "previous", "LAST", "  Previous ", "last month", "previous month", "prev"])(
    "%j",
    (text) => {
      expect(query(text)).toEqual(monthQ(2026, 10));
    },
  );

  it("crosses the year boundary in January", () => {
    expect(query("last", JAN_2026)).toEqual(monthQ(2025, 12));
  });
});

describe("a single month", () => {
  it.each([
    "2021-11",
    "202111",
    "11/2021",
    "Nov 2021",
    "November 2021",
    "2021/11",
    "2021.11",
    "nov-2021",
    "nov2021",
    "NOV 2021",
    "nOvEmBeR 2021",
    "nov. 2021",
    "Nov, 2021",
    "2021 nov",
    "11-2021",
    "2021 11",
    "11 2021",
    "  2021-11  ",
    "Nov    2021",
    "２０２１－１１",
  ])("%j is November 2021", (text) => {
    expect(query(text)).toEqual(monthQ(2021, 11));
  });

  it.each([
    ["2021-1", 1],
    ["1/2021", 1],
    ["2021-09", 9],
    ["Sept 2021", 9],
    ["sep 2021", 9],
    ["september 2021", 9],
    ["may 2021", 5],
    ["Dec 2021", 12],
  ])("%j is month %i of 2021", (text, monthOfYear) => {
    expect(query(text)).toEqual(monthQ(2021, monthOfYear));
  });

  it("marks the current month as current in every form", () => {
    for (const text of ["2026-11", "202611", "11/2026", "Nov 2026", "November 2026"]) {
      expect(query(text)).toEqual(monthQ(2026, 11, true));
    }
  });

  it("accepts the first month there are figures for", () => {
    expect(query("2000-01")).toEqual(monthQ(2000, 1));
  });
});

describe("a month name alone", () => {
  it.each([
    ["nov", NOV_2026, monthQ(2026, 11, true)],
    ["November", NOV_2026, monthQ(2026, 11, true)],
    ["october", NOV_2026, monthQ(2026, 10)],
    ["jan", NOV_2026, monthQ(2026, 1)],
    ["dec", NOV_2026, monthQ(2025, 12)],
    ["sept", NOV_2026, monthQ(2026, 9)],
    ["nov", JAN_2026, monthQ(2025, 11)],
    ["jan", JAN_2026, monthQ(2026, 1, true)],
    ["feb", JAN_2026, monthQ(2025, 2)],
  ])("%j is the most recent one that is not in the future", (text, now, expected) => {
    expect(query(text, now)).toEqual(expected);
  });
});

describe("a year", () => {
  it("is January to December of a past year", () => {
    expect(query("2021")).toEqual(rangeQ(m(2021, 1), m(2021, 12)));
  });

  it("is cut at the current month in the current year", () => {
    expect(query("2026")).toEqual(rangeQ(m(2026, 1), m(2026, 11)));
  });

  it("is a single current month in January of the current year", () => {
    expect(query("2026", JAN_2026)).toEqual(monthQ(2026, 1, true));
  });

  it("is a whole year in January when it is last year", () => {
    expect(query("2025", JAN_2026)).toEqual(rangeQ(m(2025, 1), m(2025, 12)));
  });

  it("is refused in the future", () => {
    expect(error("2027")).toBe("2027 is in the future; the latest month with figures is November 2026.");
  });
});

describe("a range", () => {
  it.each([
    "2021-01..2021-06",
    "2021-01 .. 2021-06",
    "2021-01...2021-06",
    "2021-01…2021-06",
    "2021-01 to 2021-06",
    "2021-01 TO 2021-06",
    "2021-01 - 2021-06",
    "2021-01–2021-06",
    "2021-01 — 2021-06",
    "2021-01 through 2021-06",
    "from 2021-01 to 2021-06",
    "jan 2021 to jun 2021",
    "January 2021..June 2021",
    "01/2021..06/2021",
    "202101..202106",
    "jan 2021 - 2021-06",
    "jan 2021 to jun",
    "2021 to jun",
  ])("%j is January to June 2021", (text) => {
    expect(query(text)).toEqual(rangeQ(m(2021, 1), m(2021, 6)));
  });

  it("may end in the current month", () => {
    expect(query("2026-01..2026-11")).toEqual(rangeQ(m(2026, 1), m(2026, 11)));
  });

  it("may end at `last`", () => {
    expect(query("2026-01 to last")).toEqual(rangeQ(m(2026, 1), m(2026, 10)));
  });

  it("gives a bare name the year that makes the range run forwards", () => {
    expect(query("nov 2025 to feb")).toEqual(rangeQ(m(2025, 11), m(2026, 2)));
    expect(query("nov to feb")).toEqual(rangeQ(m(2025, 11), m(2026, 2)));
    expect(query("feb to nov")).toEqual(rangeQ(m(2026, 2), m(2026, 11)));
    expect(query("jan to 2021")).toEqual(rangeQ(m(2021, 1), m(2021, 12)));
  });

  it("spans years given as years, cut at the current month", () => {
    expect(query("2025..2026")).toEqual(rangeQ(m(2025, 1), m(2026, 11)));
    expect(query("2020..2021")).toEqual(rangeQ(m(2020, 1), m(2021, 12)));
  });

  it(`allows exactly 24 months`, () => {
    expect(query("2021-01..2022-12")).toEqual(rangeQ(m(2021, 1), m(2022, 12)));
  });

  it("with equal ends is a single month", () => {
    expect(query("2021-03..2021-03")).toEqual(monthQ(2021, 3));
    expect(query("2026-11 to nov 2026")).toEqual(monthQ(2026, 11, true));
  });
});

describe("trend and export", () => {
  it.each(["trend", "TREND", "12m", "12M", "12 months", "last 12 months"])(
    "%j is the last 12 complete months",
    (text) => {
      expect(query(text)).toEqual({ kind: "trend", from: m(2025, 11), to: m(2026, 10) });
    },
  );

  it("ends in December when asked in January", () => {
    expect(query("trend", JAN_2026)).toEqual({ kind: "trend", from: m(2025, 1), to: m(2025, 12) });
  });

  it("export covers the same months as trend", () => {
    expect(query("export")).toEqual({ kind: "export", from: m(2025, 11), to: m(2026, 10) });
    expect(query("Export", JAN_2026)).toEqual({ kind: "export", from: m(2025, 1), to: m(2025, 12) });
  });
});

describe("help, history and post", () => {
  it.each(["help", "HELP", " help ", "?", "usage"])("%j is help", (text) => {
    expect(query(text)).toEqual({ kind: "help" });
  });

  it("history", () => {
    expect(query("history")).toEqual({ kind: "history" });
    expect(query("History")).toEqual({ kind: "history" });
  });

  it.each([
    ["post", m(2026, 10)],
    ["POST", m(2026, 10)],
    ["post 2021-11", m(2021, 11)],
    ["post Nov 2021", m(2021, 11)],
    ["post   11/2021", m(2021, 11)],
    ["post last", m(2026, 10)],
    ["post sept", m(2026, 9)],
    ["post nov", m(2026, 11)],
  ])("%j posts %o", (text, expected) => {
    expect(query(text)).toEqual({ kind: "post", month: expected });
  });

  it("post alone in January posts December", () => {
    expect(query("post", JAN_2026)).toEqual({ kind: "post", month: m(2025, 12) });
  });
});

describe("public", () => {
  it.each([
    ["2021-11 public", monthQ(2021, 11)],
    ["public", monthQ(2026, 11, true)],
    ["PUBLIC", monthQ(2026, 11, true)],
    ["public 2021-11", monthQ(2021, 11)],
    ["last public", monthQ(2026, 10)],
    ["nov 2021 public", monthQ(2021, 11)],
    ["2021-01..2021-06 public", rangeQ(m(2021, 1), m(2021, 6))],
    ["2021 public", rangeQ(m(2021, 1), m(2021, 12))],
    ["trend public", { kind: "trend", from: m(2025, 11), to: m(2026, 10) }],
    ["export public", { kind: "export", from: m(2025, 11), to: m(2026, 10) }],
  ] satisfies [string, Query][])("%j answers in the channel", (text, expected) => {
    expect(command(text)).toEqual({ query: expected, public: true });
  });

  it.each(["help public", "history public", "post public", "post 2021-11 public", "public help"])(
    "%j is refused",
    (text) => {
      expect(error(text)).toMatch(/^“public” does not go with (help|history|post); leave it off\.$/);
    },
  );

  it("is taken once", () => {
    expect(error("public public public")).toMatch(/didn't understand “public public”/);
  });
});

describe("files: csv and chart", () => {
  const TWELVE = { from: m(2025, 11), to: m(2026, 10) };
  it.each([
    ["export csv", { kind: "export", ...TWELVE }, "csv", false],
    ["EXPORT CSV", { kind: "export", ...TWELVE }, "csv", false],
    ["export csv public", { kind: "export", ...TWELVE }, "csv", true],
    ["export public csv", { kind: "export", ...TWELVE }, "csv", true],
    ["public export csv", { kind: "export", ...TWELVE }, "csv", true],
    ["trend chart", { kind: "trend", ...TWELVE }, "chart", false],
    ["trend png", { kind: "trend", ...TWELVE }, "chart", false],
    ["12 months chart public", { kind: "trend", ...TWELVE }, "chart", true],
    ["2021 chart", rangeQ(m(2021, 1), m(2021, 12)), "chart", false],
    ["2021-01..2021-06 chart", rangeQ(m(2021, 1), m(2021, 6)), "chart", false],
  ] satisfies [string, Query, "csv" | "chart", boolean][])(
    "%j asks for the file",
    (text, q, file, isPublic) => {
      const c = command(text);
      expect(c).toEqual({ query: q, public: isPublic, file });
      expect(parse(formatCommand(c))).toEqual({ ok: true, command: c });
    },
  );

  it("a question without a file word has no file", () => {
    expect(command("export")).toEqual({ query: { kind: "export", ...TWELVE }, public: false });
    expect(command("trend")).not.toHaveProperty("file");
  });

  it.each(["2021-11 csv", "trend csv", "2021 csv", "history csv", "csv"])(
    "%j: csv goes only with the export",
    (text) => {
      expect(error(text)).toBe("“csv” goes with the billing export: `/gluu-stats export csv`.");
    },
  );

  it.each(["2021-11 chart", "export chart", "last png", "help chart", "chart"])(
    "%j: a chart needs several months",
    (text) => {
      expect(error(text)).toMatch(/^“chart” draws several months: `\/gluu-stats trend chart`/);
    },
  );

  it("is taken once, and only at the end", () => {
    expect(error("export csv csv")).toMatch(/didn't understand/);
    expect(error("csv export")).toMatch(/didn't understand/);
  });
});

describe("a server named first", () => {
  const SERVERS = ["prod", "staging", "eu-west"];
  const withServers = (text: string) =>
    parseCommand(text, { now: NOV_2026, timeZone: "UTC", servers: SERVERS });

  it.each([
    ["staging 2021-11", "staging", monthQ(2021, 11)],
    ["STAGING 2021-11", "staging", monthQ(2021, 11)],
    ["eu-west trend", "eu-west", { kind: "trend", from: m(2025, 11), to: m(2026, 10) }],
    ["prod", "prod", monthQ(2026, 11, true)],
    ["prod 2021", "prod", rangeQ(m(2021, 1), m(2021, 12))],
  ] satisfies [string, string, Query][])("%j names %s", (text, server, q) => {
    const result = withServers(text);
    expect(result).toEqual({ ok: true, command: { query: q, public: false, server } });
    if (result.ok) expect(withServers(formatCommand(result.command))).toEqual(result);
  });

  it("keeps public and files after the name, and formats them back", () => {
    const result = withServers("staging export csv public");
    expect(result).toEqual({
      ok: true,
      command: {
        query: { kind: "export", from: m(2025, 11), to: m(2026, 10) },
        public: true,
        file: "csv",
        server: "staging",
      },
    });
    if (result.ok) expect(formatCommand(result.command)).toBe("staging export csv public");
  });

  it("a name that is not a server is not understood, as any other word", () => {
    const result = withServers("qa 2021-11");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/didn't understand “qa 2021-11”/);
  });

  it("without servers, a server name is just an unknown word", () => {
    expect(error("staging 2021-11")).toMatch(/didn't understand/);
  });

  it.each([
    ["all", { kind: "compare", month: m(2026, 10), current: false }],
    ["all 2021-11", { kind: "compare", month: m(2021, 11), current: false }],
    ["ALL oct", { kind: "compare", month: m(2026, 10), current: false }],
    ["all current", { kind: "compare", month: m(2026, 11), current: true }],
  ] satisfies [string, Query][])("%j compares every server for one month", (text, q) => {
    const result = withServers(text);
    expect(result).toEqual({ ok: true, command: { query: q, public: false } });
    // The canonical text names the month, so it reads the same whatever the clock says later.
    if (result.ok) {
      expect(formatCommand(result.command)).toMatch(/^all \d{4}-\d{2}$/);
      expect(withServers(formatCommand(result.command))).toEqual(result);
    }
  });

  it("`all` takes one month, may be public, and names no server", () => {
    expect(withServers("all public")).toMatchObject({ ok: true, command: { public: true } });
    for (const [text, why] of [
      ["all 2021", /single month/],
      ["all 2021-01..2021-03", /single month/],
      ["staging all", /“all” compares every server; leave out “staging”/],
      ["all csv", /“csv” goes with the billing export/],
      ["all 2031-01", /future|not happened|hasn't/i],
    ] as const) {
      const result = withServers(text);
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.message, text).toMatch(why);
    }
  });
});

describe("time zones", () => {
  it("reckons the current month in the configured zone", () => {
    expect(query("", NYE_2026, "Pacific/Auckland")).toEqual(monthQ(2027, 1, true));
    expect(query("", NYE_2026, "UTC")).toEqual(monthQ(2026, 12, true));
    expect(query("", NYE_2026, "America/Los_Angeles")).toEqual(monthQ(2026, 12, true));
  });

  it("moves `last`, names, years and trend with the zone", () => {
    expect(query("last", NYE_2026, "Pacific/Auckland")).toEqual(monthQ(2026, 12));
    expect(query("last", NYE_2026, "UTC")).toEqual(monthQ(2026, 11));
    expect(query("dec", NYE_2026, "Pacific/Auckland")).toEqual(monthQ(2026, 12));
    expect(query("dec", NYE_2026, "UTC")).toEqual(monthQ(2026, 12, true));
    expect(query("2027", NYE_2026, "Pacific/Auckland")).toEqual(monthQ(2027, 1, true));
    expect(query("trend", NYE_2026, "Pacific/Auckland")).toEqual({
      kind: "trend",
      from: m(2026, 1),
      to: m(2026, 12),
    });
    expect(query("trend", NYE_2026, "UTC")).toEqual({ kind: "trend", from: m(2025, 12), to: m(2026, 11) });
  });

  it("accepts a month that has started in the zone but is still in the future in UTC", () => {
    expect(query("2027-01", NYE_2026, "Pacific/Auckland")).toEqual(monthQ(2027, 1, true));
    expect(error("2027-01", NYE_2026, "UTC")).toBe(
      "January 2027 is in the future; the latest month with figures is December 2026.",
    );
    expect(error("2027", NYE_2026, "UTC")).toBe(
      "2027 is in the future; the latest month with figures is December 2026.",
    );
  });
});

describe("errors", () => {
  it.each([
    ["November 2030", "November 2030 is in the future; the latest month with figures is November 2026."],
    ["2026-12", "December 2026 is in the future; the latest month with figures is November 2026."],
    ["dec 2026", "December 2026 is in the future; the latest month with figures is November 2026."],
    ["2026-12..2027-01", "December 2026 is in the future; the latest month with figures is November 2026."],
    ["2026-01..2026-12", "December 2026 is in the future; the latest month with figures is November 2026."],
    ["jan 2026..2030", "2030 is in the future; the latest month with figures is November 2026."],
    ["nov 2026 to feb", "February 2027 is in the future; the latest month with figures is November 2026."],
    ["post 2026-12", "December 2026 is in the future; the latest month with figures is November 2026."],
  ])("future: %j", (text, message) => {
    expect(error(text)).toBe(message);
  });

  it.each([
    ["2021-06..2021-01", "from June 2021 to January 2021"],
    ["jun 2021 to jan 2021", "from June 2021 to January 2021"],
    ["2022 to 2021", "from January 2022 to December 2021"],
  ])("reversed: %j", (text, detail) => {
    expect(error(text)).toBe(`That range runs backwards, ${detail}; put the earlier month first.`);
  });

  it.each([
    ["2021-01..2023-06", 30],
    ["2021-01..2023-01", 25],
    ["2000..2026", 323],
    ["2021..2023", 36],
  ])("too long: %j covers %i months", (text, count) => {
    expect(error(text)).toBe(`That range covers ${count} months; ask for at most 24 at a time.`);
  });

  it.each([
    ["2021-13", "There is no month 13 in “2021-13”; months run from 1 to 12."],
    ["202113", "There is no month 13 in “202113”; months run from 1 to 12."],
    ["13/2021", "There is no month 13 in “13/2021”; months run from 1 to 12."],
    ["2021-00", "There is no month 0 in “2021-00”; months run from 1 to 12."],
    ["2021-01..2021-13", "There is no month 13 in “2021-13”; months run from 1 to 12."],
    ["post 2021-13", "There is no month 13 in “2021-13”; months run from 1 to 12."],
  ])("month out of range: %j", (text, message) => {
    expect(error(text)).toBe(message);
  });

  it.each(["1999-12", "1999", "dec 1999", "0000", "0001-01", "1999..2000-06"])(
    "year before 2000: %j",
    (text) => {
      expect(error(text)).toMatch(
        /^“[^”]+” is before January 2000, the earliest month with figures; pick a later month\.$/,
      );
    },
  );

  it.each([
    ["last", Date.UTC(2000, 0, 15)],
    ["post", Date.UTC(2000, 0, 15)],
    ["nov", Date.UTC(2000, 5, 15)],
    ["nov to feb", Date.UTC(2000, 2, 15)],
  ])("relative month before 2000: %j", (text, now) => {
    expect(error(text, now)).toBe(
      "That is before January 2000, the earliest month with figures; pick a later month.",
    );
  });

  it.each(["trend", "export"])("%j before 12 complete months exist", (text) => {
    expect(error(text, Date.UTC(2000, 11, 15))).toBe(
      "There are not yet 12 complete months since January 2000; ask for a range instead.",
    );
    expect(query(text, Date.UTC(2001, 0, 15))).toEqual({ kind: text, from: m(2000, 1), to: m(2000, 12) });
  });

  it.each([
    "foo",
    "20211",
    "2021-11-05",
    "11",
    "2021-123",
    "novembre 2021",
    "helpme",
    "trend 2021",
    "posting",
    "2021-01 to",
    "12",
    "nov 21",
    "21 nov",
    "last year",
  ])("nonsense: %j", (text) => {
    expect(error(text)).toMatch(/^I didn't understand “[^”]+”; try a month such as/);
  });

  it("quotes the nonsense back", () => {
    expect(error("foo")).toBe(
      "I didn't understand “foo”; try a month such as `2021-11`, a range such as `2021-01..2021-06`, or `help`.",
    );
  });

  it("names the side of a range it did not understand", () => {
    expect(error("2021-01..banana")).toMatch(/^I didn't understand “banana”/);
  });

  it.each(["..2021-06", "2021-01..", "2021-01..2021-03..2021-06", "2021-01 to 2021-03 to 2021-06"])(
    "malformed range: %j",
    (text) => {
      expect(error(text)).toBe("A range needs one month on each side, e.g. `2021-01..2021-06`.");
    },
  );

  it.each(["post 2021", "post 2021-01..2021-03", "post trend", "post jan to mar"])("post: %j", (text) => {
    expect(error(text)).toMatch(
      /^(`post` takes a single month, e\.g\. `post 2021-11`\.|I didn't understand “trend”.*)$/,
    );
  });

  it("overlong input is refused before anything else", () => {
    expect(error("x".repeat(MAX_INPUT_LENGTH + 1))).toBe(
      "That command is 201 characters long; keep it to 200 or fewer.",
    );
    expect(error(`2021-11${" ".repeat(1_000_000)}`)).toMatch(/^That command is 1000007 characters long/);
  });

  it("input of exactly the cap is parsed", () => {
    expect(query(`${" ".repeat(MAX_INPUT_LENGTH - 7)}2021-11`)).toEqual(monthQ(2021, 11));
  });
});

describe("echoing user input", () => {
  it("strips what Slack would read as markup", () => {
    const message = error("<!channel> & <@U123|bob> `x`");
    expect(message).toContain("“!channel @u123|bob x”");
  });

  it("says `that` when nothing printable is left", () => {
    expect(error("<>")).toMatch(/^I didn't understand that; /);
    expect(error("\u202e\u0007")).toMatch(/^I didn't understand that; /);
  });

  it("truncates long input by code point", () => {
    const message = error("😀".repeat(100));
    expect(message).toContain(`“${"😀".repeat(39)}…”`);
    expect(message).not.toMatch(/\p{Cs}/u);
  });

  it("truncates long text to 40 characters", () => {
    const message = error(`${"a".repeat(50)} b`);
    expect(message).toContain(`“${"a".repeat(39)}…”`);
  });
});

describe("options", () => {
  it("refuses an invalid time zone", () => {
    expect(() => parseCommand("", { now: NOV_2026, timeZone: "Mars/Olympus_Mons" })).toThrow(/time zone/);
  });

  it("refuses a clock that is not a number", () => {
    expect(() => parseCommand("", { now: Number.NaN, timeZone: "UTC" })).toThrow();
    expect(() => parseCommand("", { now: Number.POSITIVE_INFINITY, timeZone: "UTC" })).toThrow();
  });
});

describe("formatQuery", () => {
  it.each([
    [monthQ(2026, 11, true), ""],
    [monthQ(2021, 11), "2021-11"],
    [monthQ(2021, 1), "2021-01"],
    [rangeQ(m(2021, 1), m(2021, 6)), "2021-01..2021-06"],
    [{ kind: "trend", from: m(2025, 11), to: m(2026, 10) }, "trend"],
    [{ kind: "export", from: m(2025, 11), to: m(2026, 10) }, "export"],
    [{ kind: "help" }, "help"],
    [{ kind: "history" }, "history"],
    [{ kind: "post", month: m(2021, 11) }, "post 2021-11"],
  ] satisfies [Query, string][])("%o is %j", (q, text) => {
    expect(formatQuery(q)).toBe(text);
    expect(query(text)).toEqual(q);
  });

  it("formatCommand adds `public`", () => {
    expect(formatCommand({ query: monthQ(2026, 11, true), public: true })).toBe("public");
    expect(formatCommand({ query: monthQ(2021, 11), public: true })).toBe("2021-11 public");
    expect(formatCommand({ query: monthQ(2021, 11), public: false })).toBe("2021-11");
    expect(command("2021-11 public")).toEqual({ query: monthQ(2021, 11), public: true });
  });
});

describe("USAGE", () => {
  const examples = [...USAGE.matchAll(/`([^`]*)`/g)].map((match) => match[1] ?? "");

  it("has examples of every form", () => {
    for (const form of ["last", "2021-11", "202111", "11/2021", "Nov 2021", "November 2021", "nov", "2021"]) {
      expect(examples).toContain(form);
    }
    for (const form of [
      "trend",
      "12m",
      "export",
      "post",
      "post 2021-11",
      "history",
      "help",
      "2021-11 public",
    ]) {
      expect(examples).toContain(form);
    }
    expect(examples.some((e) => e.includes(".."))).toBe(true);
    expect(examples.some((e) => e.includes(" to "))).toBe(true);
  });

  it("every example parses", () => {
    const commands = examples.filter((e) => !e.startsWith("/"));
    expect(commands.length).toBeGreaterThan(15);
    for (const example of commands) {
      expect(parse(example).ok, example).toBe(true);
    }
  });

  it("has nothing Slack would read as markup", () => {
    expect(USAGE).not.toMatch(/[<>&]/);
  });
});
