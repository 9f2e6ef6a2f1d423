/**
 * What a Deployment reports, computed purely from it and its ReplicaSets as upstream's
 * pkg/controller/deployment does: the replica counts, the Available condition, and the Progressing
 * condition with its deadline (NewReplicaSetCreated / FoundNewReplicaSet / ReplicaSetUpdated /
 * NewReplicaSetAvailable / ProgressDeadlineExceeded). The controller persists what this returns.
 */
import { isoSeconds } from "../api/store.ts";
import type { KObject } from "../api/types.ts";
import {
  availableReplicasSum, deploymentSpec, maxUnavailable, readyReplicasSum, specReplicasSum, statusReplicasSum, type DeploymentSpec,
} from "./deployment-util.ts";

export type DeploymentCondition = {
  type: string;
  status: "True" | "False" | "Unknown";
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
};

export type DeploymentStatus = {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
};

export function newCondition(type: string, status: DeploymentCondition["status"], reason: string, message: string, now: number): DeploymentCondition {
  const t = isoSeconds(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition: same status and reason is no change; same status keeps the transition time. */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  if (current && current.status === cond.status) cond = { ...cond, lastTransitionTime: current.lastTransitionTime };
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), cond];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (!status.conditions.length) delete status.conditions;
}

/** calculateStatus: counts over every ReplicaSet and the Available condition. */
export function calculateStatus(allRSs: KObject[], newRS: KObject | undefined, d: KObject, now: number): DeploymentStatus {
  const spec = deploymentSpec(d);
  const available = availableReplicasSum(allRSs);
  const unavailable = Math.max(0, specReplicasSum(allRSs) - available);
  const old = (d.status ?? {}) as DeploymentStatus;
  // Key order and omitted zeros as the real API serializes DeploymentStatus.
  const status: DeploymentStatus = {};
  if (d.metadata.generation) status.observedGeneration = d.metadata.generation;
  const counts: Array<[keyof DeploymentStatus, number]> = [
    ["replicas", statusReplicasSum(allRSs)],
    ["updatedReplicas", newRS ? newRS.status?.replicas ?? 0 : 0],
    ["readyReplicas", readyReplicasSum(allRSs)],
    ["availableReplicas", available],
    ["unavailableReplicas", unavailable],
  ];
  for (const [k, v] of counts) if (v) (status as Record<string, unknown>)[k] = v;
  status.conditions = (old.conditions ?? []).map((c) => ({ ...c }));
  if (available >= spec.replicas - maxUnavailable(spec)) {
    setCondition(status, newCondition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now));
  } else {
    setCondition(status, newCondition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now));
  }
  if (old.collisionCount) status.collisionCount = old.collisionCount;
  return status;
}

/** DeploymentComplete: every replica updated and available, and the spec observed. */
export function deploymentComplete(d: KObject, s: DeploymentStatus): boolean {
  const want = deploymentSpec(d).replicas;
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, or more ready/available than last time. */
export function deploymentProgressing(d: KObject, s: DeploymentStatus): boolean {
  const o = (d.status ?? {}) as DeploymentStatus;
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || newOld < oldOld ||
    (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0);
}

/** DeploymentTimedOut: no progress within progressDeadlineSeconds of the last update. */
export function deploymentTimedOut(spec: DeploymentSpec, s: DeploymentStatus, now: number): boolean {
  if (spec.progressDeadlineSeconds === undefined) return false;
  const c = getCondition(s, "Progressing");
  if (!c || c.reason === "NewReplicaSetAvailable") return false;
  if (c.reason === "ProgressDeadlineExceeded") return true;
  const from = Date.parse(c.lastUpdateTime ?? "");
  return !Number.isNaN(from) && from + spec.progressDeadlineSeconds * 1000 < now;
}

/**
 * syncRolloutStatus's computation: counts, Available, Progressing against the deadline, and the
 * first ReplicaFailure of the ReplicaSets (the new one first).
 */
export function rolloutStatus(d: KObject, allRSs: KObject[], newRS: KObject | undefined, now: number): DeploymentStatus {
  const spec = deploymentSpec(d);
  const status = calculateStatus(allRSs, newRS, d, now);
  const hasDeadline = spec.progressDeadlineSeconds !== undefined;
  if (!hasDeadline) removeCondition(status, "Progressing");
  const current = getCondition(d.status, "Progressing");
  const complete = status.replicas === status.updatedReplicas && current?.reason === "NewReplicaSetAvailable";
  const rsName = newRS?.metadata.name;
  const subject = rsName ? `ReplicaSet "${rsName}"` : `Deployment "${d.metadata.name}"`;
  if (hasDeadline && !complete) {
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition("Progressing", "True", "NewReplicaSetAvailable", `${subject} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, status)) {
      const cond = newCondition("Progressing", "True", "ReplicaSetUpdated", `${subject} is progressing.`, now);
      // Progress moves lastUpdateTime even when the reason stays; the transition time stays while True.
      if (current?.status === "True") cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, "Progressing");
      setCondition(status, cond);
    } else if (deploymentTimedOut(spec, status, now)) {
      setCondition(status, newCondition("Progressing", "False", "ProgressDeadlineExceeded", `${subject} has timed out progressing.`, now));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(status, failure);
  else removeCondition(status, "ReplicaFailure");
  return status;
}

function replicaFailure(allRSs: KObject[], newRS: KObject | undefined): DeploymentCondition | undefined {
  for (const rs of newRS ? [newRS, ...allRSs] : allRSs) {
    const c = (rs.status?.conditions ?? []).find((x: { type: string }) => x.type === "ReplicaFailure");
    if (c) return { type: "ReplicaFailure", status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
  }
  return undefined;
}

/**
 * requeueStuckDeployment: ms until the progress deadline would pass, or undefined when no deadline
 * is running (none set, rollout complete, or already exceeded).
 */
export function msUntilDeadline(d: KObject, spec: DeploymentSpec, status: DeploymentStatus, now: number): number | undefined {
  const cond = getCondition(status, "Progressing");
  if (spec.progressDeadlineSeconds === undefined || !cond || cond.reason === "ProgressDeadlineExceeded") return undefined;
  if (deploymentComplete(d, status)) return undefined;
  const after = Date.parse(cond.lastUpdateTime ?? "") + spec.progressDeadlineSeconds * 1000 - now;
  return Number.isNaN(after) ? undefined : after;
}

/** Something is still moving: an unobserved spec, replicas not all updated and available, or a live deadline. */
export function deploymentUnsettled(d: KObject): boolean {
  const s = (d.status ?? {}) as DeploymentStatus;
  if (!deploymentComplete(d, s)) return true;
  const p = getCondition(s, "Progressing");
  return !!p && p.reason !== "NewReplicaSetAvailable" && p.reason !== "ProgressDeadlineExceeded";
}
