import type { types as slack } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { exportView, monthButtons, monthView, seriesView } from "../../src/answer/index.js";
import type { MonthStats } from "../../src/gluu/model.js";
import {
  ACTION_IDS,
  checkBlockLimits,
  escapeMrkdwn,
  renderErrorMessage,
  renderExportMessage,
  renderHelpMessage,
  renderMonthMessage,
  renderRefusal,
  renderSeriesMessage,
  renderUsageError,
  SLACK_LIMITS,
  type SlackMessage,
} from "../../src/report/slack/index.js";
import type { MonthButtons, MonthView } from "../../src/report/view.js";
import { allText, FETCHED_AT, m, STANDALONE_ZERO, stats } from "./helpers.js";

type Button = slack.Button;

function buttons(message: SlackMessage): Button[] {
  return message.blocks.flatMap((b) =>
    b.type === "actions" ? b.elements.filter((e): e is Button => e.type === "button") : [],
  );
}

function fieldTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((b) => (b.type === "section" ? (b.fields ?? []).map((f) => f.text) : []));
}

/** The table block's cells as text, header row first. */
function tableTexts(message: SlackMessage): string[][] {
  const table = message.blocks.find((b) => b.type === "table");
  if (table?.type !== "table") return [];
  return table.rows.map((row) => row.map((c) => ("text" in c && typeof c.text === "string" ? c.text : "")));
}

/** Every mrkdwn text object: where Slack parses `<…>` mentions and links. */
function mrkdwnTexts(message: SlackMessage): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (typeof v === "object" && v !== null) {
      const o = v as Record<string, unknown>;
      if (o.type === "mrkdwn" && typeof o.text === "string") out.push(o.text);
      for (const x of Object.values(o)) walk(x);
    }
  };
  walk(message.blocks);
  return out;
}

// November 2021 seen in 2026: every button is there.
const nav = monthButtons(m(2021, 11), m(2026, 1));

const nov = stats(m(2021, 11), 12_345, {
  authorization_code: { access_token: 144, id_token: 144 },
  client_credentials: { access_token: 10 },
});
const oct = stats(m(2021, 10), 11_111);

interface MonthCase {
  readonly current?: boolean;
  readonly stats?: MonthStats | undefined;
  readonly previous?: MonthStats | undefined;
  readonly host?: string;
  readonly buttons?: MonthButtons;
}

/** November 2021 with October before it, unless a case says otherwise (`undefined`: no data). */
function monthInput(c: MonthCase = {}): MonthView {
  const months = ["previous" in c ? c.previous : oct, "stats" in c ? c.stats : nov].filter(
    (s): s is MonthStats => s !== undefined,
  );
  return monthView(
    {
      month: m(2021, 11),
      current: c.current ?? false,
      result: { months, noData: [] },
      buttons: c.buttons ?? nav,
    },
    { host: c.host ?? "gluu.example.com", fetchedAt: FETCHED_AT, timeZone: "Europe/Berlin" },
  );
}

