/**
 * The check for redis-server, promtool and kubectl that runs before every test run
 * (test/global-setup.ts): use each, install it (as root, or with a password-less sudo), or stop
 * with one line saying what to install.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CommandResult,
  decideTool,
  ensureTool,
  onPath,
  PROMTOOL,
  REDIS,
  SYSTEM_TOOLS,
  type ToolMachine,
} from "../support/system-tools.js";

const bare: ToolMachine = { toolOnPath: false, aptGetOnPath: true, isRoot: false, sudoUsable: false };

describe("decideTool", () => {
  it("uses a redis-server already on PATH, whoever runs the tests", () => {
    for (const isRoot of [true, false])
      for (const aptGetOnPath of [true, false])
        expect(decideTool({ ...bare, toolOnPath: true, isRoot, aptGetOnPath }, REDIS)).toEqual({
          kind: "use",
        });
  });

  it("installs with apt-get as root, updating the package lists first", () => {
    expect(decideTool({ ...bare, isRoot: true }, REDIS)).toEqual({
      kind: "install",
      update: ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update", "-qq"],
      install: ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", "redis-server"],
      shown: "apt-get install -y redis-server",
    });
  });

  it("installs through sudo -n when sudo needs no password", () => {
    const decision = decideTool({ ...bare, sudoUsable: true }, REDIS);
    expect(decision.kind).toBe("install");
    if (decision.kind !== "install") return;
    expect(decision.update.slice(0, 2)).toEqual(["sudo", "-n"]);
    expect(decision.install.slice(0, 2)).toEqual(["sudo", "-n"]);
    expect(decision.install.slice(-3)).toEqual(["-y", "-qq", "redis-server"]);
    expect(decision.shown).toBe("sudo -n apt-get install -y redis-server");
  });

  it("stops with one line naming the command when it cannot install", () => {
    const decision = decideTool(bare, REDIS);
    expect(decision).toEqual({
      kind: "fail",
      message: "redis-server is needed by the tests: sudo apt-get install -y redis-server",
    });
  });

  it("stops with one line on a machine without apt-get, even as root", () => {
    for (const isRoot of [true, false]) {
      const decision = decideTool({ ...bare, aptGetOnPath: false, isRoot, sudoUsable: true }, REDIS);
      expect(decision.kind).toBe("fail");
      if (decision.kind !== "fail") return;
      expect(decision.message).toMatch(
        /^redis-server is needed by the tests: .*apt-get install -y redis-server/,
      );
      expect(decision.message).not.toContain("\n");
    }
  });
});

describe("ensureTool", () => {
  const ok: CommandResult = { status: 0, output: "" };
  /** A `run` that succeeds and records what it was asked to run. */
  function recorder(): { ran: string[][]; run: (argv: readonly string[]) => CommandResult } {
    const ran: string[][] = [];
    return {
      ran,
      run: (argv) => {
        ran.push([...argv]);
        return ok;
      },
    };
  }

  it("runs nothing when redis-server is there", () => {
    const { ran, run } = recorder();
    const result = ensureTool(REDIS, { machine: { ...bare, toolOnPath: true }, run });
    expect(result).toEqual({ ok: true });
    expect(ran).toEqual([]);
  });

  it("runs the install commands in order, says so, and checks PATH again", () => {
    const { ran, run } = recorder();
    const logged: string[] = [];
    const result = ensureTool(REDIS, {
      machine: { ...bare, isRoot: true },
      run,
      installed: () => true,
      log: (l) => logged.push(l),
    });
    expect(result).toEqual({ ok: true });
    expect(ran.map((a) => a.at(-1))).toEqual(["-qq", "redis-server"]);
    expect(logged).toEqual([
      "redis-server is not installed; installing it for the tests: apt-get install -y redis-server",
    ]);
  });

  const notFound: CommandResult = {
    status: 100,
    output: "Reading package lists...\nE: Unable to locate package redis-server\n",
  };

  it("stops with one line when the install fails, with its last output line", () => {
    const result = ensureTool(REDIS, {
      machine: { ...bare, isRoot: true },
      run: (a) => (a.includes("update") ? ok : notFound),
      installed: () => false,
    });
    expect(result).toEqual({
      ok: false,
      message:
        "redis-server is needed by the tests: apt-get install -y redis-server " +
        "(tried it: apt-get install: exit 100, E: Unable to locate package redis-server)",
    });
  });

  it("still tries the install when refreshing the package lists fails, and names both failures", () => {
    const { ran, run } = recorder();
    const offline = (a: readonly string[]): CommandResult => {
      run(a);
      return a.includes("update")
        ? { status: 100, output: "E: Failed to fetch http://deb.debian.org/…\n" }
        : notFound;
    };
    const result = ensureTool(REDIS, {
      machine: { ...bare, isRoot: true },
      run: offline,
      installed: () => false,
    });
    expect(ran.map((a) => a[a.indexOf("apt-get") + 1])).toEqual(["update", "install"]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain("apt-get update: exit 100, E: Failed to fetch");
    expect(result.message).toContain("; apt-get install: exit 100, E: Unable to locate package");
    expect(result.message).not.toContain("\n");
  });

  it("carries on when only the package-list refresh fails", () => {
    const result = ensureTool(REDIS, {
      machine: { ...bare, isRoot: true },
      run: (a) => (a.includes("update") ? { status: 100, output: "E: offline" } : ok),
      installed: () => true,
    });
    expect(result).toEqual({ ok: true });
  });

  it("stops when the install ran but redis-server is still not on PATH", () => {
    const result = ensureTool(REDIS, {
      machine: { ...bare, isRoot: true },
      run: () => ok,
      installed: () => false,
    });
    expect(result).toEqual({
      ok: false,
      message:
        "redis-server is needed by the tests: apt-get install -y redis-server ran, but redis-server is still not on PATH",
    });
  });

  it("returns the decision's line without running anything when it cannot install", () => {
    const { ran, run } = recorder();
    const result = ensureTool(REDIS, { machine: bare, run });
    expect(result).toEqual({
      ok: false,
      message: "redis-server is needed by the tests: sudo apt-get install -y redis-server",
    });
    expect(ran).toEqual([]);
  });
});

