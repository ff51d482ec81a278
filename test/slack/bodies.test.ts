/**
 * Signed requests whose body is not a Slack payload: each gets a 400, nothing reaches a
 * listener, and the bot keeps answering. Before the check in slack/http-receiver.ts (then a guard in front of Bolt's receiver), `payload=null`
 * and a JSON `null` ended the process from inside Bolt's HTTPReceiver.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendSignedCommand, slashCommandBody } from "../../src/slack-double/index.js";
import { type Harness, SIGNING_SECRET, startHarness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const json = { "content-type": "application/json" };
const form = { "content-type": "application/x-www-form-urlencoded" };

describe("signed bodies that are not a Slack payload", () => {
  it.each<[string, string, Record<string, string>]>([
    ["payload=null (form)", "payload=null", form],
    ["payload=[] (form)", "payload=%5B%5D", form],
    ["payload=true (form)", "payload=true", form],
    ['payload="x" (form)', "payload=%22x%22", form],
    ["payload=7 (form)", "payload=7", form],
    ["null (JSON)", "null", json],
    ["[] (JSON)", "[]", json],
    ["a number (JSON)", "42", json],
    ["a string (JSON)", '"ssl_check"', json],
  ])("%s gets a 400 and the bot still answers", async (_, body, headers) => {
    const res = await sendSignedCommand(h.endpoint, SIGNING_SECRET, body, { headers });
    expect(res.status).toBe(400);
    const url = h.double.responseUrl();
    const ok = await sendSignedCommand(
      h.endpoint,
      SIGNING_SECRET,
      slashCommandBody({ text: "help", response_url: url }),
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/How to use/);
  });

  it("an unsigned null is still refused as unsigned (401), and a malformed one as malformed (400)", async () => {
    const unsigned = await sendSignedCommand(h.endpoint, "not-the-secret", "payload=null");
    expect(unsigned.status).toBe(401);
    const malformed = await sendSignedCommand(h.endpoint, SIGNING_SECRET, "payload=%7B", { headers: form });
    expect(malformed.status).toBe(400);
  });

  it("logs each refusal once, without the body", async () => {
    expect(
      h.logs.records.filter((r) => r.msg === "refused a signed request whose body is not a Slack payload")
        .length,
    ).toBeGreaterThanOrEqual(9);
  });
});
