/**
 * A tiny request/response protocol over Node's IPC channel, so the load generator (the bench's
 * main process) can drive the children it forks: the emulator + Slack double ("infra") and each
 * bot under test. Messages are plain JSON; the typed façades live in protocol.ts.
 */
import type { ChildProcess } from "node:child_process";

interface RpcRequest {
  readonly kind: "rpc";
  readonly id: number;
  readonly op: string;
  readonly args: unknown;
}

interface RpcReply {
  readonly kind: "rpc-reply";
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

interface ReadyMessage {
  readonly kind: "ready";
  readonly info: unknown;
}

function isObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === "object" && v !== null;
}

function isRequest(v: unknown): v is RpcRequest {
  return isObject(v) && v.kind === "rpc" && typeof v.id === "number" && typeof v.op === "string";
}

function isReply(v: unknown): v is RpcReply {
  return isObject(v) && v.kind === "rpc-reply" && typeof v.id === "number";
}

function isReady(v: unknown): v is ReadyMessage {
  return isObject(v) && v.kind === "ready";
}

export type RpcHandlers = Readonly<Record<string, (args: unknown) => unknown>>;

/** Child side: answers requests from the parent; exits when the parent goes away. */
export function serveRpc(handlers: RpcHandlers): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error("not started with an IPC channel (use child_process.fork)");
  process.on("message", (msg: unknown) => {
    if (!isRequest(msg)) return;
    const handler = handlers[msg.op];
    const reply = (r: Omit<RpcReply, "kind" | "id">) => send({ kind: "rpc-reply", id: msg.id, ...r });
    if (!handler) {
      reply({ ok: false, error: `unknown op ${msg.op}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(msg.args))
      .then(
        (result) => reply({ ok: true, result }),
        (err: unknown) => reply({ ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
  });
  process.on("disconnect", () => process.exit(0));
}

/** Child side: tells the parent the child is up, with whatever it needs to know (ports, URLs). */
export function announceReady(info: unknown): void {
  process.send?.({ kind: "ready", info });
}

/** Parent side. */
export class RpcClient {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly readyPromise: Promise<unknown>;

  constructor(
    readonly child: ChildProcess,
    readonly name: string,
  ) {
    this.readyPromise = new Promise((resolve, reject) => {
      child.on("message", (msg: unknown) => {
        if (isReady(msg)) resolve(msg.info);
        else if (isReply(msg)) {
          const w = this.waiting.get(msg.id);
          if (!w) return;
          this.waiting.delete(msg.id);
          if (msg.ok) w.resolve(msg.result);
          else w.reject(new Error(`${name}: ${msg.error ?? "failed"}`));
        }
      });
      child.once("exit", (code, signal) => {
        const err = new Error(`${name} exited (code ${code}, signal ${signal})`);
        reject(err);
        for (const w of this.waiting.values()) w.reject(err);
        this.waiting.clear();
      });
    });
    // Callers that never await ready() must not see an unhandled rejection when the child exits.
    this.readyPromise.catch(() => {});
  }

  ready(): Promise<unknown> {
    return this.readyPromise;
  }

  call(op: string, args?: unknown): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ kind: "rpc", id, op, args } satisfies RpcRequest);
    });
  }
}
