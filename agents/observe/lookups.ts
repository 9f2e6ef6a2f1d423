/**
 * Questions the reasoners ask of one Observation, answered from its lists: which Deployment owns a
 * pod, which pods a Deployment or a Service has, which Services, NetworkPolicies and chaos objects
 * select a pod, what a Deployment reads (ConfigMaps, Secrets, PVCs), its ReplicaSet revisions,
 * the events about an object, and its service-level stats and call edges. Built once per
 * observation (an index), then shared by every rule.
 */
import type { KubeObject } from "../../src/kube/types.ts";
import type { CallEdge, ServiceStats } from "../../src/telemetry/metric-source.ts";
import { containerStatuses } from "./logs.ts";
import { matchesMap, matchesSelector } from "../../src/kube/selectors.ts";
import { chaosSelects } from "./selectors.ts";
import type { Observation, SecretSummary } from "./types.ts";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const key = (ns: string | undefined, name: string) => `${ns ?? ""}/${name}`;
export const nsOf = (o: KubeObject) => o.metadata.namespace ?? "";
export const revisionOf = (o: KubeObject): number => {
  const n = Number(o.metadata.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(n) && n > 0 ? n : 0;
};
export const isActivePod = (p: KubeObject) => !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";
const controllerOf = (o: KubeObject) => o.metadata.ownerReferences?.find((r) => r.controller) ?? o.metadata.ownerReferences?.[0];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export class ObservationIndex {
  private readonly rsByUid = new Map<string, KubeObject>();
  private readonly deployByUid = new Map<string, KubeObject>();
  private readonly podsByDeploy = new Map<string, KubeObject[]>();

  constructor(readonly obs: Observation) {
    for (const d of obs.deployments) if (d.metadata.uid) this.deployByUid.set(d.metadata.uid, d);
    for (const rs of obs.replicaSets) if (rs.metadata.uid) this.rsByUid.set(rs.metadata.uid, rs);
    for (const p of obs.pods) {
      const d = this.deploymentOfPod(p);
      if (!d) continue;
      const k = key(nsOf(d), d.metadata.name);
      const list = this.podsByDeploy.get(k) ?? [];
      list.push(p);
      this.podsByDeploy.set(k, list);
    }
  }

  deployment(ns: string, name: string) {
    return this.obs.deployments.find((d) => nsOf(d) === ns && d.metadata.name === name);
  }
  service(ns: string, name: string) {
    return this.obs.services.find((s) => nsOf(s) === ns && s.metadata.name === name);
  }
  endpoints(ns: string, name: string) {
    return this.obs.endpoints.find((s) => nsOf(s) === ns && s.metadata.name === name);
  }
  configMap(ns: string, name: string) {
    return this.obs.configMaps.find((s) => nsOf(s) === ns && s.metadata.name === name);
  }
  secret(ns: string, name: string): SecretSummary | undefined {
    return this.obs.secrets.find((s) => s.namespace === ns && s.name === name);
  }
  pvc(ns: string, name: string) {
    return this.obs.pvcs.find((s) => nsOf(s) === ns && s.metadata.name === name);
  }

  /** The Deployment owning a pod through its ReplicaSet (by uid, then by name). */
  deploymentOfPod(pod: KubeObject): KubeObject | undefined {
    const owner = controllerOf(pod);
    if (owner?.kind !== "ReplicaSet") return undefined;
    const rs = this.rsByUid.get(owner.uid) ?? this.obs.replicaSets.find((r) => nsOf(r) === nsOf(pod) && r.metadata.name === owner.name);
    const d = rs && controllerOf(rs);
    if (d?.kind !== "Deployment") return undefined;
    return this.deployByUid.get(d.uid) ?? this.deployment(nsOf(pod), d.name);
  }

  /** The ReplicaSet owning a pod. */
  replicaSetOfPod(pod: KubeObject): KubeObject | undefined {
    const owner = controllerOf(pod);
    if (owner?.kind !== "ReplicaSet") return undefined;
    return this.rsByUid.get(owner.uid) ?? this.obs.replicaSets.find((r) => nsOf(r) === nsOf(pod) && r.metadata.name === owner.name);
  }

  /** Active pods of a Deployment. */
  podsOf(d: KubeObject): KubeObject[] {
    return (this.podsByDeploy.get(key(nsOf(d), d.metadata.name)) ?? []).filter(isActivePod);
  }

  /** A Deployment's ReplicaSets, newest revision first. */
  replicaSetsOf(d: KubeObject): KubeObject[] {
    return this.obs.replicaSets
      .filter((rs) => nsOf(rs) === nsOf(d) && rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid || (o.kind === "Deployment" && o.name === d.metadata.name)))
      .sort((a, b) => revisionOf(b) - revisionOf(a));
  }

  /** Active pods a Service's selector matches. */
  podsSelectedBy(svc: KubeObject): KubeObject[] {
    const sel = svc.spec?.selector as Record<string, string> | undefined;
    if (!sel || !Object.keys(sel).length) return [];
    return this.obs.pods.filter((p) => nsOf(p) === nsOf(svc) && isActivePod(p) && matchesMap(sel, p.metadata.labels));
  }

  /** Services in the pod template's namespace whose selector matches the Deployment's pod labels. */
  servicesOf(d: KubeObject): KubeObject[] {
    const labels = d.spec?.template?.metadata?.labels as Record<string, string> | undefined;
    return this.obs.services.filter((s) => nsOf(s) === nsOf(d) && s.spec?.selector && Object.keys(s.spec.selector).length && matchesMap(s.spec.selector, labels));
  }

  /**
   * The Deployment behind a Service name: the one whose pods its selector matches, else the one
   * of the same name (a Service whose selector broke no longer matches, but usually keeps the name).
   */
  deploymentForService(ns: string, name: string): KubeObject | undefined {
    const svc = this.service(ns, name);
    if (svc?.spec?.selector && Object.keys(svc.spec.selector).length) {
      const m = this.obs.deployments.find((d) => nsOf(d) === ns && matchesMap(svc.spec.selector, d.spec?.template?.metadata?.labels));
      if (m) return m;
    }
    return this.deployment(ns, name);
  }

  /** Ready and not-ready endpoint addresses of a Service. */
  endpointCounts(ns: string, name: string): { ready: number; notReady: number; ports: number[] } {
    const ep = this.endpoints(ns, name);
    let ready = 0;
    let notReady = 0;
    const ports: number[] = [];
    for (const s of (ep?.subsets ?? []) as Any[]) {
      ready += s.addresses?.length ?? 0;
      notReady += s.notReadyAddresses?.length ?? 0;
      for (const p of s.ports ?? []) ports.push(p.port);
    }
    return { ready, notReady, ports };
  }

  /** NetworkPolicies in the pod's namespace whose podSelector selects it. */
  networkPoliciesSelecting(ns: string, labels: Record<string, string> | undefined): KubeObject[] {
    return this.obs.networkPolicies.filter((np) => nsOf(np) === ns && matchesSelector(np.spec?.podSelector ?? {}, labels));
  }

  /** Chaos objects whose selector picks any of these pods. */
  chaosSelecting(pods: KubeObject[]): KubeObject[] {
    return this.obs.chaos.filter((c) =>
      pods.some((p) => chaosSelects(c.spec?.selector, nsOf(c), { namespace: nsOf(p), name: p.metadata.name, labels: p.metadata.labels })),
    );
  }

  /** Events about an object (by kind and name), oldest first. */
  eventsFor(kind: string, ns: string, name: string): KubeObject[] {
    return this.obs.events.filter((e) => e.involvedObject?.kind === kind && e.involvedObject?.name === name && (e.involvedObject?.namespace ?? nsOf(e)) === ns);
  }

  /** Events about a Deployment, its ReplicaSets and its pods. */
  eventsForDeployment(d: KubeObject): KubeObject[] {
    const ns = nsOf(d);
    const names = new Set([`Deployment/${d.metadata.name}`]);
    for (const rs of this.replicaSetsOf(d)) names.add(`ReplicaSet/${rs.metadata.name}`);
    for (const p of this.podsByDeploy.get(key(ns, d.metadata.name)) ?? []) names.add(`Pod/${p.metadata.name}`);
    return this.obs.events.filter((e) => (e.involvedObject?.namespace ?? nsOf(e)) === ns && names.has(`${e.involvedObject?.kind}/${e.involvedObject?.name}`));
  }

  stats(ns: string, service: string): ServiceStats | undefined {
    return this.obs.stats[ns]?.[service];
  }
  edges(ns: string): CallEdge[] {
    return this.obs.edges[ns] ?? [];
  }
  edgesInto(ns: string, callee: string): CallEdge[] {
    return this.edges(ns).filter((e) => e.callee === callee);
  }
  edgesOutOf(ns: string, service: string): CallEdge[] {
    return this.edges(ns).filter((e) => e.service === service);
  }

  /** Log lines of a Deployment's pods (current and previous instances). */
  logsOf(d: KubeObject): string[] {
    const pods = new Set((this.podsByDeploy.get(key(nsOf(d), d.metadata.name)) ?? []).map((p) => p.metadata.name));
    return this.obs.logs.filter((l) => l.namespace === nsOf(d) && pods.has(l.pod)).flatMap((l) => l.lines);
  }

  /** Changes the tracker saw to an object. */
  changesOf(kind: string, ns: string, name: string) {
    return this.obs.changes.filter((c) => c.kind === kind && c.namespace === ns && c.name === name);
  }
}

