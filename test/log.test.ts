import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { boltLogger, createLogger, scrubber } from "../src/log.js";

describe("log scrubbing", () => {
  const scrub = scrubber(["my-client-secret-value", "sig-secret-123456"]);

  it.each([
    ["a configured secret", "secret is my-client-secret-value here", "secret is [redacted] here"],
    ["a bot token", "token xoxb-1234-5678-abcdef used", "token xoxb-[redacted] used"],
    ["an app token", "xapp-1-A0-123-abc", "xapp-[redacted]"],
    ["a bearer header", "Authorization: Bearer abcdefgh12345678", "Authorization: Bearer [redacted]"],
    ["basic credentials", "Basic c3RhdC1jbGllbnQ6c2VjcmV0", "Basic [redacted]"],
    [
      "a payload's verification token",
      '{"token":"gIkuvaNzQIHg97ATvDxqgjtO","text":"last"}',
      '{"token":"[redacted]","text":"last"}',
    ],
    [
      "a Socket Mode ticket",
      "wss://wss.slack.com/link/?ticket=abc-123&app_id=A1",
      "wss://wss.slack.com/link/?ticket=[redacted]&app_id=A1",
    ],
  ])("removes %s", (_what, input, output) => {
    expect(scrub(input)).toBe(output);
  });

  it("leaves ordinary text alone and ignores too-short 'secrets'", () => {
    expect(scrubber(["abc"])("abc is a word")).toBe("abc is a word");
  });

  it("scrubs what pino and Bolt write, in messages and in objects", () => {
    const lines: string[] = [];
    const log = createLogger({
      level: "debug",
      secrets: ["sig-secret-123456"],
      destination: new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    });
    log.info({ nested: { note: "sig-secret-123456" }, token: "xyz" }, "sent with sig-secret-123456");
    boltLogger(log).debug("http request body", '{"token":"verif-token-1","user":"U1"}', "xoxb-111-222");
    const all = lines.join("");
    expect(all).not.toContain("sig-secret-123456");
    expect(all).not.toContain("verif-token-1");
    expect(all).not.toContain("xoxb-111-222");
    expect(all).toContain("[redacted]");
  });
});
