/**
 * Deployment (apps/v1): SetDefaults_Deployment (replicas 1, RollingUpdate with 25% surge and
 * unavailability, revisionHistoryLimit 10, progressDeadlineSeconds 600, pod template defaults),
 * ValidateDeployment (selector and template, strategy, deadlines; selector immutable), status
 * cleared on create as the real registry does, and the `kubectl get deployments` columns.
 */
import { labelSelectorFromObject, labelSelectorToString } from "../selectors.ts";
import { age } from "../table.ts";
import type { FieldCause, KObject } from "../types.ts";
import { invalidValue, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, forbidden, invalidRaw, isInt, isObject, NAME_COLUMN, regexError, requiredWith } from "./common.ts";
import { containerCells, defaultPodSpec, validateWorkloadSpec } from "./pod-spec.ts";

export const DEFAULT_MAX_SURGE = "25%";
export const DEFAULT_MAX_UNAVAILABLE = "25%";
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
const STRATEGIES = ["Recreate", "RollingUpdate"];

export const deploymentKind: KindBehaviour = {
  group: "apps",
  kind: "Deployment",
  default(obj, old) {
    if (!isObject(obj.spec)) return;
    const spec = obj.spec;
    spec.replicas ??= 1;
    if (!isObject(spec.strategy)) spec.strategy = {};
    spec.strategy.type ||= "RollingUpdate";
    if (spec.strategy.type === "RollingUpdate") {
      if (!isObject(spec.strategy.rollingUpdate)) spec.strategy.rollingUpdate = {};
      spec.strategy.rollingUpdate.maxUnavailable ??= DEFAULT_MAX_UNAVAILABLE;
      spec.strategy.rollingUpdate.maxSurge ??= DEFAULT_MAX_SURGE;
    }
    spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
    spec.progressDeadlineSeconds ??= DEFAULT_PROGRESS_DEADLINE_SECONDS;
    if (isObject(spec.template?.spec)) defaultPodSpec(spec.template.spec);
    if (!old) obj.status = {};
  },
  validate(obj, old) {
    const causes = validateWorkloadSpec(obj, old);
    if (isObject(obj.spec)) causes.push(...validateStrategy(obj.spec), ...validateDeadlines(obj.spec));
    return causes;
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Ready", "string", false, "Number of the pod with ready state"),
      col("Up-to-date", "integer", false, "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
      col("Available", "integer", false, "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
      AGE_COLUMN,
      col("Containers", "string", true, "Names of each container in the template."),
      col("Images", "string", true, "Images referenced by each container in the template."),
      col("Selector", "string", true, "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
    ],
    cells(d, now) {
      const st = d.status ?? {};
      const [containers, images] = containerCells(d.spec?.template);
      return [d.metadata.name, `${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0, age(d.metadata.creationTimestamp, now), containers, images, selectorCell(d)];
    },
  },
};

/** A workload's selector as kubectl's SELECTOR column prints it. */
export function selectorCell(o: KObject): string {
  try {
    return labelSelectorToString(labelSelectorFromObject(o.spec?.selector ?? {}));
  } catch {
    return "<invalid>";
  }
}

/** Go's %#v of an intstr.IntOrString, as the real strategy errors print it. */
function goIntOrString(v: unknown): string {
  return typeof v === "string" ? `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}` : `intstr.IntOrString{Type:0, IntVal:${Number(v) || 0}, StrVal:""}`;
}

function intOrPercent(v: unknown, path: string, causes: FieldCause[]): number {
  if (typeof v === "string") {
    if (!/^[0-9]+%$/.test(v)) {
      causes.push(invalidValue(path, v, regexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%")));
      return NaN;
    }
    const pct = Number(v.slice(0, -1));
    if (pct > 100) causes.push(invalidRaw(path, goIntOrString(v), "must not be greater than 100%"));
    return pct;
  }
  if (!isInt(v)) {
    causes.push(invalidValue(path, v, "must be an integer or a percentage"));
    return NaN;
  }
  if (v < 0) causes.push(invalidValue(path, v, "must be greater than or equal to 0"));
  return v;
}

function validateStrategy(spec: Record<string, any>): FieldCause[] {
  const causes: FieldCause[] = [];
  const s = spec.strategy ?? {};
  if (s.type === "Recreate") {
    if (s.rollingUpdate !== undefined && s.rollingUpdate !== null) causes.push(forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
  } else if (s.type === "RollingUpdate") {
    const ru = s.rollingUpdate;
    if (!isObject(ru)) causes.push(requiredWith("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"));
    else {
      const unavailable = intOrPercent(ru.maxUnavailable, "spec.strategy.rollingUpdate.maxUnavailable", causes);
      const surge = intOrPercent(ru.maxSurge, "spec.strategy.rollingUpdate.maxSurge", causes);
      if (unavailable === 0 && surge === 0) causes.push(invalidRaw("spec.strategy.rollingUpdate.maxUnavailable", goIntOrString(ru.maxUnavailable), "may not be 0 when `maxSurge` is 0"));
    }
  } else {
    causes.push({ reason: "FieldValueNotSupported", field: "spec.strategy.type", message: `Unsupported value: ${JSON.stringify(s.type)}: supported values: ${STRATEGIES.map((x) => `"${x}"`).join(", ")}` });
  }
  return causes;
}

function validateDeadlines(spec: Record<string, any>): FieldCause[] {
  const causes: FieldCause[] = [];
  if (spec.revisionHistoryLimit !== undefined && (!isInt(spec.revisionHistoryLimit) || spec.revisionHistoryLimit < 0)) {
    causes.push(invalidValue("spec.revisionHistoryLimit", spec.revisionHistoryLimit, "must be greater than or equal to 0"));
  }
  const pds = spec.progressDeadlineSeconds;
  if (pds !== undefined) {
    if (!isInt(pds) || pds < 0) causes.push(invalidValue("spec.progressDeadlineSeconds", pds, "must be greater than or equal to 0"));
    else if (pds <= (spec.minReadySeconds ?? 0)) causes.push(invalidValue("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"));
  }
  if (spec.paused !== undefined && typeof spec.paused !== "boolean") causes.push(invalidValue("spec.paused", spec.paused, "must be a boolean"));
  return causes;
}
