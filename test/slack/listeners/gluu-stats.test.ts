/** The slash-command handler, called directly with a fake ack and a fake postResponse. */
import { describe, expect, it } from "vitest";
import { gluuStatsCommand } from "../../../src/slack/listeners/commands/gluu-stats.js";
import { ADMIN, commandArgs, fake, RESPONSE_URL, textOf } from "./fakes.js";

function blockTypes(body: unknown): string[] {
  const blocks = (body as { blocks?: unknown } | undefined)?.blocks;
  return Array.isArray(blocks) ? blocks.map((b) => String((b as { type?: unknown }).type)) : [];
}

describe("gluuStatsCommand", () => {
  it("acks at once with nothing, then answers a question about figures at the response_url", async () => {
    const f = fake();
    await gluuStatsCommand(f.deps)(commandArgs(f, "2026-10"));
    expect(f.acks).toEqual([undefined]);
    expect(f.asked).toEqual([
      [
        { year: 2026, month: 9 },
        { year: 2026, month: 10 },
      ],
    ]);
    expect(f.posts).toHaveLength(1);
    expect(f.posts[0]?.url).toBe(RESPONSE_URL);
    expect(f.posts[0]?.payload).toMatchObject({ response_type: "ephemeral" });
    expect(textOf(f.posts[0]?.payload)).toMatch(/^October 2026: no data\./);
  });

  it("answers from the cache inside the ack: no request, nothing at the response_url", async () => {
    const f = fake({ cached: true });
    await gluuStatsCommand(f.deps)(commandArgs(f, "2026-10"));
    expect(f.acks).toHaveLength(1);
    expect(f.acks[0]).toMatchObject({ response_type: "ephemeral" });
    expect(f.acks[0]).not.toHaveProperty("replace_original");
    expect(textOf(f.acks[0])).toMatch(/^October 2026: no data\./);
    expect(f.asked).toEqual([]);
    expect(f.posts).toEqual([]);
  });

  it("a cached public answer goes in the channel from the ack", async () => {
    const f = fake({ cached: true });
    f.deps.newerBlocks.noteAccepted();
    await gluuStatsCommand(f.deps)(commandArgs(f, "trend public"));
    expect(f.acks[0]).toMatchObject({ response_type: "in_channel" });
    expect(blockTypes(f.acks[0])).toContain("table");
    expect(f.posts).toEqual([]);
  });

  it("until Slack has drawn a table, the ack carries the text form and the table replaces it once", async () => {
    const f = fake({ cached: true });
    await gluuStatsCommand(f.deps)(commandArgs(f, "trend public"));
    expect(f.acks[0]).toMatchObject({ response_type: "in_channel" });
    expect(blockTypes(f.acks[0])).not.toContain("table");
    expect(f.posts).toHaveLength(1);
    expect(f.posts[0]?.payload).toMatchObject({ response_type: "in_channel", replace_original: true });
    expect(blockTypes(f.posts[0]?.payload)).toContain("table");
    // Drawn: from now on the table rides in the ack itself.
    await gluuStatsCommand(f.deps)(commandArgs(f, "trend"));
    expect(blockTypes(f.acks[1])).toContain("table");
    expect(f.posts).toHaveLength(1);
  });

  it("a workspace that refuses tables keeps the text form in the ack and is not asked again", async () => {
    const f = fake({ cached: true, refuseBlocks: true });
    await gluuStatsCommand(f.deps)(commandArgs(f, "trend"));
    expect(blockTypes(f.acks[0])).not.toContain("table");
    expect(f.deps.newerBlocks.refused()).toBe(true);
    await gluuStatsCommand(f.deps)(commandArgs(f, "trend"));
    expect(blockTypes(f.acks[1])).not.toContain("table");
    // One refused replacement, then nothing more to replace.
    expect(f.posts).toHaveLength(0);
    expect(f.refusals).toBe(1);
  });

  it("history and post never ride in the ack, even with everything cached", async () => {
    const f = fake({ cached: true });
    await gluuStatsCommand(f.deps)(commandArgs(f, "history"));
    expect(f.acks).toEqual([undefined]);
    expect(textOf(f.posts[0]?.payload)).toBe("History.");
  });

  it("posts a public question in the channel", async () => {
    const f = fake();
    await gluuStatsCommand(f.deps)(commandArgs(f, "trend public"));
    expect(f.posts[0]?.payload).toMatchObject({ response_type: "in_channel" });
  });

  it("answers help and usage errors inside the ack, without asking the server", async () => {
    const f = fake();
    await gluuStatsCommand(f.deps)(commandArgs(f, "help"));
    await gluuStatsCommand(f.deps)(commandArgs(f, "next tuesday please"));
    expect(f.acks).toHaveLength(2);
    expect(textOf(f.acks[0])).toMatch(/^How to use/);
    expect(textOf(f.acks[1])).toMatch(/understand|not a/i);
    expect(f.posts).toEqual([]);
    expect(f.asked).toEqual([]);
  });

  it("refuses someone not on the list inside the ack", async () => {
    const f = fake({ users: ["U0SOMEONE1"] });
    await gluuStatsCommand(f.deps)(commandArgs(f, "2026-10"));
    expect(textOf(f.acks[0])).toMatch(/can't use Gluu statistics/);
    expect(f.asked).toEqual([]);
  });

  it("lets only admins post the monthly summary by hand", async () => {
    const f = fake();
    await gluuStatsCommand(f.deps)(commandArgs(f, "post 2026-10"));
    expect(textOf(f.acks[0])).toMatch(/Only the admins/);
    expect(f.posted).toEqual([]);
    await gluuStatsCommand(f.deps)(commandArgs(f, "post 2026-10", ADMIN));
    expect(f.posted).toEqual([{ year: 2026, month: 10 }]);
    expect(textOf(f.posts[0]?.payload)).toBe("Posted.");
  });

  it("answers a payload Slack would never send with an error in the ack", async () => {
    const f = fake();
    await gluuStatsCommand(f.deps)(commandArgs(f, "2026-10", "U1", { response_url: "not a url" }));
    expect(textOf(f.acks[0])).toMatch(/does not understand/);
    expect(f.asked).toEqual([]);
  });

  it("does not throw when the reply cannot be delivered", async () => {
    const f = fake({ failPost: true });
    await expect(gluuStatsCommand(f.deps)(commandArgs(f, "2026-10"))).resolves.toBeUndefined();
  });
});
