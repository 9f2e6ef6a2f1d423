/**
 * ReplicaSet (apps/v1): replicas default 1 and pod template defaults, the same selector/template
 * validation as Deployments (selector immutable), status reset to {replicas: 0} on create, and
 * the `kubectl get replicasets` columns.
 */
import { age } from "../table.ts";
import type { KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, isObject, NAME_COLUMN } from "./common.ts";
import { selectorCell } from "./deployment.ts";
import { containerCells, defaultPodSpec, validateWorkloadSpec } from "./pod-spec.ts";

export const replicaSetKind: KindBehaviour = {
  group: "apps",
  kind: "ReplicaSet",
  default(obj, old) {
    if (!isObject(obj.spec)) return;
    obj.spec.replicas ??= 1;
    if (isObject(obj.spec.template?.spec)) defaultPodSpec(obj.spec.template.spec);
    if (!old) obj.status = { replicas: 0 };
  },
  validate(obj, old) {
    return validateWorkloadSpec(obj, old);
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Desired", "integer", false, "Number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1."),
      col("Current", "integer", false, "Replicas is the most recently observed number of replicas."),
      col("Ready", "integer", false, "readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition."),
      AGE_COLUMN,
      col("Containers", "string", true, "Names of each container in the template."),
      col("Images", "string", true, "Images referenced by each container in the template."),
      col("Selector", "string", true, "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
    ],
    cells(rs, now) {
      const st = rs.status ?? {};
      const [containers, images] = containerCells(rs.spec?.template);
      return [rs.metadata.name, rs.spec?.replicas ?? 0, st.replicas ?? 0, st.readyReplicas ?? 0, age(rs.metadata.creationTimestamp, now), containers, images, selectorCell(rs)];
    },
  },
};
