/**
 * StatefulSet (apps/v1): SetDefaults_StatefulSet (replicas 1, OrderedReady, RollingUpdate with
 * partition 0, revisionHistoryLimit 10, Retain claims, pod template defaults), the selector and
 * template rules it shares with Deployment, volumeClaimTemplates needing names, and the
 * `kubectl get statefulsets` columns (NAME READY AGE). Served and stored so manifests that run a
 * StatefulSet apply; the sandbox runs no StatefulSet controller, so it starts no pods.
 */
import { age } from "../table.ts";
import type { FieldCause, KObject } from "../types.ts";
import { required, unsupported, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, isObject, NAME_COLUMN } from "./common.ts";
import { containerCells, defaultPodSpec, validateWorkloadSpec } from "./pod-spec.ts";

/** The template as its pods will be: each volumeClaimTemplate is a volume the containers may mount. */
function withClaimVolumes(obj: KObject): KObject {
  const claims = Array.isArray(obj.spec?.volumeClaimTemplates) ? obj.spec.volumeClaimTemplates : [];
  if (!claims.length || !isObject(obj.spec?.template?.spec)) return obj;
  const copy = structuredClone(obj);
  const podSpec = copy.spec.template.spec;
  const volumes = Array.isArray(podSpec.volumes) ? podSpec.volumes : [];
  for (const t of claims) {
    const name = isObject(t) && isObject(t.metadata) ? t.metadata.name : undefined;
    if (typeof name === "string" && name && !volumes.some((v: any) => v?.name === name)) volumes.push({ name, persistentVolumeClaim: { claimName: name } });
  }
  podSpec.volumes = volumes;
  return copy;
}

export const statefulSetKind: KindBehaviour = {
  group: "apps",
  kind: "StatefulSet",
  default(obj, old) {
    if (!isObject(obj.spec)) return;
    const spec = obj.spec;
    spec.replicas ??= 1;
    spec.podManagementPolicy ||= "OrderedReady";
    if (!isObject(spec.updateStrategy)) spec.updateStrategy = {};
    spec.updateStrategy.type ||= "RollingUpdate";
    if (spec.updateStrategy.type === "RollingUpdate") spec.updateStrategy.rollingUpdate = { partition: 0, ...(isObject(spec.updateStrategy.rollingUpdate) ? spec.updateStrategy.rollingUpdate : {}) };
    spec.revisionHistoryLimit ??= 10;
    spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: "Retain", whenScaled: "Retain", ...(isObject(spec.persistentVolumeClaimRetentionPolicy) ? spec.persistentVolumeClaimRetentionPolicy : {}) };
    if (isObject(spec.template?.spec)) defaultPodSpec(spec.template.spec);
    if (!old) obj.status = { replicas: 0, availableReplicas: 0 };
  },
  validate(obj, old) {
    const causes: FieldCause[] = validateWorkloadSpec(withClaimVolumes(obj), old).map((c) => ({ ...c, message: c.message.replace("for deployment", "for statefulset") }));
    const spec = isObject(obj.spec) ? obj.spec : {};
    if (!["OrderedReady", "Parallel"].includes(spec.podManagementPolicy)) causes.push(unsupported("spec.podManagementPolicy", spec.podManagementPolicy, ["OrderedReady", "Parallel"]));
    if (!["RollingUpdate", "OnDelete"].includes(spec.updateStrategy?.type)) causes.push(unsupported("spec.updateStrategy.type", spec.updateStrategy?.type, ["OnDelete", "RollingUpdate"]));
    (Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []).forEach((t: unknown, i: number) => {
      if (!isObject(t) || !isObject(t.metadata) || !t.metadata.name) causes.push(required(`spec.volumeClaimTemplates[${i}].metadata.name`));
    });
    return causes;
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Ready", "string", false, "Number of the pod with ready state"),
      AGE_COLUMN,
      col("Containers", "string", true, "Names of each container in the template."),
      col("Images", "string", true, "Images referenced by each container in the template."),
    ],
    cells(s, now) {
      const [containers, images] = containerCells(s.spec?.template);
      return [s.metadata.name, `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`, age(s.metadata.creationTimestamp, now), containers, images];
    },
  },
};
