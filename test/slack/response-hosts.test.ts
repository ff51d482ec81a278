/**
 * Replies go only to Slack: a signed command whose response_url points anywhere else gets
 * nothing posted there. Before, the full figures were posted to any URL in the payload.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiOrigin, isAllowedResponseUrl } from "../../src/slack/response-url.js";
import { type Harness, startHarness } from "./harness.js";

describe("isAllowedResponseUrl", () => {
  it.each([
    ["https://hooks.slack.com/commands/T1/2/abc", true],
    ["https://hooks.slack-gov.com/actions/T1/2/abc", true],
    ["http://hooks.slack.com/commands/T1/2/abc", false],
    ["https://hooks.slack.com:8443/commands/T1/2/abc", false],
    ["https://hooks.slack.com.evil.example/commands", false],
    ["https://evil.example/hooks.slack.com", false],
    ["https://user:pw@hooks.slack.com/commands/x", false],
    ["https://slack.com/api/chat.postMessage", false],
    ["not a url", false],
  ])("%s → %s", (url, allowed) => {
    expect(isAllowedResponseUrl(url)).toBe(allowed);
  });

  it("allows exactly the origin of SLACK_API_URL besides Slack's hosts", () => {
    const extra = apiOrigin("http://127.0.0.1:4100/api/");
    expect(extra).toEqual(["http://127.0.0.1:4100"]);
    expect(isAllowedResponseUrl("http://127.0.0.1:4100/commands/T1/abc", extra)).toBe(true);
    expect(isAllowedResponseUrl("http://127.0.0.1:4101/commands/T1/abc", extra)).toBe(false);
    expect(isAllowedResponseUrl("https://127.0.0.1:4100/commands/T1/abc", extra)).toBe(false);
    expect(apiOrigin(undefined)).toEqual([]);
  });

  it("never allows a host that is not Slack's, whatever the path and scheme", () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        const host = new URL(url).hostname;
        if (host === "hooks.slack.com" || host === "hooks.slack-gov.com") return;
        expect(isAllowedResponseUrl(url)).toBe(false);
      }),
    );
  });
});

describe("a signed command with a foreign response_url", () => {
  let h: Harness;
  const received: string[] = [];
  const foreign = createServer((req: IncomingMessage, res) => {
    received.push(req.url ?? "");
    res.end("ok");
  });
  let foreignUrl = "";
  beforeAll(async () => {
    await new Promise<void>((r) => foreign.listen(0, "127.0.0.1", r));
    foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/steal`;
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
    await new Promise((r) => foreign.close(r));
  });

  it("is acked, nothing is posted to the foreign host, and the refusal is logged", async () => {
    const sent = await h.command("trend", { response_url: foreignUrl });
    expect(sent.ack.status).toBe(200);
    const line = await new Promise<string>((resolve, reject) => {
      const deadline = Date.now() + 5000;
      const poll = () => {
        const hit = h.logs.grep("refused to post a reply to 127.0.0.1:")[0];
        if (hit) resolve(hit);
        else if (Date.now() > deadline) reject(new Error("no refusal logged"));
        else setTimeout(poll, 10);
      };
      poll();
    });
    expect(line).toMatch(/could not deliver a reply/);
    expect(line).not.toContain("/steal");
    expect(received).toEqual([]);
  });

  it("still answers at the double's own response_urls (the SLACK_API_URL origin)", async () => {
    const sent = await h.command("help");
    expect(sent.ack.status).toBe(200);
    const trend = await h.command("trend");
    expect((await h.reply(trend.path)).status).toBe(200);
  });
});
