/**
 * PodDisruptionBudget (policy/v1): ValidatePodDisruptionBudgetSpec's rules (minAvailable and
 * maxUnavailable are exclusive, each a non-negative integer or a percentage) and the
 * `kubectl get poddisruptionbudgets` columns. Stored so manifests with one apply; no eviction
 * API consults it.
 */
import { age } from "../table.ts";
import type { FieldCause } from "../types.ts";
import { invalidValue, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, isInt, isObject, NAME_COLUMN } from "./common.ts";

const intOrPercent = (v: unknown) => (isInt(v) && v >= 0) || (typeof v === "string" && /^[0-9]+%$/.test(v) && Number(v.slice(0, -1)) <= 100);

export const podDisruptionBudgetKind: KindBehaviour = {
  group: "policy",
  kind: "PodDisruptionBudget",
  default(obj, old) {
    if (!old) obj.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
  validate(obj) {
    const spec = isObject(obj.spec) ? obj.spec : {};
    const causes: FieldCause[] = [];
    if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
      causes.push({ reason: "FieldValueInvalid", field: "spec", message: "Invalid value: policy.PodDisruptionBudgetSpec: minAvailable and maxUnavailable cannot be both set" });
    }
    for (const f of ["minAvailable", "maxUnavailable"] as const) {
      if (spec[f] !== undefined && !intOrPercent(spec[f])) causes.push(invalidValue(`spec.${f}`, spec[f], "must be a non-negative integer or a percentage from 0% to 100%"));
    }
    return causes;
  },
  table: {
    columns: [NAME_COLUMN, col("Min Available", "string"), col("Max Unavailable", "string"), col("Allowed Disruptions", "integer"), AGE_COLUMN],
    cells(p, now) {
      return [p.metadata.name, String(p.spec?.minAvailable ?? "N/A"), String(p.spec?.maxUnavailable ?? "N/A"), p.status?.disruptionsAllowed ?? 0, age(p.metadata.creationTimestamp, now)];
    },
  },
};
