/**
 * deploy/kubernetes, rendered by `kubectl kustomize` as `kubectl apply -k` would: every
 * environment variable it sets is one the configuration knows, the probes point at the bot's
 * endpoints, and the pod runs as the image's non-root user with a read-only root file system
 * and STATE_DIR on a volume.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { envSchema } from "../../src/config/env.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DIR = join(ROOT, "deploy/kubernetes");
const run = promisify(execFile);

interface Resource {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects are walked by path in the assertions
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

let resources: Resource[] = [];
const known = new Set(Object.keys(envSchema.shape));
const byKind = (kind: string) => resources.filter((r) => r.kind === kind);

beforeAll(async () => {
  const { stdout } = await run("kubectl", ["kustomize", DIR], { timeout: 60_000 }).catch((err: Error) => {
    throw new Error(
      `kubectl kustomize failed (${err.message}); kubectl comes with Debian's kubernetes-client: apt-get install -y kubernetes-client`,
    );
  });
  resources = parseAllDocuments(stdout).map((d) => d.toJSON() as Resource);
});

describe("deploy/kubernetes", () => {
  it("renders a Deployment, a Service, a ConfigMap, a PersistentVolumeClaim and a PodDisruptionBudget", () => {
    expect(resources.map((r) => r.kind).sort()).toEqual(
      ["ConfigMap", "Deployment", "PersistentVolumeClaim", "PodDisruptionBudget", "Service"].sort(),
    );
    for (const r of resources) expect(r.metadata.labels?.["app.kubernetes.io/name"]).toBe("gluu-stats");
  });

  it("sets only variables the configuration knows: the ConfigMap, the Secret example and the container's env", () => {
    const container = byKind("Deployment")[0]?.spec.template.spec.containers[0];
    const names = [
      ...Object.keys(byKind("ConfigMap")[0]?.data ?? {}),
      ...((container.env ?? []) as Array<{ name: string }>).map((e) => e.name),
    ];
    const secret = parseYaml(readFileSync(join(DIR, "secret.example.yaml"), "utf8")) as Resource;
    names.push(...Object.keys(secret.stringData ?? {}));
    // Commented-out examples in the Secret too: a typo there would be copied.
    for (const m of readFileSync(join(DIR, "secret.example.yaml"), "utf8").matchAll(
      /^\s*#\s*([A-Z][A-Z0-9_]+):/gm,
    ))
      names.push(m[1] as string);
    expect(names.length).toBeGreaterThan(8);
    for (const name of names) expect(known.has(name), `${name} is not a configuration variable`).toBe(true);
    // The ConfigMap and the Secret together are a configuration the schema accepts.
    const env = {
      ...byKind("ConfigMap")[0]?.data,
      ...secret.stringData,
      METRICS_TOKEN: "0123456789abcdef0123",
    };
    expect(envSchema.safeParse(env).success).toBe(true);
    // Secrets never sit in the ConfigMap.
    for (const name of Object.keys(byKind("ConfigMap")[0]?.data ?? {}))
      expect(name).not.toMatch(/SECRET|TOKEN|PASSWORD|CLIENT_ID|REDIS_URL/);
    const refs = (container.envFrom as Array<Record<string, { name: string }>>).map(
      (e) => e.configMapRef?.name ?? e.secretRef?.name,
    );
    expect(refs).toEqual([byKind("ConfigMap")[0]?.metadata.name, secret.metadata.name]);
  });

  it("probes /healthz for liveness and /readyz for readiness, on the container's PORT", () => {
    const container = byKind("Deployment")[0]?.spec.template.spec.containers[0];
    expect(container.livenessProbe.httpGet.path).toBe("/healthz");
    expect(container.readinessProbe.httpGet.path).toBe("/readyz");
    const port = container.ports.find(
      (p: { name: string }) => p.name === container.readinessProbe.httpGet.port,
    );
    expect(String(port.containerPort)).toBe(byKind("ConfigMap")[0]?.data?.PORT);
    expect(byKind("Service")[0]?.spec.ports[0].targetPort).toBe("http");
  });

  it("runs as uid 1000, without privilege escalation, read-only, STATE_DIR on the volume; resources set", () => {
    const pod = byKind("Deployment")[0]?.spec.template.spec;
    const container = pod.containers[0];
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    const stateDir = byKind("ConfigMap")[0]?.data?.STATE_DIR;
    const mount = container.volumeMounts.find((v: { mountPath: string }) => v.mountPath === stateDir);
    expect(mount, `a volume at STATE_DIR (${stateDir})`).toBeDefined();
    const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.persistentVolumeClaim.claimName).toBe(byKind("PersistentVolumeClaim")[0]?.metadata.name);
    expect(container.resources.requests).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container.resources.limits.memory).toEqual(expect.any(String));
    // The Dockerfile's user is the same uid.
    expect(readFileSync(join(ROOT, "Dockerfile"), "utf8")).toMatch(/^USER 1000:1000$/m);
  });

  it("keeps one replica with the file store, and says what more needs", () => {
    const deployment = byKind("Deployment")[0];
    expect(deployment?.spec.replicas).toBe(1);
    expect(deployment?.spec.strategy.type).toBe("Recreate");
    expect(readFileSync(join(DIR, "deployment.yaml"), "utf8")).toMatch(/More than one needs REDIS_URL/);
    expect(byKind("PodDisruptionBudget")[0]?.spec.selector.matchLabels).toEqual(
      deployment?.spec.selector.matchLabels,
    );
  });
});
