/**
 * The Bolt app both baselines share, with the receiver settings of src/slack/app.ts: the HTTP
 * receiver with the signing secret, deferred initialisation (auth.test against the Slack
 * double), acks sent the moment ack() is called. Imports Bolt only, so the bare baseline's
 * process holds nothing else.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, LogLevel } from "@slack/bolt";

export interface BaselineConfig {
  readonly signingSecret: string;
  readonly botToken: string;
  /** The Slack double's Web API base. */
  readonly apiUrl: string;
  /** The emulator's issuer URL and client (naive only). */
  readonly gluuUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface RunningBaseline {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startBaselineApp(
  cfg: BaselineConfig,
  register: (app: App) => void,
): Promise<RunningBaseline> {
  const app = new App({
    token: cfg.botToken,
    signingSecret: cfg.signingSecret,
    logLevel: LogLevel.INFO,
    clientOptions: { slackApiUrl: cfg.apiUrl },
    deferInitialization: true,
    processBeforeResponse: false,
  });
  register(app);
  await app.init();
  const server = (await app.start({ port: 0, host: "127.0.0.1" })) as Server;
  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      await app.stop();
    },
  };
}
