/**
 * Pod helpers the pod-level checks share: which pods count (not terminating, not finished), and
 * grouping them by owning workload, the entity those checks report under (see cluster-view.ts).
 */
import type { ClusterView } from "../cluster-view.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { CheckSubject } from "../health-check.ts";

/** Pods that are meant to be running: terminating pods are leaving and finished ones are done. */
export const activePods = (pods: KubeObject[]): KubeObject[] =>
  pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");

export type WorkloadPods = { subject: CheckSubject; pods: KubeObject[] };

/**
 * The active pods of the view, grouped by workload: four checks ask for the same grouping of the
 * same moment, so it is made once per view (at 5,000 pods the sort and the owner walk are most of
 * an idle watchdog's measurement).
 */
export function activePodsByWorkload(view: ClusterView): Promise<Map<string, WorkloadPods>> {
  let groups = grouped.get(view);
  if (!groups) {
    groups = view.pods().then((pods) => groupByWorkload(view, activePods(pods)));
    grouped.set(view, groups);
  }
  return groups;
}
const grouped = new WeakMap<ClusterView, Promise<Map<string, WorkloadPods>>>();

/** Pods by "namespace/workload" with the workload itself, sorted by workload then pod name for stable evidence. */
async function groupByWorkload(view: ClusterView, pods: KubeObject[]): Promise<Map<string, WorkloadPods>> {
  const groups = new Map<string, WorkloadPods>();
  const sorted = [...pods].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  for (const pod of sorted) {
    const subject = await view.workloadRefOf(pod);
    const key = `${subject.namespace}/${subject.name}`;
    const g = groups.get(key) ?? { subject, pods: [] };
    g.pods.push(pod);
    groups.set(key, g);
  }
  return new Map([...groups].sort((a, b) => a[0].localeCompare(b[0])));
}
