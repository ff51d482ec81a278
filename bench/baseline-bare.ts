/**
 * Baseline (a), the floor of this stack: a Bolt app whose /gluu-stats listener only calls
 * ack(). What remains is Bolt's own cost: signature check, body parsing, the middleware chain,
 * the HTTP answer.
 */
import { type BaselineConfig, type RunningBaseline, startBaselineApp } from "./baseline-app.js";

export function startBareBolt(cfg: BaselineConfig): Promise<RunningBaseline> {
  return startBaselineApp(cfg, (app) => {
    app.command("/gluu-stats", async ({ ack }) => {
      await ack();
    });
  });
}