describe("renderMonthMessage", () => {
  it("shows the month, the MAU and the change with the right numbers", () => {
    const message = renderMonthMessage(monthInput());
    expect(message.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "November 2021" },
    });
    const fields = fieldTexts(message);
    expect(fields).toContain("*Monthly active users*\n*12,345*");
    expect(fields).toContain("*Change vs October 2021*\n▲ +1,234 (+11.1%)");
    expect(message.text).toBe(
      "November 2021: 12,345 monthly active users (▲ +11.1% vs October 2021). Tokens issued: 298 (Authorization code 288; Client credentials 10).",
    );
    expect(checkBlockLimits(message)).toEqual([]);
  });

  it("shows a fall with a down arrow and a negative percentage", () => {
    const message = renderMonthMessage(monthInput({ previous: stats(m(2021, 10), 13_717) }));
    expect(fieldTexts(message)).toContain("*Change vs October 2021*\n▼ -1,372 (-10.0%)");
  });

  it("shows tokens per grant type as a table: kinds in columns, numbers right-aligned", () => {
    const message = renderMonthMessage(monthInput());
    expect(tableTexts(message)).toEqual([
      ["Grant type", "Tokens", "Access", "ID", "Refresh", "UMA"],
      ["Authorization code", "288", "144", "144", "0", "0"],
      ["Client credentials", "10", "10", "0", "0", "0"],
    ]);
    const table = message.blocks.find((b) => b.type === "table");
    expect(table?.type === "table" && table.column_settings?.map((c) => c.align)).toEqual([
      "left",
      "right",
      "right",
      "right",
      "right",
      "right",
    ]);
    // The totals per kind stay in a section, the breakdown in the text: both searchable.
    expect(fieldTexts(message)).toEqual(expect.arrayContaining(["*Access*\n154", "*ID*\n144"]));
    expect(message.blocks.filter((b) => b.type === "table")).toHaveLength(1);
  });

  it("shows tokens per kind and per grant type as fields where no table may go", () => {
    const message = renderMonthMessage(monthInput(), { grantTable: false });
    expect(message.blocks.some((b) => b.type === "table")).toBe(false);
    const fields = fieldTexts(message);
    expect(fields).toEqual(
      expect.arrayContaining([
        "*Access*\n154",
        "*ID*\n144",
        "*Authorization code*\n288 tokens · Access 144 · ID 144",
        "*Client credentials*\n10 tokens · Access 10",
      ]),
    );
    expect(allText(message)).toContain("*Tokens issued:* 298");
  });

  it("says so far for the current month and never offers the month after it", () => {
    const message = renderMonthMessage(
      monthInput({ current: true, buttons: monthButtons(m(2021, 11), m(2021, 11)) }),
    );
    expect(message.blocks[0]).toMatchObject({ text: { text: "November 2021 (so far)" } });
    expect(fieldTexts(message)).toContain("*Monthly active users*\n*12,345* so far");
    expect(message.text).toContain("12,345 monthly active users so far");
    const ids = buttons(message).map((b) => b.action_id);
    expect(ids).not.toContain(ACTION_IDS.next);
    expect(ids).toEqual([ACTION_IDS.prev, ACTION_IDS.trend, ACTION_IDS.share]);
  });

  it("puts the canonical commands into the buttons", () => {
    const message = renderMonthMessage(monthInput());
    expect(buttons(message).map((b) => [b.action_id, b.text.text, b.value])).toEqual([
      ["gluu_stats_prev", "◀ October 2021", "2021-10"],
      ["gluu_stats_next", "December 2021 ▶", "2021-12"],
      ["gluu_stats_trend", "12-month trend", "trend"],
      ["gluu_stats_share", "Share in channel", "2021-11 public"],
    ]);
  });

  it("omits the next button when there is no next command, and buttons that could not be sent", () => {
    const message = renderMonthMessage(
      monthInput({
        buttons: {
          prev: { month: m(2021, 10), value: "x".repeat(SLACK_LIMITS.buttonValue + 1) },
          trend: { value: "trend" },
        },
      }),
    );
    expect(buttons(message).map((b) => b.action_id)).toEqual([ACTION_IDS.trend]);
  });

  it("names the server, the fetch time in the team's zone and the estimate", () => {
    const text = allText(renderMonthMessage(monthInput()));
    expect(text).toContain("gluu.example.com · fetched Dec 2, 2021, 10:04 GMT+1");
    expect(text).toContain("HyperLogLog estimate (about 0.6% error)");
  });

  it("says no data, and shows no zeros, for a month without data", () => {
    const message = renderMonthMessage(monthInput({ stats: undefined, previous: undefined }));
    const text = allText(message);
    expect(text).toContain("No data for November 2021");
    expect(text).not.toMatch(STANDALONE_ZERO);
    expect(text).not.toContain("Tokens");
    expect(message.text).toBe("November 2021: no data.");
  });

  it("says no data, without zeros, for the current month before any figures exist", () => {
    const text = allText(
      renderMonthMessage(monthInput({ current: true, stats: undefined, previous: undefined })),
    );
    expect(text).toContain("No data for November 2021");
    expect(text).not.toMatch(STANDALONE_ZERO);
  });

  it("has no change without data for the previous month", () => {
    const text = allText(renderMonthMessage(monthInput({ previous: undefined })));
    expect(text).not.toMatch(/[▲▼]|Change vs/);
  });

  it("escapes server-provided names for mrkdwn", () => {
    const message = renderMonthMessage(
      monthInput({
        stats: stats(m(2021, 11), 1, { "<!channel> & <@U123|x>": { access_token: 1 } }),
        host: "a<b>&c",
      }),
    );
    // mrkdwn and the fallback text are escaped; a table's raw_text cell is shown as written.
    expect(mrkdwnTexts(message).join("\n")).not.toMatch(/<!channel>|<@U123/);
    expect(message.text).not.toMatch(/<!channel>|<@U123/);
    expect(tableTexts(message)[1]?.[0]).toBe("<!channel> & <@U123|x>");
    const fields = fieldTexts(
      renderMonthMessage(
        monthInput({
          stats: stats(m(2021, 11), 1, { "<!channel> & <@U123|x>": { access_token: 1 } }),
          host: "a<b>&c",
        }),
        { grantTable: false },
      ),
    );
    expect(fields.some((f) => f.startsWith("*&lt;!channel&gt; &amp; &lt;@U123|x&gt;*"))).toBe(true);
    expect(allText(message)).toContain("a&lt;b&gt;&amp;c · fetched");
  });

  it("folds grant types past the first twelve into one field with their total", () => {
    const tokens: Record<string, Record<string, number>> = {};
    for (let i = 1; i <= 30; i++) tokens[`grant_${String(i).padStart(2, "0")}`] = { access_token: i * 1000 };
    const message = renderMonthMessage(monthInput({ stats: stats(m(2021, 11), 5, tokens) }), {
      grantTable: false,
    });
    // Shown: the twelve largest, grant 30 down to grant 19; folded: grants 1..18.
    // 1,000 + 2,000 + … + 18,000 = 171,000
    expect(fieldTexts(message)).toContain("*18 more grant types*\n171,000 tokens");
    expect(fieldTexts(message)).toContain("*Grant 30*\n30,000 tokens · Access 30,000");
    expect(fieldTexts(message).some((f) => f.startsWith("*Grant 18*"))).toBe(false);
    expect(checkBlockLimits(message)).toEqual([]);
  });

  it("stays within Slack's limits with 30 grant types of very long names and huge counts", () => {
    const tokens: Record<string, Record<string, number>> = {};
    for (let i = 0; i < 30; i++) {
      const counts: Record<string, number> = { access_token: Number.MAX_SAFE_INTEGER, id_token: 1e308 };
      for (let k = 0; k < 12; k++) counts[`kind_${k}_${"&".repeat(200)}`] = Number.MAX_SAFE_INTEGER - k;
      tokens[`urn:${"&<>".repeat(400)}:${i}`] = counts;
    }
    const message = renderMonthMessage(
      monthInput({ stats: stats(m(2021, 11), Number.MAX_SAFE_INTEGER, tokens) }),
    );
    expect(checkBlockLimits(message)).toEqual([]);
    // All 30 grant types are rows; past 4 kinds the rest fold into "Other kinds" to stay in budget.
    const rows = tableTexts(message);
    expect(rows).toHaveLength(31);
    expect(rows[0]?.length).toBeLessThanOrEqual(20);
    expect(rows[0]?.at(-1)).toBe("Other kinds");
    const fields = renderMonthMessage(
      monthInput({ stats: stats(m(2021, 11), Number.MAX_SAFE_INTEGER, tokens) }),
      {
        grantTable: false,
      },
    );
    expect(checkBlockLimits(fields)).toEqual([]);
    const grantFields = fieldTexts(fields).filter((f) => f.includes("tokens"));
    expect(grantFields.length).toBeGreaterThan(1);
    expect(grantFields.at(-1)).toMatch(/^\*\d+ more grant types\*/);
  });
});

