/**
 * Job (batch/v1): the API server's defaulting (parallelism and completions 1, backoffLimit 6,
 * NonIndexed, not suspended, and the generated selector and pod labels `batch.kubernetes.io/
 * controller-uid` / `job-name` plus their legacy forms), validation (a pod template whose
 * restartPolicy is OnFailure or Never, non-negative counts, an immutable template), and the
 * `kubectl get jobs` columns (NAME STATUS COMPLETIONS DURATION AGE).
 */
import { age } from "../table.ts";
import type { FieldCause, KObject } from "../types.ts";
import { invalidValue, required, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, deepEqual, forbidden, isInt, isObject, NAME_COLUMN } from "./common.ts";
import { containerCells, defaultPodSpec, validatePodSpec } from "./pod-spec.ts";

export const DEFAULT_BACKOFF_LIMIT = 6;
export const JOB_RESTART_POLICIES = ["OnFailure", "Never"];

/** The labels the server puts on a Job's pod template (and selects by). */
export function jobPodLabels(job: KObject): Record<string, string> {
  const uid = job.metadata.uid ?? "";
  const name = job.metadata.name ?? "";
  return { "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name, "controller-uid": uid, "job-name": name };
}

/** Defaults of a Job spec (also a CronJob's jobTemplate.spec, which has no uid yet). */
export function defaultJobSpec(spec: Record<string, any>): void {
  if (spec.parallelism === undefined && spec.completions === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= DEFAULT_BACKOFF_LIMIT;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= "TerminatingOrFailed";
  if (!isObject(spec.template)) spec.template = {};
  if (isObject(spec.template.spec)) defaultPodSpec(spec.template.spec);
}

export function validateJobSpec(spec: any, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  for (const f of ["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"]) {
    const v = spec?.[f];
    if (v !== undefined && v !== null && (!isInt(v) || v < 0)) causes.push(invalidValue(`${path}.${f}`, v, "must be greater than or equal to 0"));
  }
  const tspec = spec?.template?.spec;
  if (!isObject(tspec)) return [...causes, required(`${path}.template.spec`)];
  const policy = tspec.restartPolicy;
  if (!JOB_RESTART_POLICIES.includes(policy)) {
    causes.push({ reason: "FieldValueNotSupported", field: `${path}.template.spec.restartPolicy`, message: `Unsupported value: ${JSON.stringify(policy ?? "")}: supported values: "OnFailure", "Never"` });
  }
  causes.push(...validatePodSpec(tspec, `${path}.template.spec`, { restartPolicies: JOB_RESTART_POLICIES }).filter((c) => !c.field.endsWith("restartPolicy")));
  return causes;
}

export const jobKind: KindBehaviour = {
  group: "batch",
  kind: "Job",
  default(obj, old) {
    if (!isObject(obj.spec)) obj.spec = {};
    const spec = obj.spec;
    // The pod template defaults restartPolicy to Always, which validation then refuses, as on a real server.
    defaultJobSpec(spec);
    if (!old && !spec.manualSelector) {
      const labels = jobPodLabels(obj);
      spec.selector ??= { matchLabels: { "batch.kubernetes.io/controller-uid": labels["batch.kubernetes.io/controller-uid"] } };
      spec.template.metadata = { ...(spec.template.metadata ?? {}), labels: { ...(spec.template.metadata?.labels ?? {}), ...labels } };
      obj.metadata.labels = { ...labels, ...(obj.metadata.labels ?? {}) };
    }
  },
  validate(obj, old) {
    const causes = validateJobSpec(obj.spec, "spec");
    if (old && !deepEqual(obj.spec?.template, old.spec?.template) && obj.spec?.suspend !== true) causes.push(forbidden("spec.template", "field is immutable"));
    if (old && !deepEqual(obj.spec?.selector, old.spec?.selector)) causes.push(forbidden("spec.selector", "field is immutable"));
    return causes;
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Status", "string", false, "Status of the job."),
      col("Completions", "string", false, "The desired number of successfully finished pods the job should be run with."),
      col("Duration", "string", false, "Time required to complete the job."),
      AGE_COLUMN,
      col("Containers", "string", true, "Names of each container in the template."),
      col("Images", "string", true, "Images referenced by each container in the template."),
      col("Selector", "string", true, "Query over pods that should match the desired number of pods."),
    ],
    cells(job, now) {
      const st = job.status ?? {};
      const conds: any[] = st.conditions ?? [];
      const has = (t: string) => conds.some((c) => c.type === t && c.status === "True");
      const status = has("Complete") ? "Complete" : has("Failed") ? "Failed" : has("FailureTarget") ? "FailureTarget" : has("Suspended") ? "Suspended" : "Running";
      const completions = job.spec?.completions === undefined || job.spec?.completions === null ? `${st.succeeded ?? 0}/1 of ${job.spec?.parallelism ?? 1}` : `${st.succeeded ?? 0}/${job.spec.completions}`;
      const start = st.startTime ? Date.parse(st.startTime) : undefined;
      const end = st.completionTime ? Date.parse(st.completionTime) : now;
      const [containers, images] = containerCells(job.spec?.template);
      const sel = Object.entries(job.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
      return [job.metadata.name, status, completions, start === undefined ? "" : age(new Date(start).toISOString(), end), age(job.metadata.creationTimestamp, now), containers, images, sel];
    },
  },
};
