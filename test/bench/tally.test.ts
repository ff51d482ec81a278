import { describe, expect, it } from "vitest";
import { tally } from "../../bench/harness.js";

const post = (path: string, replaces = false, status = 200) => ({ path, at: 0, status, replaces });

describe("the bench's count of answers", () => {
  it("counts a chart form replacing an ack's text as the same answer, not a second one", () => {
    // What the cold burst saw: two answers in the ack upgraded with their chart, others posted.
    const acked = new Set(["/a", "/b", "/c"]);
    const t = tally(acked, [post("/a", true), post("/b", true), post("/d"), post("/e")]);
    expect(t).toEqual({ answered: 5, replacing: 2, duplicates: 0 });
  });

  it("counts an interim reply and the answer replacing it as one answer", () => {
    expect(tally(new Set(), [post("/a"), post("/a", true)])).toEqual({
      answered: 1,
      replacing: 1,
      duplicates: 0,
    });
  });

  it("finds a double answer: a second post that does not replace the first", () => {
    expect(tally(new Set(["/a"]), [post("/a")]).duplicates).toBe(1);
    expect(tally(new Set(), [post("/a"), post("/a")]).duplicates).toBe(1);
  });

  it("does not count a refused post as shown", () => {
    expect(tally(new Set(), [post("/a", false, 404), post("/a")])).toEqual({
      answered: 1,
      replacing: 0,
      duplicates: 0,
    });
  });
});