describe("renderSeriesMessage", () => {
  const months = [m(2021, 1), m(2021, 2), m(2021, 3), m(2021, 4)];
  const source = { host: "gluu.example.com", fetchedAt: FETCHED_AT, timeZone: "UTC" };
  const message = renderSeriesMessage(
    seriesView(
      {
        series: "range",
        title: "MAU trend: Jan – Apr 2021",
        months,
        result: {
          months: [stats(m(2021, 1), 1000), stats(m(2021, 3), 2000), stats(m(2021, 4), 500)],
          noData: [m(2021, 2)],
        },
        share: { value: "2021-01..2021-04 public" },
      },
      source,
    ),
  );
  const text = allText(message);

  it("has a table row per month with MAU and change, and marks months without data", () => {
    expect(tableTexts(message)).toEqual([
      ["Month", "MAU", "Change"],
      ["Jan 2021", "1,000", "–"],
      ["Feb 2021", "no data", "–"],
      ["Mar 2021", "2,000", "–"],
      ["Apr 2021", "500", "▼ -75.0%"],
    ]);
    expect(text).toContain("Jan 2021 1,000; Feb 2021 no data; Mar 2021 2,000; Apr 2021 500");
  });

  it("charts MAU per month as a line with the average; a month without data is a gap", () => {
    const chart = message.blocks.find((b) => b.type === "data_visualization");
    expect(chart?.type === "data_visualization" && chart.chart).toEqual({
      type: "line",
      axis_config: {
        categories: ["Jan 2021", "Feb 2021", "Mar 2021", "Apr 2021"],
        y_label: "Monthly active users",
      },
      series: [
        {
          name: "MAU",
          data: [
            { label: "Jan 2021", value: 1000 },
            { label: "Mar 2021", value: 2000 },
            { label: "Apr 2021", value: 500 },
          ],
        },
        {
          name: "Average",
          data: ["Jan 2021", "Feb 2021", "Mar 2021", "Apr 2021"].map((label) => ({ label, value: 1167 })),
        },
      ],
    });
  });

  it("gives the average over months with data and the maximum", () => {
    expect(fieldTexts(message)).toEqual([
      "*Average*\n1,167\n_over the 3 months with data_",
      "*Maximum*\n2,000 in March 2021",
      "*No data*\nFeb 2021",
    ]);
    expect(message.text).toBe(
      "MAU trend: Jan – Apr 2021: average 1,167 MAU over 3 months with data, maximum 2,000 in March 2021; no data for 1 month. Jan 2021 1,000; Feb 2021 no data; Mar 2021 2,000; Apr 2021 500.",
    );
  });

  it("offers sharing and stays within limits", () => {
    expect(buttons(message).map((b) => b.action_id)).toEqual([ACTION_IDS.share]);
    expect(checkBlockLimits(message)).toEqual([]);
  });

  it("says when no month has data, without zeros", () => {
    const empty = renderSeriesMessage(
      seriesView(
        { series: "range", title: "Range", months, result: { months: [], noData: months } },
        { ...source, host: "h" },
      ),
    );
    expect(allText(empty)).toContain("Jan 2021, Feb 2021, Mar 2021, Apr 2021");
    expect(allText(empty)).not.toMatch(STANDALONE_ZERO);
  });

  it("lists the most recent 99 months of a very long range, charts the last 20, and says so", () => {
    const long = Array.from({ length: 100 }, (_, i) => ({
      year: 2010 + Math.floor(i / 12),
      month: (i % 12) + 1,
    }));
    const msg = renderSeriesMessage(
      seriesView(
        {
          series: "range",
          title: "Long",
          months: long,
          result: { months: long.map((mm, i) => stats(mm, i + 1)), noData: [] },
        },
        { ...source, host: "h" },
      ),
    );
    expect(allText(msg)).toContain("1 earlier month not shown");
    expect(tableTexts(msg).at(-1)?.slice(0, 2)).toEqual(["Apr 2018", "100"]);
    expect(tableTexts(msg)).toHaveLength(100);
    expect(allText(msg)).toContain("The chart shows the last 20 months of 100.");
    const chart = msg.blocks.find((b) => b.type === "data_visualization");
    expect(chart?.type === "data_visualization" && chart.chart.axis_config.categories[0]).toBe("Sep 2016");
    expect(checkBlockLimits(msg)).toEqual([]);
  });
});

