import { describe, expect, it } from "vitest";
import { csvText, renderBillingCsv, renderCsv, renderTokensCsv } from "../../src/report/csv.js";
import { renderExporterJson, renderJson } from "../../src/report/json.js";
import { billingExport, seriesSummary } from "../../src/report/summary.js";
import { FETCHED_AT, m, stats } from "./helpers.js";

/** A strict RFC 4180 reader, written independently of the writer, to read the output back. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      record.push(field);
      field = "";
      i++;
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i += 2;
    } else if (c === '"' || c === "\r" || c === "\n") {
      throw new Error(`bare ${JSON.stringify(c)} at ${i}`);
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || record.length > 0) throw new Error("last record not terminated by CRLF");
  return records;
}

const awkward = ['a,b "quoted"', "line\nbreak", "=HYPERLINK(1)", "plain"];
const summary = seriesSummary([m(2021, 10), m(2021, 11), m(2021, 12)], {
  months: [
    stats(m(2021, 10), 1500, { authorization_code: { access_token: 5, id_token: 5 } }),
    stats(m(2021, 12), 1_234_567, {
      [awkward[0] ?? ""]: { access_token: 1 },
      [awkward[1] ?? ""]: { access_token: 2, "odd,kind": 4 },
      [awkward[2] ?? ""]: { refresh_token: 3 },
      [awkward[3] ?? ""]: { uma_token: 9 },
    }),
  ],
  noData: [m(2021, 11)],
});

describe("renderCsv", () => {
  const records = parseCsv(renderCsv(summary.rows));

  it("has a header row and one record per month, with ISO months", () => {
    expect(records[0]).toEqual([
      "month",
      "status",
      "mau",
      "tokens_total",
      "access_token",
      "id_token",
      "refresh_token",
      "uma_token",
      "odd,kind",
    ]);
    expect(records.map((r) => r[0])).toEqual(["month", "2021-10", "2021-11", "2021-12"]);
  });

  it("writes MAU and kind totals as plain digits, and leaves no-data months empty rather than 0", () => {
    expect(records[1]).toEqual(["2021-10", "ok", "1500", "10", "5", "5", "0", "0", "0"]);
    expect(records[2]).toEqual(["2021-11", "no data", "", "", "", "", "", "", ""]);
    expect(records[3]).toEqual(["2021-12", "ok", "1234567", "19", "3", "0", "3", "9", "4"]);
  });

  it("ends every record with CRLF", () => {
    const text = renderCsv(summary.rows);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.split("\r\n")).toHaveLength(records.length + 1);
  });
});

describe("renderTokensCsv", () => {
  const records = parseCsv(renderTokensCsv(summary.rows));

  it("round-trips grant types with commas, quotes and line breaks", () => {
    const grantTypes = new Set(records.slice(1).map((r) => r[1]));
    expect(grantTypes).toContain('a,b "quoted"');
    expect(grantTypes).toContain("line\nbreak");
    expect(grantTypes).toContain("plain");
  });

  it("keeps a formula-like grant type as text", () => {
    expect(records.some((r) => r[1] === "'=HYPERLINK(1)" && r[2] === "refresh_token" && r[3] === "3")).toBe(
      true,
    );
  });

  it("has one row per month, grant type and kind, and none for a month without data", () => {
    expect(records[0]).toEqual(["month", "grant_type", "token_kind", "count"]);
    expect(records.filter((r) => r[0] === "2021-11")).toEqual([]);
    expect(records.filter((r) => r[0] === "2021-10")).toHaveLength(4);
    const count = (g: string, k: string): string | undefined =>
      records.find((r) => r[0] === "2021-12" && r[1] === g && r[2] === k)?.[3];
    expect(count("line\nbreak", "odd,kind")).toBe("4");
    expect(count("plain", "uma_token")).toBe("9");
  });

  it("quotes exactly when needed", () => {
    expect(csvText("plain")).toBe("plain");
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText("-1")).toBe("'-1");
  });
});

describe("renderJson", () => {
  it("is stable: sorted keys, calendar order, null for no data", () => {
    const text = renderJson(summary, { host: "gluu.example.com", fetchedAt: FETCHED_AT });
    const value = JSON.parse(text);
    expect(value.fetchedAt).toBe("2021-12-02T09:04:00.000Z");
    expect(value.months.map((x: { month: string }) => x.month)).toEqual(["2021-10", "2021-11", "2021-12"]);
    expect(value.months[1]).toEqual({
      month: "2021-11",
      hasData: false,
      inProgress: false,
      mau: null,
      change: null,
      tokens: null,
    });
    expect(value.months[2].mau).toBe(1_234_567);
    expect(Object.keys(value.months[2].tokens)).toEqual([...awkward].sort());
    expect(value.average).toBe((1500 + 1_234_567) / 2);
    expect(value.maximum).toEqual({ month: "2021-12", mau: 1_234_567 });
    // Same data in another map order renders to the same bytes.
    const reordered = seriesSummary([m(2021, 12), m(2021, 11), m(2021, 10)], {
      months: [...summary.rows].reverse().flatMap((r) => (r.stats ? [r.stats] : [])),
      noData: [m(2021, 11)],
    });
    expect(renderJson(reordered, { host: "gluu.example.com", fetchedAt: FETCHED_AT })).toBe(text);
  });
});

describe("renderExporterJson", () => {
  it("prints the official exporter's shape and the signature", () => {
    const exp = billingExport([m(2023, 5), m(2023, 6)], {
      months: [stats(m(2023, 6), 1)],
      noData: [m(2023, 5)],
    });
    const text = renderExporterJson(exp);
    expect(JSON.parse(text)).toEqual({
      data: { "202306": 1 },
      "mau-signature": "44cb730c420480a0477b505ae68af508fb90f96cf0ec54c6ad16949dd427f13a",
    });
    expect(text).toBe(
      '{\n  "data" : {\n    "202306" : 1\n  },\n  "mau-signature" : "44cb730c420480a0477b505ae68af508fb90f96cf0ec54c6ad16949dd427f13a"\n}\n',
    );
  });
});

describe("renderBillingCsv", () => {
  it("lists month and MAU, a month without data empty, then average, maximum and the signature", () => {
    const exp = billingExport([m(2023, 5), m(2023, 6), m(2023, 7)], {
      months: [stats(m(2023, 6), 1), stats(m(2023, 7), 4)],
      noData: [m(2023, 5)],
    });
    expect(renderBillingCsv(exp)).toBe(
      [
        "month,mau",
        "2023-05,",
        "2023-06,1",
        "2023-07,4",
        "average,3",
        "maximum,4",
        `mau-signature,${exp.signature}`,
        "",
      ].join("\r\n"),
    );
  });
});
