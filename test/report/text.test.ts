import { describe, expect, it } from "vitest";
import { monthView, seriesView } from "../../src/answer/index.js";
import type { MonthStats } from "../../src/gluu/model.js";
import type { Month } from "../../src/months.js";
import { codePointLength } from "../../src/report/format.js";
import { billingExport } from "../../src/report/summary.js";
import { alignTable, renderExportText, renderTextView } from "../../src/report/text.js";
import { FETCHED_AT, m, stats } from "./helpers.js";

/** The lines from the table header (starting with `first`) to the next blank line. */
function tableLines(text: string, first: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(first));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf("", start);
  return lines.slice(start, end);
}

const nov = stats(m(2021, 11), 12_345, {
  client_credentials: { access_token: 10 },
  authorization_code: { access_token: 1_440_000, id_token: 144, refresh_token: 3 },
  "urn:ietf:params:oauth:grant-type:uma-ticket": { uma_token: 7 },
});
const oct = stats(m(2021, 10), 11_111);

function monthText(
  month: Month,
  current: boolean,
  shown: readonly MonthStats[],
  host = "gluu.example.com",
): string {
  return renderTextView(
    monthView(
      { month, current, result: { months: shown, noData: [] } },
      { host, fetchedAt: FETCHED_AT, timeZone: "UTC" },
    ),
  );
}

describe("renderTextView: one month", () => {
  const text = monthText(m(2021, 11), true, [oct, nov]);

  it("shows MAU so far and the previous month's whole figure for scale, not a change", () => {
    expect(text).toContain("November 2021 (so far)");
    expect(text).toContain("Monthly active users: 12,345 so far");
    expect(text).toContain("October 2021, whole month: 11,111");
    expect(text).not.toMatch(/Change vs|[▲▼]/);
    expect(text).toContain("gluu.example.com · fetched Dec 2, 2021, 09:04 UTC");
  });

  it("shows the change of a closed month", () => {
    expect(monthText(m(2021, 11), false, [oct, nov])).toContain("Change vs October 2021: ▲ +1,234 (+11.1%)");
  });

  it("labels the month in progress with its day", () => {
    const view = monthView(
      {
        month: m(2021, 11),
        current: true,
        progress: { day: 2, days: 30 },
        result: { months: [oct, nov], noData: [] },
      },
      { host: "h", fetchedAt: FETCHED_AT, timeZone: "UTC" },
    );
    expect(renderTextView(view).split("\n")[0]).toBe("November 2021, day 2 of 30");
  });

  it("tabulates tokens per grant type and kind with totals", () => {
    const table = tableLines(text, "Grant type");
    expect(table[0]?.split(/\s{2,}/)).toEqual(["Grant type", "Access", "ID", "Refresh", "UMA", "Total"]);
    expect(table[2]?.split(/\s{2,}/)).toEqual([
      "Authorization code",
      "1,440,000",
      "144",
      "3",
      "0",
      "1,440,147",
    ]);
    expect(table[3]?.split(/\s{2,}/)).toEqual(["Client credentials", "10", "0", "0", "0", "10"]);
    expect(table[4]?.split(/\s{2,}/)).toEqual(["UMA ticket", "0", "0", "0", "7", "7"]);
    expect(table.at(-1)?.split(/\s{2,}/)).toEqual(["Total", "1,440,010", "144", "3", "7", "1,440,164"]);
    expect(text).toContain("Tokens issued: 1,440,164");
  });

  it("aligns the table: every line has the same width and numbers are right-aligned", () => {
    const table = tableLines(text, "Grant type");
    const widths = new Set(table.map(codePointLength));
    expect(widths.size).toBe(1);
    const totalColumnEnd = table[0]?.length;
    expect(table[3]?.endsWith("10")).toBe(true);
    expect(table[3]?.length).toBe(totalColumnEnd);
  });

  it("says no data, without any zero figure, for a month without data", () => {
    const empty = monthText(m(2021, 9), false, [], "h");
    expect(empty).toContain("No data for September 2021");
    expect(empty).not.toMatch(/(?<![\d.,:])0(?![\d.,:])/);
  });

  it("keeps terminal control sequences from the server out of the output", () => {
    const evil = monthText(
      m(2021, 11),
      false,
      [stats(m(2021, 11), 1, { "x\u001b[2J\ny": { access_token: 1 } })],
      "h\u001b]0;pwned\u0007",
    );
    expect(evil).not.toMatch(/\p{Cc}(?<!\n)/u);
  });
});

