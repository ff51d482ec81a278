/**
 * The Dockerfile, without Docker: no image can be built on this machine (no registry for base
 * images), so this reads the Dockerfile and carries out its steps in a temporary folder, one
 * folder per stage standing in for the stage's root file system: WORKDIR, COPY (from the build
 * context, honouring .dockerignore, or from an earlier stage), RUN (in the stage's working
 * folder, with its ENV), then the runtime stage's CMD, started as `serve` until /readyz is 200.
 * An instruction this does not know fails the test, so the Dockerfile cannot drift from it.
 * It also checks what the image promises: a non-root user (uid 1000), NODE_ENV=production, the
 * start script's Node flags, no secret in ENV or ARG, and .dockerignore keeping .env, data/ and
 * node_modules out.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT, startEmulator } from "../../src/emulator/index.js";
import { startSlackDouble } from "../../src/slack-double/index.js";
import { freePort } from "../support/redis.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);

interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** Instructions in order; continuation lines joined, comments and the syntax line dropped. */
function readDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = "";
    const m = /^(\w+)\s+(.*)$/.exec(full);
    if (!m) throw new Error(`not an instruction: ${full}`);
    out.push({ op: (m[1] as string).toUpperCase(), args: m[2] as string });
  }
  return out;
}

/** .dockerignore patterns as tests on a path relative to the context (the subset used here). */
function ignoreRules(text: string): (path: string) => boolean {
  const rules = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const negate = l.startsWith("!");
      const pattern = (negate ? l.slice(1) : l).replace(/\/$/, "");
      const re = new RegExp(
        `^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}(/.*)?$`,
      );
      return { negate, re };
    });
  return (path) => {
    let ignored = false;
    for (const r of rules) if (r.re.test(path)) ignored = !r.negate;
    return ignored;
  };
}