describe("renderExportMessage", () => {
  const months = Array.from({ length: 12 }, (_, i) => m(i === 0 ? 2020 : 2021, i === 0 ? 12 : i));
  const maus = [400, 500, 550, 600, 620, 640, 660, 680, 700, 750, 800, 900];
  const view = exportView(
    {
      months,
      result: {
        months: months.flatMap((mm, i) => (i === 2 ? [] : [stats(mm, maus[i] ?? 0)])),
        noData: [m(2021, 2)],
      },
    },
    { host: "gluu.example.com", fetchedAt: FETCHED_AT, timeZone: "UTC" },
  );
  const exp = view.export;
  const message = renderExportMessage(view);
  const text = allText(message);

  it("lists each month, the average, the maximum and the signature", () => {
    expect(text).toMatch(/^2020-12\s+400$/m);
    expect(text).toMatch(/^2021-02\s+no data$/m);
    expect(fieldTexts(message)).toContain(
      `*Average*\n${Math.round((7800 - 550) / 11)}\n_over the 11 months with data_`,
    );
    expect(fieldTexts(message)).toContain("*Maximum*\n900 in November 2021");
    expect(text).toContain(`\`${exp.signature}\``);
    expect(message.text).toContain(`mau-signature ${exp.signature}`);
    expect(checkBlockLimits(message)).toEqual([]);
  });

  it("warns about months without data", () => {
    expect(text).toContain("*No data for 2021-02.*");
  });
});

