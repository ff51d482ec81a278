import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ackBody, prepareAck } from "../../src/slack/ack-body.js";

describe("ackBody: an ack's message as its HTTP body", () => {
  it("is the message's JSON with its length in bytes, whatever the characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.boolean(), (text, prepared) => {
        const message = { response_type: "ephemeral", text };
        const body = ackBody(prepared ? prepareAck({ ...message }) : message);
        expect(JSON.parse(body.json.toString("utf8"))).toEqual(message);
        expect(body.bytes).toBe(body.json.length);
      }),
    );
  });

  it("serialises a prepared message once, and freezes it so the body cannot go stale", () => {
    const message = prepareAck({ text: "▲ 1,234 · December 2026" });
    expect(ackBody(message)).toBe(ackBody(message));
    expect(Object.isFrozen(message)).toBe(true);
    expect(() => {
      (message as { text: string }).text = "changed";
    }).toThrow(TypeError);
    // A message not prepared is serialised as it is now.
    const plain = { text: "a" };
    expect(ackBody(plain)).not.toBe(ackBody(plain));
    expect(ackBody(plain).json.toString()).toBe('{"text":"a"}');
  });
});
