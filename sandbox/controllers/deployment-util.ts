/**
 * The arithmetic of Deployments, kept pure so it can be read against upstream's
 * pkg/controller/deployment/util and tested without a store: spec defaults, maxSurge/maxUnavailable
 * fenceposts, revisions and their annotations, replica counts over ReplicaSets, the orderings the
 * controller sorts by, and proportional scaling. Status and conditions are in deployment-status.ts.
 */
import {
  DEFAULT_MAX_SURGE, DEFAULT_MAX_UNAVAILABLE, DEFAULT_PROGRESS_DEADLINE_SECONDS, DEFAULT_REVISION_HISTORY_LIMIT,
} from "../api/kinds/deployment.ts";
import type { KObject } from "../api/types.ts";
import { controllerRefTo } from "./pod-readiness.ts";
import { computePodTemplateHash, POD_TEMPLATE_HASH_LABEL } from "./pod-template-hash.ts";
import { replicasOf } from "./replicaset.ts";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
export const CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause";
/** Annotations a Deployment never copies to its ReplicaSets (upstream's skipCopyAnnotation). */
const SKIP_COPY = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  "deprecated.deployment.rollback.to",
]);
const MAX_REV_HISTORY_CHARS = 2000;


export type DeploymentSpec = {
  replicas: number;
  recreate: boolean;
  maxSurge: number | string;
  maxUnavailable: number | string;
  revisionHistoryLimit: number;
  /** undefined when there is no deadline (unset, or MaxInt32 as upstream treats it). */
  progressDeadlineSeconds: number | undefined;
  minReadySeconds: number;
  paused: boolean;
};

/** The spec, with the API server's defaults (from the Deployment kind) for whatever it leaves out. */
export function deploymentSpec(d: KObject): DeploymentSpec {
  const s = d.spec ?? {};
  const recreate = s.strategy?.type === "Recreate";
  const ru = s.strategy?.rollingUpdate ?? {};
  const pds = s.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS;
  return {
    replicas: replicasOf(d),
    recreate,
    maxSurge: ru.maxSurge ?? DEFAULT_MAX_SURGE,
    maxUnavailable: ru.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE,
    revisionHistoryLimit: s.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT,
    progressDeadlineSeconds: pds >= 2147483647 ? undefined : pds,
    minReadySeconds: s.minReadySeconds ?? 0,
    paused: s.paused === true,
  };
}

