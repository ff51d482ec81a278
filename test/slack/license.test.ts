/** GLUU_MAU_LIMIT end to end: the bot's answers in Slack say the usage against the licence. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isoMonth } from "../../src/months.js";
import { formatCount } from "../../src/report/format.js";
import { ago, allText, type Harness, startHarness, statsOf } from "./harness.js";

describe("with GLUU_MAU_LIMIT set", () => {
  let h: Harness;
  // Just under two months ago's MAU: that month is over the limit.
  const limit = statsOf(ago(2)).mau - 1;
  beforeAll(async () => {
    h = await startHarness({ env: { GLUU_MAU_LIMIT: String(limit) } });
  });
  afterAll(() => h?.close());

  it("a month answer says its share of the licence and that it is over", async () => {
    const sent = await h.command(isoMonth(ago(2)));
    const reply = await h.reply(sent.path);
    const mau = statsOf(ago(2)).mau;
    expect(reply.body.text).toContain(
      `${formatCount(mau)} MAU = ${Math.floor((mau / limit) * 100)} % of the licensed ${formatCount(limit)}: over the limit`,
    );
  });

  it("the trend names the months over the licence", async () => {
    const sent = await h.command("trend");
    const reply = await h.reply(sent.path);
    const text = allText(reply.body);
    expect(text).toContain(`*Licensed*\n${formatCount(limit)} MAU;`);
    expect(text).toMatch(/Licence/);
  });
});
