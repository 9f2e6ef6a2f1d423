/**
 * Test fixture: hand-built cluster objects and Observations for the embedded reasoners, k8sgpt
 * style — rules and signals are tested on what a cluster would show, without a cluster. Builders
 * make Deployments with their ReplicaSet revisions and pods, Services with Endpoints, ConfigMaps,
 * Secrets (summarized as the observation layer does), events, call edges and service stats.
 */
import type { KubeObject } from "../../src/kube/types.ts";
import type { CallEdge, ServiceStats } from "../../src/telemetry/metric-source.ts";
import { EmbeddedDiagnosisAgent } from "../../agents/diagnosis/diagnoser.ts";
import type { ChangeTracker } from "../../agents/observe/changes.ts";
import { emptyObservation, summarizeSecret, type Observation } from "../../agents/observe/index.ts";
import type { Diagnosis, Incident } from "../../src/incident/types.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export const NS = "hr";
export const NOW = Date.parse("2026-01-01T12:00:00Z");
export const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();
const clone = <T>(v: T): T => structuredClone(v);

export type DeploymentOpts = {
  replicas?: number;
  available?: number;
  image?: string;
  command?: string[];
  env?: Array<Record<string, unknown>>;
  port?: number;
  probePort?: number;
  nodeSelector?: Record<string, string>;
  volumes?: Array<Record<string, unknown>>;
  memoryLimit?: string;
  revision?: number;
};

export function deployment(name: string, o: DeploymentOpts = {}): KubeObject {
  const port = o.port ?? 8080;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS, uid: `uid-d-${name}`, generation: 1, annotations: { "deployment.kubernetes.io/revision": String(o.revision ?? 1) } },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{
            name,
            image: o.image ?? "example/app:1.0.0",
            ...(o.command ? { command: o.command } : {}),
            ports: [{ name: "http", containerPort: port }],
            ...(o.env ? { env: o.env } : {}),
            readinessProbe: { tcpSocket: { port: o.probePort ?? port }, periodSeconds: 5 },
            resources: { limits: { memory: o.memoryLimit ?? "256Mi" } },
          }],
          ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
          ...(o.volumes ? { volumes: o.volumes } : {}),
        },
      },
    },
    status: { replicas: o.replicas ?? 1, availableReplicas: o.available ?? o.replicas ?? 1, observedGeneration: 1 },
  };
}

/** A ReplicaSet of `d` at `revision` with `d`'s template (or the one given), created `createdMsAgo`. */
export function replicaSet(d: KubeObject, revision: number, template = d.spec.template, createdMsAgo = 3_600_000): KubeObject {
  const name = `${d.metadata.name}-r${revision}`;
  const t = clone(template);
  t.metadata.labels = { ...t.metadata.labels, "pod-template-hash": `h${revision}` };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name, namespace: NS, uid: `uid-rs-${name}`, creationTimestamp: iso(createdMsAgo),
      annotations: { "deployment.kubernetes.io/revision": String(revision) },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: d.metadata.name, uid: d.metadata.uid!, controller: true }],
    },
    spec: { replicas: d.spec.replicas, template: t },
  };
}

/**
 * A Deployment whose latest revision (2, created `changedMsAgo`) is `d` as given, and whose
 * previous revision (1) had the template `change` is undone by: returns [deployment, rs1, rs2].
 */
export function revised(d: KubeObject, previous: (template: Any) => void, changedMsAgo = 60_000): KubeObject[] {
  d.metadata.annotations!["deployment.kubernetes.io/revision"] = "2";
  const old = clone(d.spec.template);
  previous(old);
  return [d, replicaSet(d, 1, old), replicaSet(d, 2, d.spec.template, changedMsAgo)];
}