/** intstr.GetScaledValueFromIntOrPercent. Throws for a string that is not a percentage. */
export function scaledValue(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  const m = /^(-?\d+)%$/.exec(String(v).trim());
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage: ${JSON.stringify(v)}`);
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** ResolveFenceposts: surge rounds up, unavailable rounds down, and both 0 means unavailable 1. */
export function resolveFenceposts(spec: DeploymentSpec): { surge: number; unavailable: number } {
  const surge = scaledValue(spec.maxSurge, spec.replicas, true);
  let unavailable = scaledValue(spec.maxUnavailable, spec.replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(spec: DeploymentSpec): number {
  return spec.recreate ? 0 : resolveFenceposts(spec).surge;
}

export function maxUnavailable(spec: DeploymentSpec): number {
  if (spec.recreate || spec.replicas === 0) return 0;
  return Math.min(resolveFenceposts(spec).unavailable, spec.replicas);
}

export function revisionOf(obj: KObject | undefined): number {
  const v = Number.parseInt(obj?.metadata.annotations?.[REVISION_ANNOTATION] ?? "", 10);
  return Number.isNaN(v) ? 0 : v;
}

export function maxRevision(rss: KObject[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

export const specReplicasSum = (rss: KObject[]) => rss.reduce((n, rs) => n + replicasOf(rs), 0);
export const statusReplicasSum = (rss: KObject[]) => rss.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
export const readyReplicasSum = (rss: KObject[]) => rss.reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0);
export const availableReplicasSum = (rss: KObject[]) => rss.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);

/** ReplicaSets with spec replicas above zero. */
export const activeReplicaSets = (rss: KObject[]) => rss.filter((rs) => replicasOf(rs) > 0);

const created = (o: KObject) => o.metadata.creationTimestamp ?? "";
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Oldest first; the same second is broken by name, as ReplicaSetsByCreationTimestamp. */
export const byCreation = (a: KObject, b: KObject) => cmp(created(a), created(b)) || cmp(a.metadata.name!, b.metadata.name!);
/** Lowest revision first (ReplicaSetsByRevision). */
export const byRevision = (a: KObject, b: KObject) => revisionOf(a) - revisionOf(b) || byCreation(a, b);
/** Largest first, older first among equals (ReplicaSetsBySizeOlder). */
export const bySizeOlder = (a: KObject, b: KObject) => replicasOf(b) - replicasOf(a) || byCreation(a, b);
/** Largest first, newer first among equals (ReplicaSetsBySizeNewer). */
export const bySizeNewer = (a: KObject, b: KObject) => replicasOf(b) - replicasOf(a) || byCreation(b, a);

/** NewRSNewReplicas: how far the new ReplicaSet may grow now. */
export function newRSNewReplicas(spec: DeploymentSpec, allRSs: KObject[], newRS: KObject): number {
  if (spec.recreate) return spec.replicas;
  const current = specReplicasSum(allRSs);
  const maxTotal = spec.replicas + maxSurge(spec);
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, spec.replicas - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

/**
 * The ReplicaSet a Deployment creates for its current template: `<deploy>-<hash>`, the hash label on
 * its labels, selector and template, a controller reference, the first batch of replicas the
 * rollout allows, and its revision annotations. Not yet stored.
 */
export function newReplicaSetFor(d: KObject, spec: DeploymentSpec, oldRSs: KObject[], revision: number): KObject {
  const template = structuredClone(d.spec.template ?? {});
  const hash = computePodTemplateHash(template, d.status?.collisionCount);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const rs: KObject = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, labels: { ...template.metadata.labels }, ownerReferences: [controllerRefTo(d)] },
    // minReadySeconds is omitted when 0, as the API serializes it.
    spec: { replicas: 0, ...(spec.minReadySeconds ? { minReadySeconds: spec.minReadySeconds } : {}), selector, template },
  };
  rs.spec.replicas = newRSNewReplicas(spec, [...oldRSs, rs], rs);
  setNewReplicaSetAnnotations(d, rs, revision, false);
  return rs;
}

/** SetReplicasAnnotations; returns whether anything changed. Mutates `rs`. */
export function setReplicasAnnotations(rs: KObject, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  if (ann[DESIRED_REPLICAS_ANNOTATION] === String(desired) && ann[MAX_REPLICAS_ANNOTATION] === String(max)) return false;
  ann[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  ann[MAX_REPLICAS_ANNOTATION] = String(max);
  return true;
}

export function desiredReplicasAnnotation(rs: KObject): number | undefined {
  const v = Number.parseInt(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] ?? "", 10);
  return Number.isNaN(v) ? undefined : v;
}

function maxReplicasAnnotation(rs: KObject): number | undefined {
  const v = Number.parseInt(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? "", 10);
  return Number.isNaN(v) ? undefined : v;
}

/**
 * SetNewReplicaSetAnnotations: copies the Deployment's own annotations (change-cause among them),
 * raises the revision, and on a rollback (an older ReplicaSet becoming new again) remembers the
 * revisions it held in revision-history. Mutates `rs`; returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: KObject, rs: KObject, newRevision: number, exists: boolean): boolean {
  let changed = false;
  const ann = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (SKIP_COPY.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  const oldRaw = ann[REVISION_ANNOTATION];
  const oldRevision = oldRaw === undefined ? 0 : Number.parseInt(oldRaw, 10);
  if (Number.isNaN(oldRevision)) return changed;
  if (oldRevision < newRevision) {
    ann[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRaw !== undefined) {
      const history = ann[REVISION_HISTORY_ANNOTATION] ?? "";
      let revisions = history ? history.split(",") : [];
      revisions.push(oldRaw);
      while (revisions.join(",").length > MAX_REV_HISTORY_CHARS && revisions.length > 1) revisions = revisions.slice(1);
      ann[REVISION_HISTORY_ANNOTATION] = revisions.join(",");
    }
  }
  if (!exists) {
    const spec = deploymentSpec(d);
    if (setReplicasAnnotations(rs, spec.replicas, spec.replicas + maxSurge(spec))) changed = true;
  }
  return changed;
}

/** getReplicaSetFraction: this ReplicaSet's share of a proportional scale, rounded. */
function replicaSetFraction(rs: KObject, d: KObject, spec: DeploymentSpec): number {
  if (spec.replicas === 0) return -replicasOf(rs);
  const deploymentReplicas = spec.replicas + maxSurge(spec);
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  if (!annotated) return 0;
  const size = (replicasOf(rs) * deploymentReplicas) / annotated;
  return Math.round(size) - replicasOf(rs);
}

/** GetProportion: how many of `toAdd` (which may be negative) this ReplicaSet takes. */
export function proportionFor(rs: KObject, d: KObject, spec: DeploymentSpec, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d, spec);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * The sizes a proportional scale gives the active ReplicaSets: `toAdd` replicas (negative to
 * remove) spread by each one's share, leftovers to the first (largest) — upstream's scale().
 * Returns [ReplicaSet, new size] in the order they should be written.
 */
export function proportionalSizes(d: KObject, spec: DeploymentSpec, active: KObject[]): Array<[KObject, number]> {
  const allowed = spec.replicas > 0 ? spec.replicas + maxSurge(spec) : 0;
  const toAdd = allowed - specReplicasSum(active);
  const ordered = [...active].sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
  let added = 0;
  const sizes = ordered.map((rs): [KObject, number] => {
    const p = toAdd !== 0 ? proportionFor(rs, d, spec, toAdd, added) : 0;
    added += p;
    return [rs, replicasOf(rs) + p];
  });
  if (sizes.length && toAdd !== 0) sizes[0][1] = Math.max(0, sizes[0][1] + toAdd - added);
  return sizes;
}

/** The new ReplicaSet runs every replica, all of them available. */
export function isSaturated(spec: DeploymentSpec, rs: KObject | undefined): boolean {
  if (!rs) return false;
  return desiredReplicasAnnotation(rs) === spec.replicas && replicasOf(rs) === spec.replicas && (rs.status?.availableReplicas ?? 0) === spec.replicas;
}
