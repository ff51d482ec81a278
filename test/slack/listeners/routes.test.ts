import { describe, expect, it } from "vitest";
import { ACTION_IDS } from "../../../src/report/slack/index.js";
import { type ButtonHandler, type ButtonRoute, routeFor } from "../../../src/slack/listeners/buttons.js";

const handler = (): ButtonHandler => async () => {};
const navigate = handler();
const post = handler();
const routes = new Map<string, ButtonRoute>([
  [ACTION_IDS.prev, { handle: navigate }],
  [ACTION_IDS.homePost, { handle: post, perServer: true }],
]);

describe("routeFor: one listener, the button told apart by its action id", () => {
  it("finds a button by its exact id", () => {
    expect(routeFor(routes, ACTION_IDS.prev)).toBe(navigate);
    expect(routeFor(routes, ACTION_IDS.homePost)).toBe(post);
  });

  it("finds a server's own Home button by the id before the server", () => {
    expect(routeFor(routes, `${ACTION_IDS.homePost}:staging`)).toBe(post);
    expect(routeFor(routes, `${ACTION_IDS.homePost}:eu-west-2`)).toBe(post);
  });

  it("does not give a server suffix to a button that has none", () => {
    expect(routeFor(routes, `${ACTION_IDS.prev}:staging`)).toBeUndefined();
  });

  it("refuses ids the app does not have or a malformed server", () => {
    expect(routeFor(routes, "gluu_stats_unknown")).toBeUndefined();
    expect(routeFor(routes, `${ACTION_IDS.homePost}:`)).toBeUndefined();
    expect(routeFor(routes, `${ACTION_IDS.homePost}:Staging`)).toBeUndefined();
    expect(routeFor(routes, `${ACTION_IDS.homePost}:a:b`)).toBeUndefined();
    expect(routeFor(routes, `x${ACTION_IDS.homePost}`)).toBeUndefined();
  });
});
