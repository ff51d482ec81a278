/** replyTo: the shared reply for identical concurrent commands, and never throwing. */
import { describe, expect, it } from "vitest";
import { GluuError } from "../../src/gluu/errors.js";
import type { StatResult } from "../../src/gluu/model.js";
import { silentLogger } from "../../src/log.js";
import type { Month } from "../../src/months.js";
import { parseCommand } from "../../src/query/parse.js";
import { type ReplyContext, replyTo } from "../../src/slack/reply.js";

const NOW = Date.UTC(2026, 10, 26, 12);

function context(get: (months: readonly Month[]) => Promise<StatResult>): ReplyContext {
  return { stats: { get }, host: "idp.example.com", timeZone: "UTC", now: () => NOW, log: silentLogger };
}
function command(text: string) {
  const parsed = parseCommand(text, { now: NOW, timeZone: "UTC" });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.command;
}

describe("replyTo", () => {
  it("builds one reply for a burst of identical commands, and a new one afterwards", async () => {
    let calls = 0;
    const ctx = context(async (months) => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return { months: [], noData: [...months], fetchedAt: NOW };
    });
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => replyTo(command("2026-10"), ctx, { userId: "U1" })),
    );
    expect(calls).toBe(1);
    expect(new Set(replies).size).toBe(1);
    expect(replies[0]?.text).toMatch(/October 2026/);
    await replyTo(command("2026-10"), ctx, { userId: "U1" });
    expect(calls).toBe(2);
    await Promise.all([
      replyTo(command("2026-10"), ctx, { userId: "U1" }),
      replyTo(command("2026-10 public"), ctx, { userId: "U1" }),
    ]);
    expect(calls).toBe(4);
  });

  it("reuses a finished reply only while the figures are the same", async () => {
    let latest = NOW;
    const ctx = context(async (months) => ({
      months: [],
      noData: [...months],
      fetchedAt: NOW - 5000,
      latestFetchedAt: latest,
    }));
    const first = await replyTo(command("2026-10"), ctx, { userId: "U1" });
    const second = await replyTo(command("2026-10"), ctx, { userId: "U2" });
    expect(second).toBe(first);
    latest = NOW + 60_000; // a month of the answer was fetched again
    const third = await replyTo(command("2026-10"), ctx, { userId: "U1" });
    expect(third).not.toBe(first);
    expect(await replyTo(command("2026-10 public"), ctx, { userId: "U1" })).not.toBe(third);
  });

  it("gives each caller its own error reference when the shared work fails", async () => {
    const ctx = context(async () => {
      throw new GluuError("server", "boom");
    });
    const [a, b] = await Promise.all([
      replyTo(command("2026-10"), ctx, { userId: "U1" }),
      replyTo(command("2026-10"), ctx, { userId: "U2" }),
    ]);
    expect(a?.text).toMatch(/reported an internal error/);
    const ref = (m: typeof a) => JSON.stringify(m?.blocks).match(/Reference `([A-Z0-9]{8})`/)?.[1];
    expect(ref(a)).toBeDefined();
    expect(ref(a)).not.toBe(ref(b));
  });
});
