/**
 * Test fixture: an in-memory ClusterClient holding a fixed set of objects, so checks can be tested
 * without a cluster (k8sgpt-style), plus small builders for the objects those tests need. Lists
 * honour namespace and a `reason=X` field selector; writes are refused because checks must not write.
 */
import type { ClusterClient } from "../../src/kube/cluster-client.ts";
import type { KubeObject, ListOptions } from "../../src/kube/types.ts";
import type { CheckResult, HealthCheck, HealthInput } from "../../src/telemetry/health-check.ts";
import { measureHealth } from "../../src/telemetry/health.ts";

export class FakeCluster implements ClusterClient {
  readonly server = "fake://cluster";
  lists = 0;
  failKind?: string;
  constructor(public objects: KubeObject[] = []) {}

  async read(): Promise<KubeObject | undefined> {
    throw new Error("checks should list, not read");
  }
  async list(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<KubeObject[]> {
    this.lists++;
    if (kind === this.failKind) throw new Error(`list ${kind}: the server is on fire`);
    const field = opts.fieldSelector ? /^reason=(.*)$/.exec(opts.fieldSelector)?.[1] : undefined;
    return structuredClone(
      this.objects.filter((o) => o.apiVersion === apiVersion && o.kind === kind && (!opts.namespace || o.metadata.namespace === opts.namespace) && (field === undefined || o.reason === field)),
    );
  }
  async create(): Promise<KubeObject> {
    throw new Error("read-only");
  }
  async replace(): Promise<KubeObject> {
    throw new Error("read-only");
  }
  async patch(): Promise<KubeObject> {
    throw new Error("read-only");
  }
  async delete(): Promise<void> {
    throw new Error("read-only");
  }
  async podLogs(): Promise<string> {
    return "";
  }
}

export const NOW = Date.parse("2026-01-01T12:00:00Z");
export const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();

export function deployment(ns: string, name: string, replicas: number, available: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, uid: `uid-d-${name}` },
    spec: { replicas, selector: { matchLabels: { app: name } } },
    status: { replicas, availableReplicas: available || undefined },
  };
}

export function replicaSet(ns: string, deploy: string): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: `${deploy}-abc12`, namespace: ns, uid: `uid-rs-${deploy}`, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: deploy, uid: `uid-d-${deploy}`, controller: true }] },
    spec: {},
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function pod(ns: string, deploy: string, suffix: string, status: any, createdMsAgo = 600_000): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${deploy}-abc12-${suffix}`,
      namespace: ns,
      creationTimestamp: iso(createdMsAgo),
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${deploy}-abc12`, uid: `uid-rs-${deploy}`, controller: true }],
    },
    spec: { containers: [{ name: "app", image: "x" }] },
    status,
  };
}

export const running = (restartCount = 0, lastState: object = {}) => ({
  phase: "Running",
  containerStatuses: [{ name: "app", ready: true, restartCount, state: { running: { startedAt: iso(60_000) } }, lastState }],
});

export const waiting = (reason: string, message: string, restartCount = 0, lastState: object = {}) => ({
  phase: reason === "CrashLoopBackOff" ? "Running" : "Pending",
  containerStatuses: [{ name: "app", ready: false, restartCount, state: { waiting: { reason, message } }, lastState }],
});

export const fixedClock = (now = NOW) => ({ now: () => now, sleep: async () => {} });

/** Runs one check through measureHealth against these objects; returns its results. */
export async function runCheck(check: HealthCheck, objects: KubeObject[], extra: Partial<HealthInput> = {}): Promise<CheckResult[]> {
  const r = await measureHealth({ cluster: new FakeCluster(objects), namespaces: ["hr"], clock: fixedClock(), checks: [check], ...extra });
  return r.results;
}
