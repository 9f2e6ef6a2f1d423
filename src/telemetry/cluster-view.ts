/**
 * One health measurement's read of the cluster: each kind listed once across the in-scope
 * namespaces, on first use, and shared by every check, so seven checks cost a handful of list
 * calls and all judge the same moment. Also answers "which workload owns this pod" (Pod →
 * ReplicaSet → Deployment), because checks report per workload: pod names change with every
 * restart of a rollout, a workload's name does not, so a failure can be followed from baseline
 * to verify.
 */
import type { ObjectAddress } from "../kube/types.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { KubeObject } from "../kube/types.ts";

/** The object a check result is about (a workload, a Service): a versionless object address. */
export type CheckSubject = ObjectAddress & { namespace: string };

export class ClusterView {
  private readonly cache = new Map<string, Promise<KubeObject[]>>();
  /** ReplicaSets by uid and by "namespace/name", built once per view: every pod asks (5,000 pods × 500 ReplicaSets by scan was the idle watchdog's hottest line). */
  private replicaSetIndex?: Promise<Map<string, KubeObject>>;

  constructor(
    private readonly cluster: ClusterClient,
    readonly namespaces: readonly string[],
  ) {}

  pods = () => this.list("v1", "Pod");
  deployments = () => this.list("apps/v1", "Deployment");
  replicaSets = () => this.list("apps/v1", "ReplicaSet");
  services = () => this.list("v1", "Service");
  endpoints = () => this.list("v1", "Endpoints");
  /** Scheduling failures only: the one event reason a check reads, filtered by the server. */
  schedulingEvents = () => this.list("v1", "Event", "reason=FailedScheduling");

  /** Whether `list` of this kind has been asked for (the report takes restart counts only then). */
  has(kind: string): boolean {
    return [...this.cache.keys()].some((k) => k.startsWith(`${kind}|`));
  }

  /** Lists a kind in every in-scope namespace, once per view; a failed list fails every caller. */
  list(apiVersion: string, kind: string, fieldSelector?: string): Promise<KubeObject[]> {
    const key = `${kind}|${apiVersion}|${fieldSelector ?? ""}`;
    let p = this.cache.get(key);
    if (!p) {
      p = Promise.all(this.namespaces.map((namespace) => this.cluster.list(apiVersion, kind, { namespace, ...(fieldSelector ? { fieldSelector } : {}) }))).then((lists) => lists.flat());
      this.cache.set(key, p);
    }
    return p;
  }

  /**
   * The workload a pod belongs to: its Deployment when a ReplicaSet of one owns it, else its
   * controlling owner (StatefulSet, DaemonSet, Job...), else the pod itself.
   */
  async workloadRefOf(pod: KubeObject): Promise<CheckSubject> {
    const namespace = pod.metadata.namespace ?? "";
    const owner = controllerOf(pod);
    if (!owner) return { kind: "Pod", namespace, name: pod.metadata.name };
    if (owner.kind === "ReplicaSet") {
      const index = await this.replicaSetsIndexed();
      const rs = (owner.uid ? index.get(`uid:${owner.uid}`) : undefined) ?? index.get(`${namespace}/${owner.name}`);
      const deploy = rs && controllerOf(rs);
      if (deploy?.kind === "Deployment") return { kind: "Deployment", namespace, name: deploy.name };
    }
    return { kind: owner.kind, namespace, name: owner.name };
  }

  private replicaSetsIndexed(): Promise<Map<string, KubeObject>> {
    this.replicaSetIndex ??= this.replicaSets().then((list) => {
      const index = new Map<string, KubeObject>();
      for (const rs of list) {
        if (rs.metadata.uid) index.set(`uid:${rs.metadata.uid}`, rs);
        index.set(`${rs.metadata.namespace ?? ""}/${rs.metadata.name}`, rs);
      }
      return index;
    });
    return this.replicaSetIndex;
  }

  /** "namespace/name" of the workload a pod belongs to (see workloadRefOf). */
  async workloadOf(pod: KubeObject): Promise<string> {
    const w = await this.workloadRefOf(pod);
    return `${w.namespace}/${w.name}`;
  }
}

const controllerOf = (o: KubeObject) => o.metadata.ownerReferences?.find((r) => r.controller) ?? o.metadata.ownerReferences?.[0];

/** "namespace/name" of an object: the entity key checks report under. */
export const nsName = (o: KubeObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** The subject of a result about this object (its kind given: list items need not carry one). */
export const subjectOf = (kind: string, o: KubeObject): CheckSubject => ({ kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name });
