/**
 * Both of the bot's HTTP servers (the receiver in HTTP mode, the probes in Socket Mode) start
 * here. A bind error (a port in use) fails the start; an error the server reports once it is
 * listening (EMFILE on accept, for one) is logged: with no listener left for it, Node would end
 * the process with it.
 */
import type { Server } from "node:http";
import { errorText } from "../errors/index.js";
import type { Logger } from "../log.js";

export interface ListenAt {
  readonly port: number;
  readonly host?: string;
}

export function listen(server: Server, at: ListenAt, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    let listening = false;
    server.on("error", (err) => {
      if (!listening) {
        reject(err);
        return;
      }
      log.error({ err: errorText(err) }, "the HTTP server reported an error");
    });
    server.listen(at.port, at.host, () => {
      listening = true;
      resolve();
    });
  });
}
