/**
 * Lease (coordination.k8s.io/v1): acquireTime and renewTime written back as the real server
 * writes a MicroTime (six fractional digits, UTC), ValidateLeaseSpec (holderIdentity a string,
 * leaseDurationSeconds > 0, leaseTransitions >= 0, parseable times) and the `kubectl get leases`
 * columns (NAME HOLDER AGE).
 */
import { age } from "../table.ts";
import type { FieldCause } from "../types.ts";
import { invalidValue, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, isInt, isObject, NAME_COLUMN, normalizeMicroTime } from "./common.ts";

export const leaseKind: KindBehaviour = {
  group: "coordination.k8s.io",
  kind: "Lease",
  default(obj) {
    if (!isObject(obj.spec)) obj.spec = {};
    for (const f of ["acquireTime", "renewTime"]) if (obj.spec[f]) obj.spec[f] = normalizeMicroTime(obj.spec[f]);
  },
  validate(obj) {
    const spec = obj.spec;
    const causes: FieldCause[] = [];
    if (spec.holderIdentity !== undefined && spec.holderIdentity !== null && typeof spec.holderIdentity !== "string") {
      causes.push(invalidValue("spec.holderIdentity", spec.holderIdentity, "must be a string"));
    }
    const d = spec.leaseDurationSeconds;
    if (d !== undefined && d !== null && (!isInt(d) || d <= 0)) causes.push(invalidValue("spec.leaseDurationSeconds", d, "must be greater than 0"));
    const t = spec.leaseTransitions;
    if (t !== undefined && t !== null && (!isInt(t) || t < 0)) causes.push(invalidValue("spec.leaseTransitions", t, "must be greater than or equal to 0"));
    for (const f of ["acquireTime", "renewTime"]) {
      const v = spec[f];
      if (v !== undefined && v !== null && (typeof v !== "string" || Number.isNaN(Date.parse(v)))) causes.push(invalidValue(`spec.${f}`, v, "must be an RFC 3339 timestamp with microseconds"));
    }
    return causes;
  },
  table: {
    columns: [NAME_COLUMN, col("Holder", "string", false, "The holder of the lease"), AGE_COLUMN],
    cells(lease, now) {
      return [lease.metadata.name, lease.spec?.holderIdentity ?? "", age(lease.metadata.creationTimestamp, now)];
    },
  },
};
