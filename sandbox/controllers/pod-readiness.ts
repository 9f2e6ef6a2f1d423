/**
 * Small readings of pods and owner references that the workload controllers share, with the same
 * meaning as k8s.io/kubernetes/pkg/api/v1/pod and metav1: a pod is ready when its Ready condition
 * is True (the kubelet sets it), available once it has been ready for minReadySeconds, and active
 * until it terminates or is being deleted. The controller of an object is its ownerReference with
 * `controller: true`.
 */
import type { KObject, OwnerReference } from "../api/types.ts";

type Condition = { type: string; status: string; lastTransitionTime?: string };

function readyCondition(pod: KObject): Condition | undefined {
  return (pod.status?.conditions as Condition[] | undefined)?.find((c) => c.type === "Ready");
}

export function isPodReady(pod: KObject): boolean {
  return readyCondition(pod)?.status === "True";
}

/** When the pod last became ready, in ms since the epoch (undefined when not ready or unknown). */
export function podReadySince(pod: KObject): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== "True" || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Ready for at least minReadySeconds by `now`. As upstream, the comparison is strict ("Before"),
 * and a Ready condition without a transition time counts only when minReadySeconds is 0.
 */
export function isPodAvailable(pod: KObject, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/** Not Succeeded or Failed and not being deleted: a pod that still counts as a replica. */
export function isPodActive(pod: KObject): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

export function controllerRefOf(obj: KObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** Whether `obj` is controlled by the object with this uid. */
export function isControlledBy(obj: KObject, ownerUid: string | undefined): boolean {
  return !!ownerUid && controllerRefOf(obj)?.uid === ownerUid;
}

/** The controller reference an owner puts on what it creates. */
export function controllerRefTo(owner: KObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Restarts summed over the pod's containers (for choosing which pod to delete). */
export function podRestarts(pod: KObject): number {
  const statuses = (pod.status?.containerStatuses ?? []) as Array<{ restartCount?: number }>;
  return statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
}