/** The pod template's containers. */
export const templateContainers = (d: KubeObject): Any[] => d.spec?.template?.spec?.containers ?? [];

/** ConfigMaps, Secrets and PVCs a pod template reads, by name. */
export function referencedObjects(d: KubeObject): { configMaps: string[]; secrets: string[]; pvcs: string[] } {
  const spec = d.spec?.template?.spec ?? {};
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const pvcs = new Set<string>();
  for (const v of (spec.volumes ?? []) as Any[]) {
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    if (v.persistentVolumeClaim?.claimName) pvcs.add(v.persistentVolumeClaim.claimName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) configMaps.add(s.configMap.name);
      if (s.secret?.name) secrets.add(s.secret.name);
    }
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Any[]) {
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef?.name) configMaps.add(e.configMapRef.name);
      if (e.secretRef?.name) secrets.add(e.secretRef.name);
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
    }
  }
  return { configMaps: [...configMaps], secrets: [...secrets], pvcs: [...pvcs] };
}

/** Ports the template's containers declare (containerPort and port names). */
export function declaredPorts(d: KubeObject): Array<{ container: string; port: number; name?: string }> {
  return templateContainers(d).flatMap((c: Any) => (c.ports ?? []).map((p: Any) => ({ container: c.name, port: p.containerPort, ...(p.name ? { name: p.name } : {}) })));
}

/** Whether a pod's containers are all ready. */
export const podReady = (p: KubeObject) => (p.status?.conditions ?? []).some((c: Any) => c.type === "Ready" && c.status === "True");

export { containerStatuses };
