/** The pure parts of the licence alerts: thresholds, delivery keys, the message, the history line. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { licenseAlertView, reachedThresholds } from "../../src/alerts/thresholds.js";
import { parseEnv } from "../../src/config/env.js";
import { startupWarnings } from "../../src/config/warnings.js";
import { checkBlockLimits, renderHistoryMessage, renderLicenseAlert } from "../../src/report/slack/index.js";
import { renderHistoryText } from "../../src/report/text.js";
import { historyLines } from "../../src/schedule/history.js";
import { parseSubject, subjectKey } from "../../src/state/subject.js";
import { allText, m, stats } from "../report/helpers.js";

describe("reachedThresholds", () => {
  it("is every threshold at or below the usage, lowest first, without rounding up", () => {
    expect(reachedThresholds(7_999, 10_000, [80, 100])).toEqual([]);
    expect(reachedThresholds(8_000, 10_000, [100, 80])).toEqual([80]);
    expect(reachedThresholds(10_000, 10_000, [80, 100])).toEqual([80, 100]);
    // 2 of 3 is 66.67 %: not 67 %.
    expect(reachedThresholds(2, 3, [67])).toEqual([]);
    expect(reachedThresholds(11_500, 10_000, [80, 100, 115, 80])).toEqual([80, 100, 115]);
  });

  it("agrees with the percentage for any figures, and only grows with MAU", () => {
    const thresholds = fc.uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000_000 }),
        thresholds,
        (mau, more, limit, ts) => {
          const reached = reachedThresholds(mau, limit, ts);
          for (const t of ts) expect(reached.includes(t)).toBe(mau * 100 >= t * limit);
          const later = reachedThresholds(mau + more, limit, ts);
          for (const t of reached) expect(later).toContain(t);
        },
      ),
    );
  });
});

describe("delivery subjects", () => {
  it("keeps summaries' keys as they always were, and gives each alert a key of its own", () => {
    expect(subjectKey({ kind: "summary", month: m(2026, 11) })).toBe("202611");
    expect(subjectKey({ kind: "alert", month: m(2026, 11), threshold: 80 })).toBe("202611:mau-80");
    expect(subjectKey({ kind: "file", month: m(2026, 11), file: "chart" })).toBe("202611:file-chart");
    expect(parseSubject("202611")).toEqual({ kind: "summary", month: m(2026, 11) });
    expect(parseSubject("202611:file-csv")).toEqual({ kind: "file", month: m(2026, 11), file: "csv" });
    for (const bad of [
      "",
      "2026-11",
      "202613",
      "202611:mau-0",
      "202611:mau-",
      "202611:other",
      "x202611",
      "202611:file-",
      "202611:file-pdf",
      "202611:mau-80:file-csv",
      "Staging:202611",
      "1x:202611",
      ":202611",
      "a-very-long-server-name-x:202611",
    ]) {
      expect(parseSubject(bad), bad).toBeUndefined();
    }
  });

  it("puts a server other than the default in front, and leaves the default's keys alone", () => {
    expect(subjectKey({ kind: "summary", month: m(2026, 11), server: "staging" })).toBe("staging:202611");
    expect(subjectKey({ kind: "file", month: m(2026, 11), file: "csv", server: "eu-2" })).toBe(
      "eu-2:202611:file-csv",
    );
    expect(parseSubject("staging:202611:mau-80")).toEqual({
      kind: "alert",
      month: m(2026, 11),
      threshold: 80,
      server: "staging",
    });
    // What a single-server release wrote belongs to the default server: no `server`.
    expect(parseSubject("202611")).not.toHaveProperty("server");
  });

  it("reads back what it writes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.oneof(
          fc.constant(undefined),
          fc.integer({ min: 1, max: 1000 }),
          fc.constantFrom("chart" as const, "csv" as const),
        ),
        fc.option(fc.stringMatching(/^[a-z][a-z0-9-]{0,19}$/), { nil: undefined }),
        (year, month, extra, server) => {
          const scope = server === undefined ? {} : { server };
          const s =
            extra === undefined
              ? ({ kind: "summary", month: m(year, month), ...scope } as const)
              : typeof extra === "number"
                ? ({ kind: "alert", month: m(year, month), threshold: extra, ...scope } as const)
                : ({ kind: "file", month: m(year, month), file: extra, ...scope } as const);
          expect(parseSubject(subjectKey(s))).toEqual(s);
        },
      ),
    );
  });
});

describe("the alert message", () => {
  const view = (mau: number, threshold: number, previous = true) =>
    licenseAlertView({
      month: m(2026, 12),
      threshold,
      stats: stats(m(2026, 12), mau),
      limit: 10_000,
      progress: { day: 12, days: 31 },
      ...(previous ? { previous: stats(m(2026, 11), 9_450) } : {}),
      host: "idp.example.com",
      fetchedAt: Date.UTC(2026, 11, 12, 9, 17),
      timeZone: "Europe/Berlin",
    });

  it("says what was crossed, the MAU so far against the limit, the day, and last month for scale", () => {
    const msg = renderLicenseAlert(view(8_123, 80));
    const text = allText(msg);
    expect(text).toContain("80 % of the licensed MAU reached");
    expect(text).toContain("*December 2026* has reached *80 %* of the licensed MAU on day 12 of 31");
    expect(text).toContain("8,123 MAU = 81 % of the licensed 10,000");
    expect(text).toContain("November 2026 ended at 9,450 MAU (94 % of the limit)");
    expect(text).toContain("idp.example.com");
    expect(msg.text).toBe(
      "Gluu licence alert: December 2026 has reached 80 % of the licensed MAU (8,123 MAU = 81 % of the licensed 10,000, day 12 of 31).",
    );
    expect(checkBlockLimits(msg)).toEqual([]);
  });

  it("over the limit says so in its headline; without last month it says there is none", () => {
    const text = allText(renderLicenseAlert(view(10_001, 100, false)));
    expect(text).toContain("Over the licensed MAU");
    expect(text).toContain("10,001 MAU = 100 % of the licensed 10,000: over the limit");
    expect(text).toContain("No figures for the month before");
    // At exactly the limit it is reached, not over.
    expect(allText(renderLicenseAlert(view(10_000, 100)))).toContain("100 % of the licensed MAU reached");
  });
});

describe("history with alerts", () => {
  const recorded = [
    {
      id: "a",
      month: "202612:mau-80",
      channel: "C0ALERTS01",
      at: Date.UTC(2026, 11, 12, 9),
      trigger: "scheduled",
      outcome: "posted",
      link: "https://example.slack.com/archives/C0ALERTS01/p1",
    },
    {
      id: "b",
      month: "202611",
      channel: "C0REPORT01",
      at: Date.UTC(2026, 11, 1, 9),
      trigger: "scheduled",
      outcome: "posted",
    },
  ] as const;

  it("names each alert with its threshold, and summaries as before", () => {
    const lines = historyLines(recorded, [
      { key: { channel: "C0ALERTS01", month: "202612:mau-100" }, since: Date.UTC(2026, 11, 20) },
    ]);
    expect(lines.map((l) => [l.month, l.alert, l.outcome])).toEqual([
      ["202612", 100, "posting"],
      ["202612", 80, "posted"],
      ["202611", undefined, "posted"],
    ]);
    const slack = allText(renderHistoryMessage(lines, "UTC"));
    expect(slack).toContain("Delivery history: monthly summaries and licence alerts");
    expect(slack).toMatch(/\*Dec 2026\* :rotating_light: 80 % licence alert → <#C0ALERTS01>/);
    expect(slack).toMatch(/\*Nov 2026\* → <#C0REPORT01>/);
    const text = renderHistoryText(lines, "UTC");
    expect(text).toContain("2026-12 alert 80 %");
    expect(text).toContain("2026-11 ");
  });

  it("keeps the summary-only header when no alert is listed", () => {
    const slack = allText(renderHistoryMessage(historyLines([recorded[1]], []), "UTC"));
    expect(slack).toContain("Monthly summary: delivery history");
  });
});

describe("alert configuration", () => {
  it("defaults to 80 and 100 % hourly; sorts and deduplicates the thresholds", () => {
    const env = parseEnv({});
    expect(env.ALERT_THRESHOLDS).toEqual([80, 100]);
    expect(env.ALERT_CRON).toBe("17 * * * *");
    expect(env.ALERT_CHANNEL).toEqual([]);
    expect(parseEnv({ ALERT_THRESHOLDS: "115, 80,100,80" }).ALERT_THRESHOLDS).toEqual([80, 100, 115]);
  });

  it("stops start-up naming the variable for a bad value, and for alerts without a limit", () => {
    for (const bad of ["0", "80,abc", "-5", "80.5", "2000", ","]) {
      expect(() => parseEnv({ ALERT_THRESHOLDS: bad }), bad).toThrow(/ALERT_THRESHOLDS: /);
    }
    expect(() => parseEnv({ ALERT_CHANNEL: "C0ALERTS01" })).toThrow(/ALERT_CHANNEL: .*GLUU_MAU_LIMIT/);
    expect(() => parseEnv({ ALERT_CHANNEL: "not a channel", GLUU_MAU_LIMIT: "10" })).toThrow(
      /ALERT_CHANNEL: /,
    );
    expect(parseEnv({ ALERT_CHANNEL: "C0ALERTS01", GLUU_MAU_LIMIT: "10000" }).ALERT_CHANNEL).toEqual([
      "C0ALERTS01",
    ]);
  });

  it("warns about alert settings that do nothing without ALERT_CHANNEL", () => {
    expect(startupWarnings(parseEnv({ ALERT_THRESHOLDS: "90" }))).toEqual([
      expect.stringMatching(/^ALERT_THRESHOLDS: has no effect without ALERT_CHANNEL/),
    ]);
    expect(startupWarnings(parseEnv({ ALERT_THRESHOLDS: "80,100", ALERT_CRON: "17 * * * *" }))).toEqual([]);
  });
});
