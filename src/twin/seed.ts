/**
 * Seeding a twin: a copy of the live objects that decide what a plan does in the namespaces it
 * touches — Deployments with their ReplicaSet history (so rollout-undo finds its revisions),
 * Services, ConfigMaps, Secrets as placeholders, PVCs, quotas, limit ranges, NetworkPolicies, HPAs,
 * ServiceAccounts — and the cluster's Nodes and StorageClasses. Pods are not copied: the twin's
 * own ReplicaSets create them, which is exactly the behaviour being predicted. Server-owned fields
 * (uid, resourceVersion, managedFields, status, clusterIP, bindings) are dropped; a ReplicaSet's
 * owner reference is re-pointed at the twin's copy of its Deployment. A kind that cannot be read
 * live (RBAC) is named in the report, not guessed.
 */
import { createHash } from "node:crypto";
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { KubeObject } from "../kube/types.ts";
import { isKubeApiError } from "../base/errors.ts";

export type SeedKind = { apiVersion: string; kind: string; namespaced: boolean };

/** In creation order: what a pod needs exists before the workloads that create pods. */
export const SEED_KINDS: readonly SeedKind[] = [
  { apiVersion: "v1", kind: "Node", namespaced: false },
  { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", namespaced: false },
  { apiVersion: "v1", kind: "ServiceAccount", namespaced: true },
  { apiVersion: "v1", kind: "ConfigMap", namespaced: true },
  { apiVersion: "v1", kind: "Secret", namespaced: true },
  { apiVersion: "v1", kind: "ResourceQuota", namespaced: true },
  { apiVersion: "v1", kind: "LimitRange", namespaced: true },
  { apiVersion: "v1", kind: "PersistentVolumeClaim", namespaced: true },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespaced: true },
  { apiVersion: "v1", kind: "Service", namespaced: true },
  { apiVersion: "apps/v1", kind: "Deployment", namespaced: true },
  { apiVersion: "apps/v1", kind: "ReplicaSet", namespaced: true },
  { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", namespaced: true },
];

export type SeedReport = {
  namespaces: string[];
  /** Objects created in the twin, per kind. */
  copied: Record<string, number>;
  /** Kinds (or objects) not copied, with why: the prediction cannot account for them. */
  skipped: string[];
  /** Wall time the seeding took, ms. */
  wallMs: number;
};

const ASSUMED_NODE_CAPACITY = { cpu: "8", memory: "32Gi", pods: "110" };
const ASSUMED_NODES: KubeObject[] = [1, 2, 3].map((i) => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name: `twin-node-${i}`, labels: { "kubernetes.io/hostname": `twin-node-${i}`, "kubernetes.io/os": "linux" } },
  spec: { podCIDR: `10.250.${i}.0/24` },
  status: { capacity: ASSUMED_NODE_CAPACITY, allocatable: ASSUMED_NODE_CAPACITY, conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }] },
}));

const SERVER_META = ["uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences"];
/** Annotations the server or a binder owns; copying them would make the twin think it already acted. */
const DROP_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration", "pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller", "volume.kubernetes.io/selected-node"];

