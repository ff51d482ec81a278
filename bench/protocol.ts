/**
 * What the bench's processes say to each other: typed façades over the IPC calls of ipc.ts.
 * Values cross the channel as JSON; each façade states the shape its child answers with.
 */
import type { EmulatorCounters } from "../src/emulator/index.js";
import type { RpcClient } from "./ipc.js";

/** The three bots under test. */
export type BotMode = "product" | "bare" | "naive";

export interface InfraInfo {
  /** Issuer URL of the Gluu emulator. */
  readonly emulatorUrl: string;
  /** The Slack double's Web API base (…/api/). */
  readonly apiUrl: string;
  readonly botToken: string;
  readonly pid: number;
}

export interface ResponseRecord {
  readonly path: string;
  /** Date.now() in the infra process when the POST was complete. */
  readonly at: number;
  readonly status: number;
  /** The post replaces the message shown before (an interim reply, or an ack's text form). */
  readonly replaces: boolean;
}

export interface PublishRecord {
  readonly user: string;
  readonly at: number;
  readonly status: number;
}

export interface BotInfo {
  readonly port: number;
  readonly pid: number;
}

export interface MemoryReading {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  /** Whether global.gc() ran before the reading. */
  readonly gc: boolean;
}

/** The product's own request counters (StatClient), null for the baselines. */
export interface BotGluuCounters {
  readonly stat: number;
  readonly token: number;
}

export class InfraControl {
  constructor(private readonly rpc: RpcClient) {}

  counters(): Promise<EmulatorCounters> {
    return this.rpc.call("counters") as Promise<EmulatorCounters>;
  }
  /** CPU time the infra process (emulator + Slack double) has used so far, in µs. */
  cpu(): Promise<number> {
    return this.rpc.call("cpu") as Promise<number>;
  }
  /** Zeroes the emulator's counters and forgets the double's recorded calls and responses. */
  async reset(): Promise<void> {
    await this.rpc.call("reset");
  }
  async setDelay(delayMs: number): Promise<void> {
    await this.rpc.call("delay", delayMs);
  }
  /** Fresh response_urls on the double (each usable 5 times, as on Slack). */
  urls(n: number): Promise<string[]> {
    return this.rpc.call("urls", n) as Promise<string[]>;
  }
  /** Responses recorded since index `from` (the double's list is append-only until reset()). */
  responses(from = 0): Promise<ResponseRecord[]> {
    return this.rpc.call("responses", from) as Promise<ResponseRecord[]>;
  }
  /** views.publish calls the double answered, with when (Date.now() there) and for whom. */
  publishes(): Promise<PublishRecord[]> {
    return this.rpc.call("publishes") as Promise<PublishRecord[]>;
  }
  /** Resolves once at least n views.publish calls are recorded. */
  waitPublishes(n: number, timeoutMs = 30_000): Promise<number> {
    return this.rpc.call("waitPublishes", { n, timeoutMs }) as Promise<number>;
  }
  /** Resolves with the number of recorded responses once at least n exist. */
  waitResponses(n: number, timeoutMs = 30_000): Promise<number> {
    return this.rpc.call("waitResponses", { n, timeoutMs }) as Promise<number>;
  }
  async close(): Promise<void> {
    await this.rpc.call("close");
  }
}

export class BotControl {
  constructor(
    private readonly rpc: RpcClient,
    readonly mode: BotMode,
    readonly info: BotInfo,
  ) {}

  /** process.memoryUsage() after global.gc() (the bots run with --expose-gc). */
  memory(): Promise<MemoryReading> {
    return this.rpc.call("memory") as Promise<MemoryReading>;
  }
  /** CPU time the bot process has used so far (user + system), in µs. */
  cpu(): Promise<number> {
    return this.rpc.call("cpu") as Promise<number>;
  }
  gluu(): Promise<BotGluuCounters | null> {
    return this.rpc.call("gluu") as Promise<BotGluuCounters | null>;
  }
  /** Stops the bot and waits for the process to exit. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.rpc.child.exitCode !== null) resolve();
      else this.rpc.child.once("exit", () => resolve());
    });
    await this.rpc.call("stop").catch(() => {});
    const timer = setTimeout(() => this.rpc.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