/** The environment without what the surrounding `npm test` and vitest set for themselves. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_(lifecycle|package|command|node_execpath|execpath)|VITEST|NODE_ENV$|INIT_CWD$)/i.test(key))
      continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

interface Stage {
  readonly name: string;
  readonly root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
}

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const instructions = readDockerfile(dockerfile);
const ignored = ignoreRules(readFileSync(join(ROOT, ".dockerignore"), "utf8"));

describe("the Dockerfile", () => {
  it("keeps secrets and local state out of the build context", () => {
    for (const path of [
      ".env",
      ".env.production",
      "data",
      "data/state.json",
      "node_modules",
      "node_modules/x/y.js",
    ])
      expect(ignored(path), path).toBe(true);
    for (const path of ["src/serve.ts", "package.json", "package-lock.json", ".env.example"])
      expect(ignored(path), path).toBe(false);
  });

  it("bakes no secret in: no ENV or ARG names a secret, token or password", () => {
    for (const i of instructions.filter((x) => x.op === "ENV" || x.op === "ARG"))
      expect(i.args).not.toMatch(/SECRET|TOKEN|PASSWORD|xox[bpa]-|xapp-/i);
  });

  it("has two stages, the runtime one as uid 1000 with NODE_ENV=production and the start script's command", () => {
    const froms = instructions.filter((i) => i.op === "FROM").map((i) => i.args);
    expect(froms.map((f) => f.replace(/^\S+\s+/, ""))).toEqual(["AS build", "AS runtime"]);
    // One base image for both stages, chosen by the NODE_IMAGE argument.
    expect(new Set(froms.map((f) => f.split(/\s+/)[0])).size).toBe(1);
    const runtime = instructions.slice(instructions.findIndex((i) => i.args.endsWith("AS runtime")));
    expect(runtime.filter((i) => i.op === "USER").map((i) => i.args)).toEqual(["1000:1000"]);
    expect(runtime.some((i) => i.op === "ENV" && i.args === "NODE_ENV=production")).toBe(true);
    expect(runtime.some((i) => i.op === "RUN" && /npm ci --omit=dev/.test(i.args))).toBe(true);
    const cmd = JSON.parse(runtime.find((i) => i.op === "CMD")?.args ?? "[]") as string[];
    const start = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }
    ).scripts.start;
    expect(`exec ${cmd.join(" ")}`).toBe(start);
  });

  it("its steps, carried out in a temporary folder, give a bot that serves /readyz 200", {
    timeout: 300_000,
  }, async () => {
    const work = mkdtempSync(join(tmpdir(), "gluu-stats-docker-"));
    cleanup.push(() => rmSync(work, { recursive: true, force: true }));
    // Ownership cannot be given away without root: a stand-in chown records what was asked.
    const shims = join(work, ".shims");
    mkdirSync(shims);
    const chowns = join(work, ".chowns");
    if (process.getuid?.() !== 0) {
      writeFileSync(join(shims, "chown"), `#!/bin/sh\necho "$@" >> "${chowns}"\n`);
      chmodSync(join(shims, "chown"), 0o755);
    }
    const stages = new Map<string, Stage>();
    let stage: Stage | undefined;
    const inStage = (s: Stage, path: string) =>
      join(s.root, path.startsWith("/") ? path : join(s.workdir, path));
    const timings: string[] = [];

    for (const { op, args } of instructions) {
      if (op === "ARG") continue; // NODE_IMAGE: the base image is this machine's Node
      if (op === "FROM") {
        const m = /^\S+\s+AS\s+(\S+)$/i.exec(args);
        if (!m) throw new Error(`FROM without a stage name: ${args}`);
        const name = m[1] as string;
        stage = { name, root: join(work, name), workdir: "/", env: {} };
        mkdirSync(stage.root);
        stages.set(name, stage);
        continue;
      }
      if (!stage) throw new Error(`${op} before FROM`);
      const s = stage;
      switch (op) {
        case "WORKDIR":
          s.workdir = args;
          mkdirSync(join(s.root, args), { recursive: true });
          break;
        case "ENV":
          for (const pair of args.split(/\s+/)) {
            const [k, ...v] = pair.split("=");
            s.env[k as string] = v.join("=");
          }
          break;
        case "COPY": {
          const words = args.split(/\s+/);
          const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
          const paths = words.filter((w) => !w.startsWith("--"));
          const dest = paths.pop() as string;
          const source = from ? stages.get(from) : undefined;
          if (from && !source) throw new Error(`COPY --from=${from}: no such stage`);
          for (const p of paths) {
            const src = source ? join(source.root, p) : join(ROOT, p);
            if (!source) expect(ignored(p), `${p} is excluded by .dockerignore`).toBe(false);
            const target = dest.endsWith("/")
              ? join(inStage(s, dest), p.split("/").pop() as string)
              : inStage(s, dest);
            mkdirSync(dirname(target), { recursive: true });
            cpSync(src, target, {
              recursive: true,
              filter: (f) => source !== undefined || !ignored(relative(ROOT, f)),
            });
          }
          break;
        }
        case "RUN": {
          // A cache mount is a cache: the machine's npm cache stands in for it.
          const cmd = args.replace(/^(--mount=type=cache,\S+\s+)+/, "");
          expect(cmd, "RUN must not start with other flags").not.toMatch(/^--/);
          expect(cmd, "absolute paths would reach outside the stage's folder").not.toMatch(/(^|\s)\//);
          const started = Date.now();
          await run("sh", ["-c", cmd], {
            cwd: join(s.root, s.workdir),
            env: cleanEnv({ ...s.env, PATH: `${shims}:${process.env.PATH ?? ""}` }),
            timeout: 240_000,
            maxBuffer: 32 * 1024 * 1024,
          }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
            throw new Error(
              `RUN ${cmd} failed: ${error.message}\n${error.stdout ?? ""}\n${error.stderr ?? ""}`,
            );
          });
          timings.push(`${s.name}: RUN ${cmd} ${Date.now() - started} ms`);
          break;
        }
        case "USER":
          s.user = args;
          break;
        case "CMD":
          s.cmd = JSON.parse(args) as string[];
          break;
        case "EXPOSE":
          break;
        default:
          throw new Error(`the Dockerfile uses ${op}, which this test does not carry out`);
      }
    }
    process.stderr.write(`dockerfile test:\n  ${timings.join("\n  ")}\n`);

    const runtime = stages.get("runtime");
    if (!runtime?.cmd) throw new Error("no runtime stage with a CMD");
    const app = join(runtime.root, runtime.workdir);
    // Only the runtime dependencies and the build: no compiler, no sources.
    expect(existsSync(join(app, "dist/cli/main.js"))).toBe(true);
    expect(existsSync(join(app, "node_modules/@slack/bolt/package.json"))).toBe(true);
    expect(existsSync(join(app, "node_modules/typescript")), "a dev dependency in the image").toBe(false);
    expect(existsSync(join(app, "src")), "sources in the runtime image").toBe(false);
    expect(existsSync(join(app, "data"))).toBe(true);
    if (process.getuid?.() !== 0) expect(readFileSync(chowns, "utf8")).toContain("1000:1000 data");

    const emulator = await startEmulator({ family: "janssen" });
    cleanup.push(() => emulator.close());
    const slack = await startSlackDouble();
    cleanup.push(() => slack.close());
    const port = await freePort();
    const [bin, ...rest] = runtime.cmd;
    const child: ChildProcess = spawn(bin === "node" ? process.execPath : (bin as string), rest, {
      cwd: app,
      env: cleanEnv({
        ...runtime.env,
        GLUU_URL: emulator.url,
        GLUU_CLIENT_ID: DEFAULT_CLIENT.id,
        GLUU_CLIENT_SECRET: DEFAULT_CLIENT.secret,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: "dockerfile-test-signing-secret",
        SLACK_API_URL: slack.apiUrl,
        // The monthly post's state lands in the image's ./data, as in a container.
        REPORT_CHANNEL: "C0REPORT01",
        REPORT_CRON: "0 0 1 1 *",
        PORT: String(port),
      }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    cleanup.push(async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    });

    const deadline = Date.now() + 20_000;
    let ready = 0;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        const res = await request(`http://127.0.0.1:${port}/readyz`);
        await res.body.text();
        ready = res.statusCode;
        if (ready === 200) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready, output).toBe(200);
    child.kill("SIGTERM");
    expect(await exited, output).toBe(0);
  });
});