export async function seedTwin(live: ClusterClient, twin: ClusterClient, namespaces: string[], wallNow: () => number = Date.now): Promise<SeedReport> {
  const started = wallNow();
  const report: SeedReport = { namespaces: [...namespaces].sort(), copied: {}, skipped: [], wallMs: 0 };
  for (const ns of report.namespaces) {
    const liveNs = await live.read({ apiVersion: "v1", kind: "Namespace", name: ns }).catch(() => undefined);
    await createOrKeep(twin, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, ...(liveNs?.metadata.labels ? { labels: liveNs.metadata.labels } : {}) } });
  }
  /** Live Deployment uid → twin Deployment uid, for ReplicaSet owner references. */
  const owners = new Map<string, string>();
  for (const k of SEED_KINDS) {
    const scopes = k.namespaced ? report.namespaces : [undefined];
    for (const ns of scopes) {
      let items: KubeObject[];
      try {
        items = await live.list(k.apiVersion, k.kind, ns ? { namespace: ns } : {});
      } catch (e) {
        report.skipped.push(`${k.kind}${ns ? ` in ${ns}` : ""}: cannot list live (${isKubeApiError(e) ? e.message : String(e)})`);
        if (k.kind !== "Node") continue;
        // Without the live nodes nothing would schedule on the twin: assume a small, roomy cluster.
        items = ASSUMED_NODES;
        report.skipped.push(`Node: the twin assumes ${ASSUMED_NODES.length} nodes of ${ASSUMED_NODE_CAPACITY.cpu} CPU and ${ASSUMED_NODE_CAPACITY.memory}: scheduling is not predicted`);
      }
      for (const o of items) {
        const copy = twinCopy(o, owners);
        if (!copy) continue;
        try {
          const created = await createOrKeep(twin, copy);
          if (k.kind === "Deployment" && o.metadata.uid && created?.metadata.uid) owners.set(o.metadata.uid, created.metadata.uid);
          report.copied[k.kind] = (report.copied[k.kind] ?? 0) + 1;
        } catch (e) {
          report.skipped.push(`${k.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}: the twin refused it (${(e as Error).message})`);
        }
      }
    }
  }
  report.wallMs = wallNow() - started;
  return report;
}

/** The object as the twin should receive it, or undefined for one not copied. */
export function twinCopy(o: KubeObject, owners: Map<string, string>): KubeObject | undefined {
  const c = structuredClone(o) as KubeObject;
  const meta = c.metadata as Record<string, unknown>;
  const liveOwners = o.metadata.ownerReferences ?? [];
  for (const f of SERVER_META) delete meta[f];
  const annotations = { ...(o.metadata.annotations ?? {}) };
  for (const a of DROP_ANNOTATIONS) delete annotations[a];
  if (Object.keys(annotations).length) meta.annotations = annotations;
  else delete meta.annotations;
  switch (o.kind) {
    case "Node":
      // A node's capacity and conditions are what scheduling reads: status stays.
      return c;
    case "ServiceAccount":
      delete c.secrets;
      return o.metadata.name === "default" ? undefined : c;
    case "ConfigMap":
      // The root CA bundle every namespace gets is the twin's own.
      return o.metadata.name === "kube-root-ca.crt" ? undefined : c;
    case "Secret":
      if (o.type === "kubernetes.io/service-account-token") return undefined;
      return { ...c, data: placeholders(o.data) };
    case "PersistentVolumeClaim":
      delete c.status;
      if (c.spec) delete c.spec.volumeName;
      return c;
    case "Service":
      delete c.status;
      if (c.spec) {
        delete c.spec.clusterIP;
        delete c.spec.clusterIPs;
        for (const p of c.spec.ports ?? []) delete p.nodePort;
      }
      return c;
    case "ReplicaSet": {
      const dep = liveOwners.find((r) => r.kind === "Deployment" && r.controller);
      const twinUid = dep ? owners.get(dep.uid) : undefined;
      if (!dep || !twinUid) return undefined;
      meta.ownerReferences = [{ ...dep, uid: twinUid }];
      delete c.status;
      return c;
    }
    default:
      delete c.status;
      return c;
  }
}

/**
 * Secret values replaced by placeholders that keep the keys and which values are equal (a client's
 * password matches its database's when, and only when, it did live) but carry no secret.
 */
export function placeholders(data: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!data) return undefined;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(`twin-placeholder-${createHash("sha256").update(v).digest("hex").slice(0, 16)}`).toString("base64")]));
}

/** Creates the object; one that already exists (a twin's own Namespace) is left as it is. */
async function createOrKeep(twin: ClusterClient, obj: KubeObject): Promise<KubeObject | undefined> {
  try {
    return await twin.create(obj);
  } catch (e) {
    if (isKubeApiError(e) && e.status === 409) return twin.read({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name });
    throw e;
  }
}