export function pod(rs: KubeObject, suffix: string, status: Any, createdMsAgo = 600_000, spec?: Any): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${rs.metadata.name}-${suffix}`, namespace: NS, uid: `uid-p-${rs.metadata.name}-${suffix}`, creationTimestamp: iso(createdMsAgo),
      labels: clone(rs.spec.template.metadata.labels),
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata.name, uid: rs.metadata.uid!, controller: true }],
    },
    spec: clone(spec ?? rs.spec.template.spec),
    status,
  };
}

const readyCond = (ready: boolean) => [{ type: "Ready", status: ready ? "True" : "False" }, { type: "PodScheduled", status: "True" }];

export const running = (name: string, o: { ready?: boolean; restarts?: number; startedMsAgo?: number; last?: Any } = {}) => ({
  phase: "Running",
  conditions: readyCond(o.ready ?? true),
  containerStatuses: [{ name, ready: o.ready ?? true, restartCount: o.restarts ?? 0, state: { running: { startedAt: iso(o.startedMsAgo ?? 600_000) } }, ...(o.last ? { lastState: { terminated: o.last } } : {}) }],
});

export const waiting = (name: string, reason: string, message = "", o: { restarts?: number; last?: Any; phase?: string } = {}) => ({
  phase: o.phase ?? (reason === "CrashLoopBackOff" ? "Running" : "Pending"),
  conditions: readyCond(false),
  containerStatuses: [{ name, ready: false, restartCount: o.restarts ?? 0, state: { waiting: { reason, message } }, ...(o.last ? { lastState: { terminated: o.last } } : {}) }],
});

export const exited = (reason: string, exitCode: number, finishedMsAgo = 20_000, message?: string) => ({ reason, exitCode, finishedAt: iso(finishedMsAgo), ...(message ? { message } : {}) });

export const pending = (message: string) => ({
  phase: "Pending",
  conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message }],
});

export function service(name: string, port: number, o: { targetPort?: number | string; selector?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: NS, uid: `uid-s-${name}` },
    spec: { type: "ClusterIP", selector: o.selector ?? { app: name }, ports: [{ name: "http", protocol: "TCP", port, targetPort: o.targetPort ?? port }] },
  };
}

export function endpoints(name: string, ready: number, port: number): KubeObject {
  const addresses = Array.from({ length: ready }, (_, i) => ({ ip: `10.0.0.${i + 1}` }));
  return { apiVersion: "v1", kind: "Endpoints", metadata: { name, namespace: NS }, subsets: ready ? [{ addresses, ports: [{ port }] }] : [] };
}

export const configMap = (name: string, data: Record<string, string>): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data });

export const secret = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: NS },
  type: "Opaque",
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
});

export function event(kind: string, name: string, reason: string, message: string, type = "Warning", msAgo = 10_000): KubeObject {
  return {
    apiVersion: "v1", kind: "Event", metadata: { name: `${name}.${reason}`, namespace: NS },
    involvedObject: { kind, name, namespace: NS }, reason, message, type, count: 3, firstTimestamp: iso(msAgo + 30_000), lastTimestamp: iso(msAgo),
  };
}

export const edge = (service: string, callee: string, errorRatio: number, rate = 5): CallEdge => ({ service, callee, rate, errorRatio });
export const stats = (errorRatio: number, p99Seconds: number | null = 0.05, requestRate = 5): ServiceStats => ({ requestRate, errorRatio, p99Seconds });

export type Parts = Partial<Omit<Observation, "secrets">> & { secrets?: KubeObject[]; objects?: KubeObject[] };

/** An observation at NOW holding these objects (sorted into their lists by kind) and parts. */
export function observation(parts: Parts = {}): Observation {
  const obs = emptyObservation(NOW, [NS]);
  const lists: Record<string, keyof Observation> = {
    Pod: "pods", Deployment: "deployments", ReplicaSet: "replicaSets", Service: "services", Endpoints: "endpoints", ConfigMap: "configMaps",
    Event: "events", PersistentVolumeClaim: "pvcs", StorageClass: "storageClasses", NetworkPolicy: "networkPolicies", Node: "nodes",
  };
  const { objects = [], secrets = [], ...rest } = parts;
  Object.assign(obs, rest);
  for (const o of objects) {
    if (o.kind === "Secret") obs.secrets.push(summarizeSecret(o));
    else if (o.apiVersion.startsWith("chaos-mesh.org/")) obs.chaos.push(o);
    else (obs[lists[o.kind]] as KubeObject[]).push(o);
  }
  obs.secrets.push(...secrets.map(summarizeSecret));
  return obs;
}

export const nodes = (n = 3): KubeObject[] =>
  Array.from({ length: n }, (_, i) => ({ apiVersion: "v1", kind: "Node", metadata: { name: `node-${i + 1}`, labels: { "kubernetes.io/hostname": `node-${i + 1}` } }, spec: {} }));

export function incident(affected: string[], onsetMsAgo = 60_000): Incident {
  return {
    id: "inc-test", namespace: NS, openedAt: iso(0), onsetAt: iso(onsetMsAgo), severity: "critical",
    symptoms: affected.map((a) => `test:${NS}/${a}: failing`), affected, evidence: [], fingerprint: `${NS}|test`,
  };
}

/** Diagnoses a hand-built observation with the embedded reasoner. */
export function diagnose(obs: Observation, affected: string[], opts: { tracker?: ChangeTracker; baselineReplicas?: Map<string, number>; onsetMsAgo?: number } = {}): Diagnosis {
  const agent = new EmbeddedDiagnosisAgent({ tracker: opts.tracker });
  return agent.diagnoseObservation(incident(affected, opts.onsetMsAgo), obs, { baselineReplicas: opts.baselineReplicas });
}
