/**
 * Baseline (b), the seed's curl flow moved into a listener: before acking, POST the token
 * endpoint for a NEW client_credentials token, GET the stat endpoint for this month with it
 * (undici, as the product does), parse the answer with the product's parser and ack with the
 * figure. No cache, nothing shared between concurrent commands.
 */
import { request } from "undici";
import { STAT_PATHS } from "../src/gluu/discovery.js";
import { parseStatBody } from "../src/gluu/parse/index.js";
import { monthAt, monthKey, sameMonth } from "../src/months.js";
import { type BaselineConfig, type RunningBaseline, startBaselineApp } from "./baseline-app.js";

/** The Janssen token endpoint, as the curl flow has it hard-coded (no discovery). */
const TOKEN_PATH = "/jans-auth/restv1/token";

export function startNaive(cfg: BaselineConfig): Promise<RunningBaseline> {
  const basic = `Basic ${Buffer.from(`${cfg.clientId}:${cfg.clientSecret}`).toString("base64")}`;
  const tokenUrl = `${cfg.gluuUrl}${TOKEN_PATH}`;
  const statUrl = `${cfg.gluuUrl}${STAT_PATHS.janssen}`;
  return startBaselineApp(cfg, (app) => {
    app.command("/gluu-stats", async ({ ack }) => {
      const tokenRes = await request(tokenUrl, {
        method: "POST",
        headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials&scope=jans_stat",
      });
      const token = JSON.parse(await tokenRes.body.text()) as { access_token?: unknown };
      if (tokenRes.statusCode !== 200 || typeof token.access_token !== "string") {
        await ack({ text: `The token endpoint answered ${tokenRes.statusCode}.` });
        return;
      }
      const month = monthAt(Date.now());
      const statRes = await request(`${statUrl}?month=${monthKey(month)}`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      });
      const body = await statRes.body.text();
      if (statRes.statusCode !== 200) {
        await ack({ text: `The stat endpoint answered ${statRes.statusCode}.` });
        return;
      }
      const stats = parseStatBody(body, "json").find((s) => sameMonth(s.month, month));
      await ack({ text: `Monthly active users ${monthKey(month)}: ${stats?.mau ?? "no data"}` });
    });
  });
}
