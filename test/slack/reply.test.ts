/** Replies: the shared reply for identical concurrent commands, and never throwing. */
import { describe, expect, it } from "vitest";
import { GluuError } from "../../src/gluu/errors.js";
import type { StatResult } from "../../src/gluu/model.js";
import { silentLogger } from "../../src/log.js";
import type { Month } from "../../src/months.js";
import { parseCommand } from "../../src/query/parse.js";
import { Replies } from "../../src/slack/reply.js";

const NOW = Date.UTC(2026, 10, 26, 12);

function context(get: (months: readonly Month[]) => Promise<StatResult>): Replies {
  return new Replies({
    stats: { get },
    host: "idp.example.com",
    timeZone: "UTC",
    now: () => NOW,
    log: silentLogger,
  });
}
function command(text: string) {
  const parsed = parseCommand(text, { now: NOW, timeZone: "UTC" });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.command;
}

describe("Replies.to", () => {
  it("builds one reply for a burst of identical commands, and a new one afterwards", async () => {
    let calls = 0;
    const ctx = context(async (months) => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return { months: [], noData: [...months], fetchedAt: NOW };
    });
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => ctx.to(command("2026-10"), { userId: "U1" })),
    );
    expect(calls).toBe(1);
    expect(new Set(replies.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(replies[0]?.text).toMatch(/October 2026/);
    await ctx.to(command("2026-10"), { userId: "U1" });
    expect(calls).toBe(2);
    await Promise.all([
      ctx.to(command("2026-10"), { userId: "U1" }),
      ctx.to(command("2026-10 public"), { userId: "U1" }),
    ]);
    expect(calls).toBe(4);
  });

  it("answers a shared (public) command without buttons, and a private one with them", async () => {
    const ctx = context(async (months) => ({ months: [], noData: [...months], fetchedAt: NOW }));
    const actionsOf = (m: { blocks: readonly { type: string }[] }) =>
      m.blocks.filter((b) => b.type === "actions");
    expect(actionsOf(await ctx.to(command("2026-10"), { userId: "U1" }))).toHaveLength(1);
    expect(actionsOf(await ctx.to(command("2026-10 public"), { userId: "U1" }))).toHaveLength(0);
  });

  it("gives each caller its own error reference when the shared work fails", async () => {
    const ctx = context(async () => {
      throw new GluuError("server", "boom");
    });
    const [a, b] = await Promise.all([
      ctx.to(command("2026-10"), { userId: "U1" }),
      ctx.to(command("2026-10"), { userId: "U2" }),
    ]);
    expect(a?.text).toMatch(/reported an internal error/);
    const ref = (m: typeof a) => JSON.stringify(m?.blocks).match(/Reference `([A-Z0-9]{8})`/)?.[1];
    expect(ref(a)).toBeDefined();
    expect(ref(a)).not.toBe(ref(b));
  });
});