describe("renderTextView: a range", () => {
  const months: Month[] = [m(2021, 1), m(2021, 2), m(2021, 3), m(2021, 4)];
  const text = renderTextView(
    seriesView(
      {
        series: "range",
        title: "MAU, January to April 2021",
        months,
        result: {
          months: [stats(m(2021, 1), 1000), stats(m(2021, 3), 2000), stats(m(2021, 4), 500)],
          noData: [m(2021, 2)],
        },
      },
      { host: "gluu.example.com", fetchedAt: FETCHED_AT, timeZone: "UTC" },
    ),
  );
  const table = tableLines(text, "Month");

  it("lists every month with right-aligned MAU, change and no-data marks", () => {
    expect(table).toHaveLength(2 + 4);
    expect(table[2]).toMatch(/^Jan 2021\s+1,000\s/);
    expect(table[3]).toMatch(/^Feb 2021\s+no data\s*$/);
    expect(table[4]).toMatch(/^Mar 2021\s+2,000\s/);
    expect(table[5]).toMatch(/^Apr 2021\s+500\s+▼ -75\.0%\s/);
  });

  it("aligns every table line to the same width", () => {
    expect(new Set(table.map(codePointLength)).size).toBe(1);
    const mauEnd = table[2]?.indexOf("1,000") ?? -1;
    expect(table[4]?.indexOf("2,000")).toBe(mauEnd);
    expect((table[5]?.indexOf("500") ?? 0) + 3).toBe(mauEnd + 5);
  });

  it("draws bars in proportion to the maximum", () => {
    const bar = (line: string | undefined): number => (line?.match(/█/g) ?? []).length;
    expect(bar(table[4])).toBe(30);
    expect(bar(table[2])).toBe(15);
    expect(bar(table[5])).toBe(8); // 500 / 2000 * 30 = 7.5, rounded
    expect(bar(table[3])).toBe(0);
  });

  it("gives the average over months with data and the maximum", () => {
    expect(text).toContain("Average: 1,167 (over the 3 of 4 months with data)"); // 3500 / 3
    expect(text).toContain("Maximum: 2,000 in March 2021");
    expect(text).toContain("No data: Feb 2021");
  });
});

describe("alignTable", () => {
  it("pads by code points, so astral characters do not shift columns", () => {
    const lines = alignTable(
      ["Name", "N"],
      [
        ["😀😀", "1"],
        ["abc", "22"],
      ],
      ["left", "right"],
    );
    expect(new Set(lines.map(codePointLength)).size).toBe(1);
  });
});

describe("renderExportText", () => {
  const months = Array.from({ length: 12 }, (_, i) => m(i === 0 ? 2020 : 2021, i === 0 ? 12 : i));
  const maus = [400, 500, 550, 600, 620, 640, 660, 680, 700, 750, 800, 900];

  it("prints each month's MAU, the average, the maximum and the signature line", () => {
    const exp = billingExport(months, { months: months.map((mm, i) => stats(mm, maus[i] ?? 0)), noData: [] });
    const text = renderExportText(exp, { host: "gluu.example.com", fetchedAt: FETCHED_AT, timeZone: "UTC" });
    expect(text).toMatch(/^2020-12\s+400$/m);
    expect(text).toMatch(/^2021-11\s+900$/m);
    expect(text).toContain("average: 650 (over the 12 months with data)");
    expect(text).toContain("maximum: 900 (2021-11)");
    expect(text).toContain(
      "mau-signature: c525ed5e2d690bd809986eb6b290805424e3eb90fc0d3de96c1eec2f13055c8b\n",
    );
  });

  it("marks months without data and explains they are not in the signature", () => {
    const exp = billingExport(months, {
      months: months.slice(1).map((mm) => stats(mm, 10)),
      noData: [m(2020, 12)],
    });
    const text = renderExportText(exp);
    expect(text).toMatch(/^2020-12\s+no data$/m);
    expect(text).toContain("No data for 2020-12");
    expect(text).toContain("average: 10 (over the 11 months with data)");
  });
});
