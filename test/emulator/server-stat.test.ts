/** The stat endpoint's answers, 400s, 500s and the Gluu 4.x interval limit, over HTTP on loopback. */
import { describe, expect, it } from "vitest";
import { writeJson, writeOpenMetrics } from "../../src/emulator/index.js";
import { call, DATA, emulator, stat, token } from "./helpers.js";

type MapBody = { response: Record<string, { month?: string; monthly_active_users: number }> };
type FlatBody = { response: Array<{ month: string; monthly_active_users: number }> };

const monthsOf = (text: string, family: "gluu4" | "janssen"): string[] =>
  family === "gluu4"
    ? Object.keys((JSON.parse(text) as MapBody).response).sort()
    : (JSON.parse(text) as FlatBody).response.map((r) => r.month).sort();

describe.each(["gluu4", "janssen"] as const)("%s stat answers", (family) => {
  it("answers GET and POST alike, and ignores the query string of a POST", async () => {
    const e = await emulator({ family, intervalLimitS: 0 });
    const t = await token(e);
    const get = await stat(e, t, "month=202111");
    const post = await call(e, e.statPath, {
      headers: { authorization: `Bearer ${t}` },
      form: "month=202111",
    });
    expect(get.status).toBe(200);
    expect(post.status).toBe(200);
    expect(JSON.parse(post.text)).toEqual(JSON.parse(get.text));
    const queryOnly = await call(e, `${e.statPath}?month=202111`, {
      method: "POST",
      headers: { authorization: `Bearer ${t}`, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(queryOnly.status).toBe(400);
    expect(e.counters.statOk).toBe(2);
  });

  it("accepts a month list separated by %20 or +, and omits months without data", async () => {
    const e = await emulator({ family, intervalLimitS: 0 });
    const t = await token(e);
    for (const q of ["month=202110%20202111%20202112%20202201", "month=202110+202111+202112+202201"]) {
      const a = await stat(e, t, q);
      expect(a.status).toBe(200);
      expect(monthsOf(a.text, family)).toEqual(["202110", "202111", "202201"]);
    }
    // Encoded twice still works: the endpoint decodes `month` once more itself.
    expect(monthsOf((await stat(e, t, "month=202110%2B202111")).text, family)).toEqual(["202110", "202111"]);
    // Any six characters count as a month; one without data is simply absent.
    const odd = await stat(e, t, "month=abcdef+202111+2021");
    expect(monthsOf(odd.text, family)).toEqual(["202111"]);
    expect(e.counters.statMonths).toBe(4 + 4 + 2 + 2);
  });

  it("answers with an empty response when no month asked has data", async () => {
    const e = await emulator({ family, intervalLimitS: 0 });
    const a = await stat(e, await token(e), "month=199901");
    expect(a.status).toBe(200);
    expect(a.text).toBe(family === "gluu4" ? '{"response":{}}' : '{"response":[]}');
  });

  it("refuses a comma-separated list and a missing month with 400 invalid_request", async () => {
    const e = await emulator({ family, intervalLimitS: 0 });
    const t = await token(e);
    for (const q of ["month=202110,202111", "month=", "format=json", "month=%20%20"]) {
      const a = await stat(e, t, q);
      expect(a.status, q).toBe(400);
      const body = JSON.parse(a.text) as Record<string, string>;
      expect(body.error).toBe("invalid_request");
      expect(body.error_description).toMatch(/^The request is missing a required parameter/);
      expect(body.reason).toBeUndefined();
    }
  });

  it("writes OpenMetrics with Content-Type application/json", async () => {
    const e = await emulator({ family, intervalLimitS: 0, order: "java" });
    const a = await stat(e, await token(e), "month=202111&format=OpenMetrics");
    expect(a.status).toBe(200);
    expect(a.headers["content-type"]).toBe("application/json");
    expect(a.text).toBe(writeOpenMetrics(DATA.filter((d) => d.month.year === 2021 && d.month.month === 11)));
    expect(a.text).toContain('access_token{month="202111",grantType="client_credentials",} 10.0\n');
  });

  it("uses the newer simpleclient's names when asked to", async () => {
    const e = await emulator({ family, intervalLimitS: 0, openMetricsVariant: "suffixed" });
    const a = await stat(e, await token(e), "month=202201&format=openmetrics");
    expect(a.text).toContain('monthly_active_users_total{month="202201",} 1.2345678E7\n');
    expect(a.text).toContain("# TYPE uma_token_created gauge\n");
  });

  it("shuffles the order between answers unless told to use Java's", async () => {
    const shuffled = await emulator({ family, intervalLimitS: 0 });
    const t = await token(shuffled);
    const q = "month=202110+202111+202201&format=openmetrics";
    const answers = new Set<string>();
    for (let i = 0; i < 8; i++) answers.add((await stat(shuffled, t, q)).text);
    expect(answers.size).toBeGreaterThan(1);

    const java = await emulator({ family, intervalLimitS: 0, order: "java" });
    const u = await token(java);
    const first = (await stat(java, u, q)).text;
    expect((await stat(java, u, q)).text).toBe(first);
  });

  it("reflects setData at once", async () => {
    const e = await emulator({ family, intervalLimitS: 0 });
    const t = await token(e);
    e.setData([]);
    expect(monthsOf((await stat(e, t, "month=202111")).text, family)).toEqual([]);
    e.setData(DATA);
    expect(monthsOf((await stat(e, t, "month=202111")).text, family)).toEqual(["202111"]);
  });

  it("answers 500 with an empty JSON body on a malformed escape, before looking at the token", async () => {
    const e = await emulator({ family, intervalLimitS: 0 });
    const t = await token(e);
    for (const q of ["month=202111%25", "month=202111%2", "month=%zz202111"]) {
      const a = await stat(e, t, q);
      expect(a.status, q).toBe(500);
      expect(a.headers["content-type"]).toBe("application/json");
      expect(a.text).toBe("");
    }
    // A raw malformed escape fails while the parameters are decoded, before authorization.
    expect((await call(e, `${e.statPath}?month=202111%`)).status).toBe(500);
    // A double-encoded one only fails in the endpoint's own decoding, after authorization.
    expect((await call(e, `${e.statPath}?month=202111%25`)).status).toBe(401);
  });

  it("answers 405 to other methods", async () => {
    const e = await emulator({ family });
    expect((await call(e, `${e.statPath}?month=202111`, { method: "PUT" })).status).toBe(405);
  });
});

describe("the two families' JSON shapes", () => {
  it("Gluu 4.x: the month map for any format but openmetrics", async () => {
    const e = await emulator({ family: "gluu4", intervalLimitS: 0, order: "java" });
    const t = await token(e);
    for (const format of ["", "&format=json", "&format=jsonmonth"]) {
      const a = await stat(e, t, `month=202110+202111${format}`);
      expect(a.text).toBe(writeJson(DATA.slice(0, 2), "gluu4"));
    }
  });

  it("Janssen: the flat list by default, the map with a month per item for jsonmonth", async () => {
    const e = await emulator({ family: "janssen", order: "java" });
    const t = await token(e);
    expect((await stat(e, t, "month=202110+202111")).text).toBe(writeJson(DATA.slice(0, 2), "flat"));
    const jsonmonth = await stat(e, t, "month=202110+202111&format=JSONMonth");
    expect(jsonmonth.text).toBe(writeJson(DATA.slice(0, 2), "jsonmonth"));
    expect((JSON.parse(jsonmonth.text) as MapBody).response["202111"]?.month).toBe("202111");
  });
});

describe("Janssen month ranges", () => {
  it("answers start-month to end-month inclusive", async () => {
    const e = await emulator({ family: "janssen" });
    const a = await stat(e, await token(e), "start-month=202110&end-month=202201");
    expect(a.status).toBe(200);
    expect(monthsOf(a.text, "janssen")).toEqual(["202110", "202111", "202201"]);
    expect(e.counters.statMonths).toBe(4);
  });

  it.each([
    ["both a month and a range", "month=202111&start-month=202110&end-month=202201"],
    ["a range whose start equals its end", "start-month=202111&end-month=202111"],
    ["a reversed range", "start-month=202201&end-month=202110"],
    ["a range bound that is not six characters", "start-month=20211&end-month=202201"],
    ["only a start", "start-month=202110"],
  ])("refuses %s with 400", async (_, q) => {
    const e = await emulator({ family: "janssen" });
    const a = await stat(e, await token(e), q);
    expect(a.status).toBe(400);
    expect(JSON.parse(a.text)).toMatchObject({ error: "invalid_request" });
  });

  it("uses the month list when only one range bound comes with it", async () => {
    const e = await emulator({ family: "janssen" });
    const a = await stat(e, await token(e), "month=202111&start-month=202110");
    expect(monthsOf(a.text, "janssen")).toEqual(["202111"]);
  });

  it("answers 500 for a six-character range bound that is not a date", async () => {
    const e = await emulator({ family: "janssen" });
    const t = await token(e);
    for (const q of [
      "start-month=202101&end-month=202113",
      "start-month=000001&end-month=202101",
      "start-month=2021ab&end-month=202201",
    ]) {
      const a = await stat(e, t, q);
      expect(a.status, q).toBe(500);
      expect(a.text).toBe("");
    }
    // In a month list the same value is only a month without data (the lookup swallows it).
    const listed = await stat(e, t, "month=202113+202111");
    expect(listed.status).toBe(200);
    expect(monthsOf(listed.text, "janssen")).toEqual(["202111"]);
  });

  it("ignores ranges on Gluu 4.x", async () => {
    const e = await emulator({ family: "gluu4" });
    expect((await stat(e, await token(e), "start-month=202110&end-month=202201")).status).toBe(400);
  });

  it("has no interval limit", async () => {
    const e = await emulator({ family: "janssen", intervalLimitS: 60 });
    const t = await token(e);
    for (let i = 0; i < 3; i++) expect((await stat(e, t, "month=202111")).status).toBe(200);
    expect(e.counters.stat403).toBe(0);
  });
});

describe("Gluu 4.x interval limit", () => {
  it("refuses a second processed request within the interval with 403, server-wide, until the clock passes it", async () => {
    let now = 1_700_000_000_000;
    const e = await emulator({ family: "gluu4", now: () => now, intervalLimitS: 60 });
    const t = await token(e);
    expect((await stat(e, t, "month=202111")).status).toBe(200);
    now += 59_999;
    const refused = await stat(e, t, "month=202110");
    expect(refused.status).toBe(403);
    expect(refused.text).toBe(
      '{\n    "error_description": "access_denied",\n    "error": "access_denied"\n}',
    );
    // Another client's token is refused just the same: the interval belongs to the server.
    expect((await stat(e, await token(e), "month=202110")).status).toBe(403);
    // A refusal does not restart the interval.
    now += 1;
    expect((await stat(e, t, "month=202110")).status).toBe(200);
    expect(e.counters.stat403).toBe(2);
    expect(e.counters.statOk).toBe(2);
    expect(e.counters.statMonths).toBe(2);
  });

  it("checks the token and the months before the interval, and neither a 401 nor a 400 uses it", async () => {
    let now = 1_700_000_000_000;
    const e = await emulator({ family: "gluu4", now: () => now, intervalLimitS: 60 });
    const t = await token(e);
    expect((await stat(e, t, "month=202111")).status).toBe(200);
    now += 1_000;
    // Inside the interval, an unauthorised request is a 401 and a bad one a 400, not a 403.
    expect((await call(e, `${e.statPath}?month=202111`)).status).toBe(401);
    expect((await stat(e, t, "month=2021")).status).toBe(400);
    expect((await stat(e, t, "month=202111%25")).status).toBe(500);
    now += 59_000;
    // Exactly at the limit: allowed. None of the failures above moved it.
    expect((await call(e, `${e.statPath}?month=202111`)).status).toBe(401);
    expect((await stat(e, t, "month=2021")).status).toBe(400);
    expect((await stat(e, t, "month=202111")).status).toBe(200);
    expect(e.counters.stat403).toBe(0);
  });

  it("says why in the 403 when errorReasonEnabled is on", async () => {
    const e = await emulator({ family: "gluu4", errorReasonEnabled: true });
    const t = await token(e);
    await stat(e, t, "month=202111");
    const a = await stat(e, t, "month=202111");
    expect(a.status).toBe(403);
    expect(JSON.parse(a.text)).toEqual({
      error: "access_denied",
      error_description: "access_denied",
      reason: "Interval request limit exceeded.",
    });
  });

  it("imitates the older OpenMetrics writer: 500 for a second month, the interval used all the same", async () => {
    let now = 1_700_000_000_000;
    const e = await emulator({ family: "gluu4", now: () => now, openMetricsRegistryPerMonth: true });
    const t = await token(e);
    expect((await stat(e, t, "month=202110+202111&format=openmetrics")).status).toBe(500);
    // The failed answer was processed: the interval runs from it.
    now += 1_000;
    expect((await stat(e, t, "month=202110+202111")).status).toBe(403);
    now += 59_000;
    // JSON has no such problem, and one month in OpenMetrics works too.
    expect((await stat(e, t, "month=202110+202111")).status).toBe(200);
    now += 60_000;
    expect((await stat(e, t, "month=202111&format=openmetrics")).status).toBe(200);
    // Months without data do not count: only the answer's months reach the registry.
    now += 60_000;
    expect((await stat(e, t, "month=202111+202112&format=openmetrics")).status).toBe(200);
  });

  it("is off with intervalLimitS 0", async () => {
    const e = await emulator({ family: "gluu4", intervalLimitS: 0 });
    const t = await token(e);
    for (let i = 0; i < 3; i++) expect((await stat(e, t, "month=202111")).status).toBe(200);
  });
});
