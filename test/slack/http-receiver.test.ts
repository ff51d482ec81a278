import type { AddressInfo } from "node:net";
import type { App, Logger as BoltLogger } from "@slack/bolt";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { boltLogger, createLogger } from "../../src/log.js";
import { SlackHttpReceiver } from "../../src/slack/http-receiver.js";
import { sendSignedCommand, slashCommandBody } from "../../src/slack-double/index.js";

const SECRET = "receiver-test-signing-secret";
const command = (text = "") =>
  slashCommandBody({ text, response_url: "https://hooks.slack.com/commands/T1/1/x" });

function receiverWith(processEvent: App["processEvent"]) {
  const lines: string[] = [];
  const log = createLogger({ destination: { write: (l: string) => void lines.push(l) } });
  const receiver = new SlackHttpReceiver({
    signingSecret: SECRET,
    path: "/slack/events",
    otherwise: (_req, res) => {
      res.writeHead(404);
      res.end();
    },
    logger: boltLogger(log) as BoltLogger,
    log,
  });
  receiver.init({ processEvent } as unknown as App);
  return { receiver, lines };
}

let running: SlackHttpReceiver[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.stop()));
  running = [];
});

describe("SlackHttpReceiver", () => {
  it("hands a verified command to the app once, with its ack, and answers other paths from `otherwise`", async () => {
    const events: unknown[] = [];
    const { receiver } = receiverWith(async (event) => {
      events.push(event.body);
      await event.ack({ text: "hi · ▲" });
    });
    running.push(receiver);
    const server = await receiver.start({ port: 0, host: "127.0.0.1" });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ack = await sendSignedCommand(`${base}/slack/events`, SECRET, command("2021-11"));
    expect(ack.status).toBe(200);
    expect(JSON.parse(ack.body)).toEqual({ text: "hi · ▲" });
    expect(ack.headers?.["content-length"]).toBe(String(Buffer.byteLength(ack.body)));
    expect(events).toHaveLength(1);
    expect((await request(`${base}/elsewhere`)).statusCode).toBe(404);
    expect((await sendSignedCommand(`${base}/slack/events`, "wrong-secret", command())).status).toBe(401);
    expect(events).toHaveLength(1);
  });

  it("refuses to start on a port in use, and keeps running through a server error after start", async () => {
    const a = receiverWith(async () => {});
    running.push(a.receiver);
    const server = await a.receiver.start({ port: 0, host: "127.0.0.1" });
    const { port } = server.address() as AddressInfo;
    const b = receiverWith(async () => {});
    await expect(b.receiver.start({ port, host: "127.0.0.1" })).rejects.toMatchObject({ code: "EADDRINUSE" });
    // EMFILE on accept, for one, comes as an 'error' on the listening server.
    server.emit("error", Object.assign(new Error("accept EMFILE"), { code: "EMFILE" }));
    expect(a.lines.join("")).toContain("the HTTP server reported an error");
    const ack = await sendSignedCommand(`http://127.0.0.1:${port}/slack/events`, SECRET, command());
    expect(ack.status).toBe(404); // no listener acked: Bolt's no-ack handler, after 3 s
  }, 10_000);
});
