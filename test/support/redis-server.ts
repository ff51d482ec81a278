/**
 * Makes sure the tests have a redis-server before any test file runs (called from vitest's
 * globalSetup): the Redis store, coordinator and replica tests start a real one (support/redis.ts).
 * Missing, it is installed the way .ci/run does (apt-get as root, or through `sudo -n` when that
 * works without a password); where neither is possible the run stops at once with one line
 * saying what to install. Nothing is skipped: a skipped Redis suite would hide that the
 * exactly-once guarantees went untested.
 *
 * `decideRedisServer` is the pure decision, tested in test/install/redis-server.test.ts;
 * `ensureRedisServer` gathers its inputs from the machine and carries it out. Not a test file.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export const REDIS_PACKAGE = "redis-server";
const APT_INSTALL = `apt-get install -y ${REDIS_PACKAGE}`;

/** What the machine offers, as seen by `probeMachine`. */
export interface RedisMachine {
  /** redis-server is an executable on PATH. */
  readonly redisOnPath: boolean;
  /** apt-get is an executable on PATH (Debian, Ubuntu and derivatives). */
  readonly aptGetOnPath: boolean;
  /** The tests run as root (uid 0). */
  readonly isRoot: boolean;
  /** `sudo -n true` succeeds: sudo works without asking for a password. */
  readonly sudoUsable: boolean;
}

export type RedisDecision =
  | { readonly kind: "use" }
  /**
   * Refresh the package lists (not fatal when it fails: the lists on disk may do), install, then
   * check PATH again. Each an argv; `shown` is the command as a person would type it.
   */
  | {
      readonly kind: "install";
      readonly update: readonly string[];
      readonly install: readonly string[];
      readonly shown: string;
    }
  /** Stop the run with this one line. */
  | { readonly kind: "fail"; readonly message: string };

/** The one line a run without redis-server stops with. */
export function neededLine(how: string): string {
  return `${REDIS_PACKAGE} is needed by the tests: ${how}`;
}

export function decideRedisServer(machine: RedisMachine): RedisDecision {
  if (machine.redisOnPath) return { kind: "use" };
  if (!machine.aptGetOnPath)
    return {
      kind: "fail",
      message: neededLine(`install Redis with your package manager (Debian/Ubuntu: ${APT_INSTALL})`),
    };
  const prefix = machine.isRoot ? [] : machine.sudoUsable ? ["sudo", "-n"] : undefined;
  if (!prefix) return { kind: "fail", message: neededLine(`sudo ${APT_INSTALL}`) };
  // `env` carries DEBIAN_FRONTEND through sudo, which resets the environment.
  const apt = [...prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"];
  return {
    kind: "install",
    update: [...apt, "update", "-qq"],
    install: [...apt, "install", "-y", "-qq", REDIS_PACKAGE],
    shown: `${prefix.length > 0 ? "sudo -n " : ""}${APT_INSTALL}`,
  };
}

/** Whether `name` is an executable file in one of PATH's folders. */
export function onPath(name: string, path: string | undefined = process.env.PATH): boolean {
  for (const dir of (path ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

export function probeMachine(): RedisMachine {
  const isRoot = process.getuid?.() === 0;
  const redisOnPath = onPath(REDIS_PACKAGE);
  const aptGetOnPath = !redisOnPath && onPath("apt-get");
  const sudoUsable =
    !redisOnPath &&
    aptGetOnPath &&
    !isRoot &&
    onPath("sudo") &&
    spawnSync("sudo", ["-n", "true"], { stdio: "ignore", timeout: 10_000 }).status === 0;
  return { redisOnPath, aptGetOnPath, isRoot, sudoUsable };
}

/** The last non-empty line of a command's output, to say why an install failed. */
function lastLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.length > 0)
      .pop() ?? ""
  );
}

export interface CommandResult {
  /** Exit code, or null when the command could not start or was killed. */
  readonly status: number | null;
  /** stdout and stderr, or why the command could not start. */
  readonly output: string;
}

function runCommand(argv: readonly string[]): CommandResult {
  const [command = "", ...args] = argv;
  const run = spawnSync(command, args, { encoding: "utf8", timeout: 600_000 });
  return {
    status: run.status,
    output: `${run.stdout ?? ""}\n${run.stderr ?? ""}\n${run.error?.message ?? ""}`,
  };
}

export interface EnsureDeps {
  readonly machine: RedisMachine;
  readonly run: (argv: readonly string[]) => CommandResult;
  /** Whether redis-server is on PATH now (after an install). */
  readonly installed: () => boolean;
  readonly log: (line: string) => void;
}

/** "apt-get install: exit 100, E: Unable to locate package redis-server" */
function failure(argv: readonly string[], result: CommandResult): string {
  const what = argv.slice(argv.indexOf("apt-get"), argv.indexOf("apt-get") + 2).join(" ");
  const exit = result.status === null ? "did not finish" : `exit ${result.status}`;
  const why = lastLine(result.output);
  return `${what}: ${exit}${why ? `, ${why}` : ""}`;
}

/**
 * Makes sure redis-server is on PATH, installing it first when it can. Returns the one line to
 * stop the run with when it is not.
 */
export function ensureRedisServer(
  deps: Partial<EnsureDeps> = {},
): { ok: true } | { ok: false; message: string } {
  const { run = runCommand, installed = () => onPath(REDIS_PACKAGE), log = () => {} } = deps;
  const decision = decideRedisServer(deps.machine ?? probeMachine());
  if (decision.kind === "use") return { ok: true };
  if (decision.kind === "fail") return { ok: false, message: decision.message };
  log(`${REDIS_PACKAGE} is not installed; installing it for the tests: ${decision.shown}`);
  const update = run(decision.update);
  const install = run(decision.install);
  if (install.status !== 0) {
    const tried = [
      ...(update.status === 0 ? [] : [failure(decision.update, update)]),
      failure(decision.install, install),
    ];
    return { ok: false, message: neededLine(`${decision.shown} (tried it: ${tried.join("; ")})`) };
  }
  if (!installed())
    return { ok: false, message: neededLine(`${decision.shown} ran, but redis-server is still not on PATH`) };
  return { ok: true };
}
