/**
 * StorageClass (storage.k8s.io/v1): reclaimPolicy Delete and volumeBindingMode Immediate by
 * default, ValidateStorageClass (provisioner required; parameters, provisioner, reclaimPolicy and
 * volumeBindingMode fixed after creation) and the `kubectl get storageclasses` columns, with
 * " (default)" after the name of the default class.
 */
import { age } from "../table.ts";
import type { FieldCause } from "../types.ts";
import { invalidValue, required, unsupported, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, deepEqual, forbidden, NAME_COLUMN } from "./common.ts";
import { isDefaultClass } from "./persistent-volume-claim.ts";

const RECLAIM = ["Delete", "Retain"];
const BINDING = ["Immediate", "WaitForFirstConsumer"];

export const storageClassKind: KindBehaviour = {
  group: "storage.k8s.io",
  kind: "StorageClass",
  default(obj) {
    obj.reclaimPolicy ||= "Delete";
    obj.volumeBindingMode ||= "Immediate";
  },
  validate(obj, old) {
    const causes: FieldCause[] = [];
    if (!obj.provisioner) causes.push(required("provisioner"));
    if (!RECLAIM.includes(obj.reclaimPolicy)) causes.push(unsupported("reclaimPolicy", obj.reclaimPolicy, RECLAIM));
    if (!BINDING.includes(obj.volumeBindingMode)) causes.push(unsupported("volumeBindingMode", obj.volumeBindingMode, BINDING));
    if (obj.allowVolumeExpansion !== undefined && typeof obj.allowVolumeExpansion !== "boolean") causes.push(invalidValue("allowVolumeExpansion", obj.allowVolumeExpansion, "must be a boolean"));
    if (old) {
      if (!deepEqual(obj.parameters ?? {}, old.parameters ?? {})) causes.push(forbidden("parameters", "updates to parameters are forbidden."));
      if (obj.provisioner !== old.provisioner) causes.push(forbidden("provisioner", "updates to provisioner are forbidden."));
      if (obj.reclaimPolicy !== old.reclaimPolicy) causes.push(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
      if (obj.volumeBindingMode !== old.volumeBindingMode) causes.push(invalidValue("volumeBindingMode", obj.volumeBindingMode, "field is immutable"));
    }
    return causes;
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Provisioner", "string", false, "provisioner indicates the type of the provisioner."),
      col("ReclaimPolicy", "string", false, "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class."),
      col("VolumeBindingMode", "string", false, "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."),
      col("AllowVolumeExpansion", "string", false, "allowVolumeExpansion shows whether the storage class allow volume expand."),
      AGE_COLUMN,
    ],
    cells(sc, now) {
      const name = isDefaultClass(sc) ? `${sc.metadata.name} (default)` : sc.metadata.name;
      return [name, sc.provisioner ?? "", sc.reclaimPolicy ?? "Delete", sc.volumeBindingMode ?? "Immediate", sc.allowVolumeExpansion === true, age(sc.metadata.creationTimestamp, now)];
    },
  },
};