describe("the other tools", () => {
  it("installs promtool from Debian's prometheus package, and names both in the line", () => {
    const decision = decideTool({ ...bare, isRoot: true }, PROMTOOL);
    expect(decision).toMatchObject({ kind: "install", shown: "apt-get install -y prometheus" });
    if (decision.kind === "install") expect(decision.install.at(-1)).toBe("prometheus");
    expect(decideTool(bare, PROMTOOL)).toEqual({
      kind: "fail",
      message: "promtool is needed by the tests: sudo apt-get install -y prometheus",
    });
  });

  it("checks every tool the tests run, redis-server, promtool and kubectl", () => {
    expect(SYSTEM_TOOLS.map((t) => `${t.binary}:${t.package}`)).toEqual([
      "redis-server:redis-server",
      "promtool:prometheus",
      "kubectl:kubernetes-client",
    ]);
  });
});

describe("onPath", () => {
  const dir = mkdtempSync(join(tmpdir(), "gluu-stats-path-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "tool"), "#!/bin/sh\n");
  chmodSync(join(dir, "tool"), 0o755);
  writeFileSync(join(dir, "data"), "not executable");
  chmodSync(join(dir, "data"), 0o644);

  it("finds executables in PATH's folders only", () => {
    expect(onPath("tool", ["/nonexistent", dir].join(delimiter))).toBe(true);
    expect(onPath("tool", "/nonexistent")).toBe(false);
    expect(onPath("tool", "")).toBe(false);
    expect(onPath("missing", dir)).toBe(false);
  });

  it("ignores files that are not executable", () => {
    // Even for root: access(X_OK) needs at least one execute bit.
    expect(onPath("data", dir)).toBe(false);
  });
});
