import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { listen } from "../../src/slack/listen.js";
import { startProbeServer } from "../../src/slack/probes.js";

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger({ destination: { write: (l: string) => void lines.push(l) } }) };
}

describe("listen: how the bot's HTTP servers start", () => {
  it("fails the start on a port in use, and logs an error after start instead of ending the process", async () => {
    const { lines, log } = capture();
    const server = createServer((_req, res) => res.end("ok"));
    await listen(server, { port: 0, host: "127.0.0.1" }, log);
    try {
      const { port } = server.address() as AddressInfo;
      await expect(listen(createServer(), { port, host: "127.0.0.1" }, log)).rejects.toMatchObject({
        code: "EADDRINUSE",
      });
      // With no 'error' listener, this emit would throw (and, from accept, end the process).
      server.emit("error", Object.assign(new Error("accept EMFILE"), { code: "EMFILE" }));
      expect(lines.join("")).toContain("the HTTP server reported an error");
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("ok");
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("is what the probe server starts with: a port in use fails its start", async () => {
    const { log } = capture();
    const first = await startProbeServer([], { port: 0, host: "127.0.0.1" }, log);
    try {
      await expect(startProbeServer([], { port: first.port, host: "127.0.0.1" }, log)).rejects.toMatchObject({
        code: "EADDRINUSE",
      });
    } finally {
      await first.close();
    }
  });
});
