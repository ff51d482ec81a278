/**
 * Makes sure the tests have the system programs they run before any test file runs (called from
 * vitest's globalSetup): redis-server (the Redis store, coordinator and replica tests start a
 * real one, support/redis.ts), promtool (checks /metrics) and kubectl (renders the Kubernetes
 * manifests). Missing, each is installed the way .ci/run does (apt-get as root, or through
 * `sudo -n` when that works without a password); where neither is possible the run stops at
 * once with one line saying what to install. Nothing is skipped: a skipped Redis suite would
 * hide that the exactly-once guarantees went untested.
 *
 * `decideTool` is the pure decision, tested in test/install/system-tools.test.ts; `ensureTool`
 * gathers its inputs from the machine and carries it out. Not a test file.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** A program the tests run, and the Debian package that has it. */
export interface SystemTool {
  readonly binary: string;
  readonly package: string;
}

export const REDIS: SystemTool = { binary: "redis-server", package: "redis-server" };
export const PROMTOOL: SystemTool = { binary: "promtool", package: "prometheus" };
export const KUBECTL: SystemTool = { binary: "kubectl", package: "kubernetes-client" };
export const SYSTEM_TOOLS: readonly SystemTool[] = [REDIS, PROMTOOL, KUBECTL];

const aptInstall = (tool: SystemTool) => `apt-get install -y ${tool.package}`;

/** What the machine offers, as seen by `probeMachine`. */
export interface ToolMachine {
  /** The tool is an executable on PATH. */
  readonly toolOnPath: boolean;
  /** apt-get is an executable on PATH (Debian, Ubuntu and derivatives). */
  readonly aptGetOnPath: boolean;
  /** The tests run as root (uid 0). */
  readonly isRoot: boolean;
  /** `sudo -n true` succeeds: sudo works without asking for a password. */
  readonly sudoUsable: boolean;
}

export type ToolDecision =
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

/** The one line a run without the tool stops with. */
export function neededLine(how: string, tool: SystemTool = REDIS): string {
  return `${tool.binary} is needed by the tests: ${how}`;
}

export function decideTool(machine: ToolMachine, tool: SystemTool): ToolDecision {
  if (machine.toolOnPath) return { kind: "use" };
  if (!machine.aptGetOnPath)
    return {
      kind: "fail",
      message: neededLine(
        `install ${tool.package} with your package manager (Debian/Ubuntu: ${aptInstall(tool)})`,
        tool,
      ),
    };
  const prefix = machine.isRoot ? [] : machine.sudoUsable ? ["sudo", "-n"] : undefined;
  if (!prefix) return { kind: "fail", message: neededLine(`sudo ${aptInstall(tool)}`, tool) };
  // `env` carries DEBIAN_FRONTEND through sudo, which resets the environment.
  const apt = [...prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"];
  return {
    kind: "install",
    update: [...apt, "update", "-qq"],
    install: [...apt, "install", "-y", "-qq", tool.package],
    shown: `${prefix.length > 0 ? "sudo -n " : ""}${aptInstall(tool)}`,
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

export function probeMachine(tool: SystemTool): ToolMachine {
  const isRoot = process.getuid?.() === 0;
  const toolOnPath = onPath(tool.binary);
  const aptGetOnPath = !toolOnPath && onPath("apt-get");
  const sudoUsable =
    !toolOnPath &&
    aptGetOnPath &&
    !isRoot &&
    onPath("sudo") &&
    spawnSync("sudo", ["-n", "true"], { stdio: "ignore", timeout: 10_000 }).status === 0;
  return { toolOnPath, aptGetOnPath, isRoot, sudoUsable };
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
  readonly machine: ToolMachine;
  readonly run: (argv: readonly string[]) => CommandResult;
  /** Whether the tool is on PATH now (after an install). */
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
 * Makes sure the tool is on PATH, installing it first when it can. Returns the one line to stop
 * the run with when it is not.
 */
export function ensureTool(
  tool: SystemTool,
  deps: Partial<EnsureDeps> = {},
): { ok: true } | { ok: false; message: string } {
  const { run = runCommand, installed = () => onPath(tool.binary), log = () => {} } = deps;
  const decision = decideTool(deps.machine ?? probeMachine(tool), tool);
  if (decision.kind === "use") return { ok: true };
  if (decision.kind === "fail") return { ok: false, message: decision.message };
  log(`${tool.binary} is not installed; installing it for the tests: ${decision.shown}`);
  const update = run(decision.update);
  const install = run(decision.install);
  if (install.status !== 0) {
    const tried = [
      ...(update.status === 0 ? [] : [failure(decision.update, update)]),
      failure(decision.install, install),
    ];
    return { ok: false, message: neededLine(`${decision.shown} (tried it: ${tried.join("; ")})`, tool) };
  }
  if (!installed())
    return {
      ok: false,
      message: neededLine(`${decision.shown} ran, but ${tool.binary} is still not on PATH`, tool),
    };
  return { ok: true };
}
