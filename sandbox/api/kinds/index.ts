/**
 * Every kind's defaulting, validation and table columns, registered in one list.
 * Add a kind: write its file here and append it to KINDS.
 */
import { configMapKind } from "./configmap.ts";
import { customResourceDefinitionKind } from "./custom-resource-definition.ts";
import { deploymentKind } from "./deployment.ts";
import { endpointsKind } from "./endpoints.ts";
import { eventKind, eventsV1Kind } from "./event.ts";
import type { KindBehaviour } from "./kind.ts";
import { cronJobKind } from "./cron-job.ts";
import { horizontalPodAutoscalerKind } from "./horizontal-pod-autoscaler.ts";
import { jobKind } from "./job.ts";
import { leaseKind } from "./lease.ts";
import { limitRangeKind } from "./limit-range.ts";
import { resourceQuotaKind } from "./resource-quota.ts";
import { namespaceKind } from "./namespace.ts";
import { networkPolicyKind } from "./network-policy.ts";
import { nodeKind } from "./node.ts";
import { persistentVolumeClaimKind } from "./persistent-volume-claim.ts";
import { persistentVolumeKind } from "./persistent-volume.ts";
import { podKind } from "./pod.ts";
import { podDisruptionBudgetKind } from "./pod-disruption-budget.ts";
import { statefulSetKind } from "./stateful-set.ts";
import { clusterRoleBindingKind, clusterRoleKind, roleBindingKind, roleKind } from "./rbac.ts";
import { replicaSetKind } from "./replicaset.ts";
import { secretKind } from "./secret.ts";
import { serviceAccountKind } from "./service-account.ts";
import { serviceKind } from "./service.ts";
import { storageClassKind } from "./storage-class.ts";

export const KINDS: KindBehaviour[] = [
  podKind,
  deploymentKind,
  replicaSetKind,
  serviceKind,
  endpointsKind,
  eventKind,
  eventsV1Kind,
  nodeKind,
  namespaceKind,
  configMapKind,
  secretKind,
  serviceAccountKind,
  persistentVolumeClaimKind,
  persistentVolumeKind,
  networkPolicyKind,
  leaseKind,
  storageClassKind,
  customResourceDefinitionKind,
  resourceQuotaKind,
  limitRangeKind,
  jobKind,
  cronJobKind,
  horizontalPodAutoscalerKind,
  roleKind,
  clusterRoleKind,
  roleBindingKind,
  clusterRoleBindingKind,
  statefulSetKind,
  podDisruptionBudgetKind,
];

export function kindMap(extra: KindBehaviour[] = []): Map<string, KindBehaviour> {
  return new Map([...KINDS, ...extra].map((k) => [`${k.group}/${k.kind}`, k]));
}
