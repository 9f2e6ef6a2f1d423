/**
 * Pod: the API server's defaulting (pod spec defaults, ServiceAccount / DefaultTolerationSeconds /
 * Priority admission, status {phase: Pending, qosClass} on create), validation (the pod spec, and
 * the rule that a running pod's spec may change only in images, activeDeadlineSeconds, tolerations
 * and — once, by the scheduler — nodeName), and the `kubectl get pods` columns, with STATUS and
 * RESTARTS computed exactly as kubectl's printer does.
 */
import { age } from "../table.ts";
import type { FieldCause, KObject } from "../types.ts";
import type { KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, deepEqual, forbidden, isObject, NAME_COLUMN } from "./common.ts";
import { admitPodLimits } from "./limit-range.ts";
import { defaultPodSpec, podQosClass, validatePodSpec } from "./pod-spec.ts";
import { admitPodQuota } from "./resource-quota.ts";

const UPDATABLE = [
  "`spec.containers[*].image`",
  "`spec.initContainers[*].image`",
  "`spec.activeDeadlineSeconds`",
  "`spec.tolerations` (only additions to existing tolerations)",
  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

export const podKind: KindBehaviour = {
  group: "",
  kind: "Pod",
  default(obj, old, store) {
    if (!isObject(obj.spec)) return;
    defaultPodSpec(obj.spec, { pod: true, create: !old });
    // The LimitRanger admission plugin: namespace defaults for requests and limits, min/max checks.
    if (!old) admitPodLimits(store, obj);
    if (!old) obj.status = { phase: "Pending", qosClass: podQosClass(obj.spec) };
  },
  validate(obj, old, store) {
    const causes = validatePodSpec(obj.spec, "spec");
    if (old && !causes.length) causes.push(...validatePodUpdate(obj, old));
    // The ResourceQuota admission plugin runs last, on a valid pod being created (403 Forbidden).
    if (!old && !causes.length) admitPodQuota(store, obj);
    return causes;
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Ready", "string", false, "The aggregate readiness state of this pod for accepting traffic."),
      col("Status", "string", false, "The aggregate status of the containers in this pod."),
      col("Restarts", "string", false, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
      AGE_COLUMN,
      col("IP", "string", true, "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."),
      col("Node", "string", true, "NodeName indicates in which node this pod is scheduled."),
      col("Nominated Node", "string", true, "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods."),
      col("Readiness Gates", "string", true, "If specified, all readiness gates will be evaluated for pod readiness."),
    ],
    cells(pod, now) {
      const s = podSummary(pod, now);
      const status = pod.status ?? {};
      const ip = status.podIPs?.[0]?.ip || status.podIP || "<none>";
      const gates: any[] = pod.spec?.readinessGates ?? [];
      let readiness = "<none>";
      if (gates.length) {
        const conds: any[] = status.conditions ?? [];
        const ok = gates.filter((g) => conds.find((c) => c.type === g.conditionType)?.status === "True").length;
        readiness = `${ok}/${gates.length}`;
      }
      return [pod.metadata.name, s.ready, s.status, s.restarts, age(pod.metadata.creationTimestamp, now), ip, pod.spec?.nodeName || "<none>", status.nominatedNodeName || "<none>", readiness];
    },
  },
};

/** A pod update may not change the spec beyond what UPDATABLE names (ValidatePodUpdate). */
function validatePodUpdate(obj: KObject, old: KObject): FieldCause[] {
  const munged = structuredClone(obj.spec);
  const before = old.spec ?? {};
  const sameLength = (a: unknown, b: unknown) => (Array.isArray(a) ? a.length : 0) === (Array.isArray(b) ? b.length : 0);
  for (const list of ["containers", "initContainers"] as const) {
    if (!sameLength(munged[list], before[list])) continue;
    munged[list]?.forEach((c: any, i: number) => {
      if (isObject(c) && isObject(before[list][i])) c.image = before[list][i].image;
    });
  }
  munged.activeDeadlineSeconds = before.activeDeadlineSeconds;
  munged.tolerations = before.tolerations;
  // Binding: the scheduler sets nodeName once on a pod that has none.
  if (!before.nodeName) munged.nodeName = before.nodeName;
  if (before.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = before.terminationGracePeriodSeconds;
  const causes: FieldCause[] = [];
  if (!deepEqual(munged, before)) causes.push(forbidden("spec", `pod updates may not change fields other than ${UPDATABLE.join(",")}`));
  const oldTolerations: any[] = before.tolerations ?? [];
  const newTolerations: any[] = obj.spec.tolerations ?? [];
  if (oldTolerations.some((t) => !newTolerations.some((n) => deepEqual(n, t)))) {
    causes.push(forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
  }
  return causes;
}

export type PodSummary = { ready: string; status: string; restarts: string; readyCount: number; total: number; restartCount: number };

/**
 * READY, STATUS and RESTARTS as kubectl prints them (printPod): the waiting or terminated reason
 * of the last container that has one (CrashLoopBackOff, ImagePullBackOff, OOMKilled, Completed...),
 * init-container progress as `Init:0/1`, `Terminating` while deletion is pending, else the phase.
 */
export function podSummary(pod: KObject, now: number): PodSummary {
  const status = pod.status ?? {};
  const spec = pod.spec ?? {};
  const containers: any[] = Array.isArray(spec.containers) ? spec.containers : [];
  const inits: any[] = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  const sidecar = (name: string) => inits.find((c) => c?.name === name)?.restartPolicy === "Always";
  const total = containers.length + inits.filter((c) => c?.restartPolicy === "Always").length;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let lastSidecarRestart = 0;
  let reason: string = status.reason || status.phase || "";
  if ((status.conditions ?? []).some((c: any) => c.type === "PodScheduled" && c.reason === "SchedulingGated")) reason = "SchedulingGated";
  const finished = (cs: any) => Date.parse(cs?.lastState?.terminated?.finishedAt ?? "") || 0;

  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finished(cs));
    if (sidecar(cs.name)) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, finished(cs));
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (sidecar(cs.name) && cs.started) {
      if (cs.ready) ready++;
      continue;
    }
    if (term) reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    else if (waiting?.reason && waiting.reason !== "PodInitializing") reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${inits.length}`;
    initializing = true;
    break;
  }

  const initialized = (status.conditions ?? []).some((c: any) => c.type === "Initialized" && c.status === "True");
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses: any[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finished(cs));
      const waiting = cs.state?.waiting;
      const term = cs.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === "Completed" && hasRunning) {
      reason = (status.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True") ? "Running" : "NotReady";
    }
  }

  const terminal = status.phase === "Succeeded" || status.phase === "Failed";
  if (pod.metadata.deletionTimestamp && status.reason === "NodeLost") reason = "Unknown";
  else if (pod.metadata.deletionTimestamp && !terminal) reason = "Terminating";

  const restartText = restarts !== 0 && lastRestart ? `${restarts} (${age(new Date(lastRestart).toISOString(), now)} ago)` : String(restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText, readyCount: ready, total, restartCount: restarts };
}

