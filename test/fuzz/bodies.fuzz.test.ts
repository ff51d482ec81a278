/**
 * Signed bodies of random shape at /slack/events: JSON values, forms, `payload=` with random
 * JSON, random bytes. Whatever passes the signature check, the bot answers with a status (never
 * a dropped connection), no error escapes to the top level, and it goes on answering.
 */
import fc from "fast-check";
import pLimit from "p-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendSignedCommand, slashCommandBody } from "../../src/slack-double/index.js";
import { type Harness, SIGNING_SECRET, startHarness } from "../slack/harness.js";
import { failOnUnhandled } from "../support/unhandled.js";

failOnUnhandled();

const RUNS = Number(process.env.FUZZ_BODY_RUNS ?? 300);

const json = { "content-type": "application/json" };
const form = { "content-type": "application/x-www-form-urlencoded" };

const bodyArb: fc.Arbitrary<{ body: string; headers: Record<string, string> }> = fc.oneof(
  fc.jsonValue().map((v) => ({ body: JSON.stringify(v) ?? "null", headers: json })),
  fc
    .jsonValue()
    .map((v) => ({ body: `payload=${encodeURIComponent(JSON.stringify(v) ?? "null")}`, headers: form })),
  fc
    .dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 8 })
    .map((d) => ({ body: new URLSearchParams(d).toString(), headers: form })),
  fc.string({ maxLength: 200 }).map((s) => ({ body: s, headers: json })),
  fc.string({ maxLength: 200 }).map((s) => ({ body: s, headers: form })),
  fc
    .record({
      type: fc.constantFrom("block_actions", "view_submission", "shortcut", "event_callback"),
      actions: fc.jsonValue(),
    })
    .map((p) => ({ body: `payload=${encodeURIComponent(JSON.stringify(p))}`, headers: form })),
);

describe("random signed bodies", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it(`${RUNS} random bodies: each answered with a status, and the bot still answers afterwards`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const cases = fc.sample(bodyArb, { numRuns: RUNS, seed });
    // Bodies that parse to an object no listener takes wait for Bolt's unhandled-request
    // timeout (3 s) before their answer; sent side by side, the run stays short.
    const limit = pLimit(64);
    const results = await Promise.all(
      cases.map((c) =>
        limit(async () => {
          const res = await sendSignedCommand(h.endpoint, SIGNING_SECRET, c.body, {
            headers: c.headers,
            timeoutMs: 10_000,
          });
          return { ...c, status: res.status };
        }),
      ),
    );
    const unexpected = results.filter((r) => ![200, 400, 404].includes(r.status));
    expect(unexpected, `seed ${seed}`).toEqual([]);
    const ok = await sendSignedCommand(
      h.endpoint,
      SIGNING_SECRET,
      slashCommandBody({ text: "help", response_url: h.double.responseUrl() }),
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/How to use/);
    // The generators reach the refusals, not just bodies Bolt passes on.
    expect(results.filter((r) => r.status === 400).length, `seed ${seed}`).toBeGreaterThan(RUNS / 10);
  }, 60_000);
});
