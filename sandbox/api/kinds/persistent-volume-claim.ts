/**
 * PersistentVolumeClaim: volumeMode Filesystem, the cluster's default StorageClass when none is
 * named (the DefaultStorageClass admission plugin, read through the store), status Pending on
 * create; ValidatePersistentVolumeClaim (access modes, a positive storage request) and the rule
 * that the spec is immutable after creation except volumeName (set once, by binding), a class for
 * a claim created without one, and the storage request of a bound claim; and the `kubectl get pvc`
 * columns.
 */
import type { ObjectStore } from "../store.ts";
import { age } from "../table.ts";
import type { FieldCause, KObject } from "../types.ts";
import { invalidValue, required, unsupported, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, builtin, col, deepEqual, forbidden, isObject, NAME_COLUMN, requiredWith } from "./common.ts";
import { QUANTITY_FORMAT_MESSAGE, tryParseQuantity } from "./quantity.ts";

export const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
export const VOLUME_MODES = ["Block", "Filesystem"];
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
const BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";

export const persistentVolumeClaimKind: KindBehaviour = {
  group: "",
  kind: "PersistentVolumeClaim",
  default(obj, old, store) {
    if (!isObject(obj.spec)) return;
    obj.spec.volumeMode ||= "Filesystem";
    if (!old) {
      if (obj.spec.storageClassName === undefined || obj.spec.storageClassName === null) {
        const sc = defaultStorageClass(store);
        if (sc) obj.spec.storageClassName = sc;
      }
      obj.status = { phase: "Pending" };
    }
  },
  validate(obj, old) {
    const causes = validateClaimSpec(obj.spec, "spec");
    if (old && !causes.length) causes.push(...validateClaimUpdate(obj, old));
    return causes;
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Status", "string", false, "Phase represents the current phase of PersistentVolumeClaim."),
      col("Volume", "string", false, "VolumeName is the binding reference to the PersistentVolume backing this claim."),
      col("Capacity", "string", false, "Capacity represents the actual resources of the underlying volume."),
      col("Access Modes", "string", false, "AccessModes contains the desired access modes the volume should have."),
      col("StorageClass", "string", false, "StorageClassName is the name of the StorageClass required by the claim."),
      col("VolumeAttributesClass", "string", false, "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim."),
      AGE_COLUMN,
      col("VolumeMode", "string", true, "volumeMode defines what type of volume is required by the claim."),
    ],
    cells(pvc, now) {
      const spec = pvc.spec ?? {};
      const bound = !!spec.volumeName;
      const phase = pvc.metadata.deletionTimestamp ? "Terminating" : pvc.status?.phase ?? "";
      return [
        pvc.metadata.name, phase, spec.volumeName ?? "", bound ? String(pvc.status?.capacity?.storage ?? "0") : "", bound ? accessModesString(pvc.status?.accessModes) : "",
        storageClassOf(pvc), spec.volumeAttributesClassName || "<unset>", age(pvc.metadata.creationTimestamp, now), spec.volumeMode || "<unset>",
      ];
    },
  },
};

/** The name of the StorageClass marked default (the newest, if several are), or undefined. */
export function defaultStorageClass(store: ObjectStore): string | undefined {
  const defaults = store.list(builtin(store, "storage.k8s.io", "storageclasses")).filter(isDefaultClass);
  defaults.sort((a, b) => Date.parse(b.metadata.creationTimestamp ?? "") - Date.parse(a.metadata.creationTimestamp ?? "") || (a.metadata.name! < b.metadata.name! ? -1 : 1));
  return defaults[0]?.metadata.name;
}

export function isDefaultClass(sc: KObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === "true" || a[BETA_DEFAULT_CLASS_ANNOTATION] === "true";
}

/** The class a claim or volume uses: spec.storageClassName, else the beta annotation. */
export function storageClassOf(o: KObject): string {
  return o.spec?.storageClassName ?? o.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"] ?? "";
}

/** kubectl's access mode abbreviations in its fixed order: RWO,ROX,RWX,RWOP. */
export function accessModesString(modes: unknown): string {
  const list = Array.isArray(modes) ? modes : [];
  return [["ReadWriteOnce", "RWO"], ["ReadOnlyMany", "ROX"], ["ReadWriteMany", "RWX"], ["ReadWriteOncePod", "RWOP"]]
    .filter(([m]) => list.includes(m)).map(([, s]) => s).join(",");
}

export function validateAccessModes(modes: unknown, path: string, causes: FieldCause[]): void {
  if (!Array.isArray(modes) || !modes.length) {
    causes.push(requiredWith(path, "at least 1 access mode is required"));
    return;
  }
  for (const m of modes) if (!ACCESS_MODES.includes(m)) causes.push(unsupported(path, m, ACCESS_MODES));
  if (modes.includes("ReadWriteOncePod") && modes.length > 1) causes.push(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
}

function validateClaimSpec(spec: unknown, path: string): FieldCause[] {
  if (!isObject(spec)) return [required(path)];
  const causes: FieldCause[] = [];
  validateAccessModes(spec.accessModes, `${path}.accessModes`, causes);
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined || storage === null) causes.push(required(`${path}.resources[storage]`));
  else {
    const q = tryParseQuantity(storage);
    if (q === undefined) causes.push(invalidValue(`${path}.resources[storage]`, storage, QUANTITY_FORMAT_MESSAGE));
    else if (q <= 0) causes.push(invalidValue(`${path}.resources[storage]`, String(storage), "must be greater than zero"));
  }
  if (!VOLUME_MODES.includes(spec.volumeMode)) causes.push(unsupported(`${path}.volumeMode`, spec.volumeMode, VOLUME_MODES));
  return causes;
}

function validateClaimUpdate(obj: KObject, old: KObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const next = structuredClone(obj.spec);
  const before = structuredClone(old.spec ?? {});
  if (!before.volumeName) before.volumeName = next.volumeName;
  // Retroactive default StorageClass: a claim created without a class may be given one later.
  if ((before.storageClassName === undefined || before.storageClassName === null) && next.storageClassName) before.storageClassName = next.storageClassName;
  const bound = obj.status?.phase === "Bound";
  if (bound) {
    if (isObject(next.resources?.requests)) next.resources.requests.storage = before.resources?.requests?.storage;
    next.volumeAttributesClassName = before.volumeAttributesClassName;
  }
  if (!deepEqual(next, before)) causes.push(forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
  const newSize = tryParseQuantity(obj.spec.resources?.requests?.storage) ?? 0;
  const oldSize = tryParseQuantity(old.spec?.resources?.requests?.storage) ?? 0;
  if (newSize < oldSize) causes.push(forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
  return causes;
}
