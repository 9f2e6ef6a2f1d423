/**
 * PersistentVolume: reclaim policy Retain and volumeMode Filesystem by default, status Pending on
 * create, ValidatePersistentVolume (capacity, access modes, exactly one volume source; the source
 * may not change once set) and the `kubectl get pv` columns.
 */
import { age } from "../table.ts";
import type { FieldCause } from "../types.ts";
import { invalidValue, required, unsupported, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, deepEqual, forbidden, isObject, NAME_COLUMN, requiredWith } from "./common.ts";
import { accessModesString, storageClassOf, validateAccessModes, VOLUME_MODES } from "./persistent-volume-claim.ts";
import { QUANTITY_FORMAT_MESSAGE, tryParseQuantity } from "./quantity.ts";

const RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"];
const SOURCES = [
  "hostPath", "local", "nfs", "csi", "gcePersistentDisk", "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder",
  "fc", "flexVolume", "flocker", "glusterfs", "iscsi", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO",
  "storageos", "vsphereVolume",
];

export const persistentVolumeKind: KindBehaviour = {
  group: "",
  kind: "PersistentVolume",
  default(obj, old) {
    if (!isObject(obj.spec)) return;
    obj.spec.persistentVolumeReclaimPolicy ||= "Retain";
    obj.spec.volumeMode ||= "Filesystem";
    if (isObject(obj.spec.hostPath)) obj.spec.hostPath.type ??= "";
    if (!old) obj.status = { phase: "Pending" };
  },
  validate(obj, old) {
    const spec = obj.spec;
    if (!isObject(spec)) return [required("spec")];
    const causes: FieldCause[] = [];
    const storage = spec.capacity?.storage;
    if (storage === undefined) causes.push(required("spec.capacity"));
    else {
      const q = tryParseQuantity(storage);
      if (q === undefined) causes.push(invalidValue("spec.capacity[storage]", storage, QUANTITY_FORMAT_MESSAGE));
      else if (q <= 0) causes.push(invalidValue("spec.capacity[storage]", String(storage), "must be greater than zero"));
    }
    validateAccessModes(spec.accessModes, "spec.accessModes", causes);
    const sources = SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
    if (!sources.length) causes.push(requiredWith("spec", "must specify a volume type"));
    else if (sources.length > 1) causes.push(forbidden(`spec.${sources[1]}`, "may not specify more than 1 volume type"));
    if (!RECLAIM_POLICIES.includes(spec.persistentVolumeReclaimPolicy)) causes.push(unsupported("spec.persistentVolumeReclaimPolicy", spec.persistentVolumeReclaimPolicy, RECLAIM_POLICIES));
    if (!VOLUME_MODES.includes(spec.volumeMode)) causes.push(unsupported("spec.volumeMode", spec.volumeMode, VOLUME_MODES));
    if (old && !causes.length) {
      const sourceOf = (s: any) => Object.fromEntries(SOURCES.filter((k) => s?.[k] !== undefined).map((k) => [k, s[k]]));
      if (!deepEqual(sourceOf(spec), sourceOf(old.spec))) causes.push(forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is forbidden once set"));
      if (spec.volumeMode !== old.spec?.volumeMode) causes.push(invalidValue("spec.volumeMode", spec.volumeMode, "field is immutable"));
    }
    return causes;
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Capacity", "string", false, "capacity is the description of the persistent volume's resources and capacity."),
      col("Access Modes", "string", false, "accessModes contains all ways the volume can be mounted."),
      col("Reclaim Policy", "string", false, "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
      col("Status", "string", false, "phase indicates if a volume is available, bound to a claim, or released by a claim."),
      col("Claim", "string", false, "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
      col("StorageClass", "string", false, "storageClassName is the name of StorageClass to which this persistent volume belongs."),
      col("VolumeAttributesClass", "string", false, "Name of VolumeAttributesClass to which this persistent volume belongs."),
      col("Reason", "string", false, "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
      AGE_COLUMN,
      col("VolumeMode", "string", true, "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state."),
    ],
    cells(pv, now) {
      const spec = pv.spec ?? {};
      const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ""}/${spec.claimRef.name ?? ""}` : "";
      const phase = pv.metadata.deletionTimestamp ? "Terminating" : pv.status?.phase ?? "";
      return [
        pv.metadata.name, String(spec.capacity?.storage ?? "0"), accessModesString(spec.accessModes), spec.persistentVolumeReclaimPolicy ?? "", phase, claim,
        storageClassOf(pv), spec.volumeAttributesClassName || "<unset>", pv.status?.reason ?? "", age(pv.metadata.creationTimestamp, now), spec.volumeMode || "<unset>",
      ];
    },
  },
};