describe("help, errors and refusals", () => {
  it("shows the usage text as it is written", () => {
    const usage = "*Usage:* `/gluu-stats [what]`\n• `trend` – the last 12 months";
    const message = renderHelpMessage(usage);
    expect(allText(message)).toContain(usage);
    expect(checkBlockLimits(message)).toEqual([]);
  });

  it("shows the error sentence escaped, with its reference", () => {
    const message = renderErrorMessage("The server <gluu> & friends did not answer.", "req-42");
    expect(allText(message)).toContain(":warning: The server &lt;gluu&gt; &amp; friends did not answer.");
    expect(allText(message)).toContain("Reference `req-42`");
    expect(checkBlockLimits(message)).toEqual([]);
  });

  it("shows a usage error with the usage", () => {
    const message = renderUsageError("I didn't understand “foo”.", "*Usage:* `/gluu-stats`");
    expect(message.text).toBe("I didn't understand “foo”.");
    expect(allText(message)).toContain("*Usage:* `/gluu-stats`");
    expect(checkBlockLimits(message)).toEqual([]);
  });

  it("refuses politely within limits", () => {
    const message = renderRefusal();
    expect(message.text).toMatch(/can't use Gluu statistics/);
    expect(checkBlockLimits(message)).toEqual([]);
  });

  it("escapes the three mrkdwn control characters and nothing else", () => {
    expect(escapeMrkdwn("a & <b> *c*")).toBe("a &amp; &lt;b&gt; *c*");
  });
});

describe("checkBlockLimits", () => {
  const section = (text: string): slack.KnownBlock => ({ type: "section", text: { type: "mrkdwn", text } });
  const ok: SlackMessage = { text: "fine", blocks: [section("fine")] };
  const check = (message: Partial<SlackMessage>): string[] => checkBlockLimits({ ...ok, ...message });

  it("accepts a valid message", () => {
    expect(check({})).toEqual([]);
  });

  it.each<[string, Partial<SlackMessage>, RegExp]>([
    ["51 blocks", { blocks: Array.from({ length: 51 }, () => section("x")) }, /51 > 50 blocks/],
    [
      "a 151-character header",
      { blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }] },
      /blocks\[0\]\.text\.text: 151 > 150/,
    ],
    ["a 3001-character section", { blocks: [section("s".repeat(3001))] }, /3001 > 3000/],
    [
      "11 fields",
      {
        blocks: [
          {
            type: "section",
            fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn" as const, text: "f" })),
          },
        ],
      },
      /fields: 11 > 10 items/,
    ],
    [
      "a 2001-character field",
      { blocks: [{ type: "section", fields: [{ type: "mrkdwn", text: "f".repeat(2001) }] }] },
      /fields\[0\]\.text: 2001 > 2000/,
    ],
    [
      "11 context elements",
      {
        blocks: [
          {
            type: "context",
            elements: Array.from({ length: 11 }, () => ({ type: "mrkdwn" as const, text: "c" })),
          },
        ],
      },
      /elements: 11 > 10 items/,
    ],
    [
      "a long button text and value",
      {
        blocks: [
          {
            type: "actions",
            elements: [
              {
                type: "button",
                text: { type: "plain_text", text: "b".repeat(76) },
                value: "v".repeat(2001),
                action_id: "a",
              },
            ],
          },
        ],
      },
      /text\.text: 76 > 75[\s\S]*value: 2001 > 2000/,
    ],
    [
      "duplicate action ids",
      {
        blocks: [
          {
            type: "actions",
            elements: [
              { type: "button", text: { type: "plain_text", text: "1" }, action_id: "same" },
              { type: "button", text: { type: "plain_text", text: "2" }, action_id: "same" },
            ],
          },
        ],
      },
      /duplicate same/,
    ],
    ["an empty text", { blocks: [section("")] }, /0 < 1/],
    ["an empty fallback", { text: "" }, /^text: 0 < 1/],
    ["a 4001-character fallback", { text: "t".repeat(4001) }, /^text: 4001 > 4000/],
    [
      "too much text in all",
      { blocks: Array.from({ length: 3 }, () => section("t".repeat(2900))) },
      /8700 > 8000 text/,
    ],
  ])("reports %s", (_, message, expected) => {
    expect(check(message).join("\n")).toMatch(expected);
  });
});
