/**
 * HorizontalPodAutoscaler (autoscaling/v2): defaulting (minReplicas 1), validation (a scale target
 * reference, 1 <= minReplicas <= maxReplicas, metric types the API knows), and the `kubectl get hpa`
 * columns (NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE), TARGETS worded as kubectl prints
 * them ("cpu: <unknown>/50%" until a metric is read).
 */
import { age } from "../table.ts";
import type { FieldCause } from "../types.ts";
import { invalidValue, required, unsupported, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, isInt, isObject, NAME_COLUMN } from "./common.ts";

const METRIC_TYPES = ["Object", "Pods", "Resource", "ContainerResource", "External"];

export const horizontalPodAutoscalerKind: KindBehaviour = {
  group: "autoscaling",
  kind: "HorizontalPodAutoscaler",
  default(obj) {
    if (!isObject(obj.spec)) obj.spec = {};
    obj.spec.minReplicas ??= 1;
  },
  validate(obj) {
    const causes: FieldCause[] = [];
    const spec = obj.spec;
    const ref = spec.scaleTargetRef;
    if (!isObject(ref)) causes.push(required("spec.scaleTargetRef"));
    else {
      if (!ref.kind) causes.push(required("spec.scaleTargetRef.kind"));
      if (!ref.name) causes.push(required("spec.scaleTargetRef.name"));
    }
    if (!isInt(spec.minReplicas) || spec.minReplicas < 1) causes.push(invalidValue("spec.minReplicas", spec.minReplicas, "must be greater than or equal to 1"));
    if (!isInt(spec.maxReplicas) || spec.maxReplicas < 1) causes.push(invalidValue("spec.maxReplicas", spec.maxReplicas, "must be greater than 0"));
    else if (isInt(spec.minReplicas) && spec.maxReplicas < spec.minReplicas) causes.push(invalidValue("spec.maxReplicas", spec.maxReplicas, "must be greater than or equal to `minReplicas`"));
    (Array.isArray(spec.metrics) ? spec.metrics : []).forEach((m: any, i: number) => {
      if (!METRIC_TYPES.includes(m?.type)) causes.push(unsupported(`spec.metrics[${i}].type`, m?.type, METRIC_TYPES));
    });
    return causes;
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Reference", "string", false, "reference is the reference to the object being scaled."),
      col("Targets", "string", false, "metrics contains the specifications for which to use to calculate the desired replica count."),
      col("MinPods", "string", false, "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down."),
      col("MaxPods", "integer", false, "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up."),
      col("Replicas", "integer", false, "currentReplicas is current number of replicas of pods managed by this autoscaler."),
      AGE_COLUMN,
    ],
    cells(hpa, now) {
      const ref = hpa.spec?.scaleTargetRef ?? {};
      const current: any[] = hpa.status?.currentMetrics ?? [];
      const targets = (hpa.spec?.metrics ?? []).map((m: any, i: number) => {
        if (m?.type !== "Resource") return `<unknown>/<unknown>`;
        const t = m.resource?.target ?? {};
        const want = t.averageUtilization !== undefined ? `${t.averageUtilization}%` : String(t.averageValue ?? t.value ?? "<unknown>");
        const got = current[i]?.resource?.current?.averageUtilization;
        return `${m.resource?.name}: ${got === undefined ? "<unknown>" : `${got}%`}/${want}`;
      });
      return [hpa.metadata.name, `${ref.kind}/${ref.name}`, targets.join(", ") || "<none>", hpa.spec?.minReplicas ?? 1, hpa.spec?.maxReplicas, hpa.status?.currentReplicas ?? 0, age(hpa.metadata.creationTimestamp, now)];
    },
  },
};
