/**
 * The pod status the kubelet reports, computed from its containers' state machines: phase (the
 * kubelet's getPhase rules), the five conditions with stable lastTransitionTime, IPs, startTime,
 * qosClass and container statuses. Pure: it returns a new status and leaves writing to the kubelet,
 * which skips the write when nothing changed.
 */
import { podQosClass } from "../api/kinds/pod-spec.ts";
import { isoSeconds } from "../api/store.ts";
import type { KObject } from "../api/types.ts";
import type { ContainerMachine } from "./kubelet-container.ts";

export type PodView = {
  pod: KObject;
  hostIP: string;
  podIP: string | undefined;
  startTime: number;
  sandboxReady: boolean;
  init: ContainerMachine[];
  containers: ContainerMachine[];
};

type Condition = { type: string; status: "True" | "False"; reason?: string; message?: string };

/** The kubelet's getPhase. */
export function podPhase(v: PodView): string {
  const policy = v.pod.spec?.restartPolicy ?? "Always";
  const initFailedForGood = v.init.some((c) => c.done && exitCode(c) !== 0);
  if (initFailedForGood && policy === "Never") return "Failed";
  if (!initDone(v)) return "Pending";
  let running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const c of v.containers) {
    const s = c.state as any;
    if (s.running) running++;
    else if (s.terminated) {
      stopped++;
      if (s.terminated.exitCode === 0) succeeded++;
    } else if ((c.lastState as any).terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (policy === "Always") return "Running";
    if (stopped === succeeded && v.containers.every((c) => c.done)) return "Succeeded";
    if (policy === "Never" && v.containers.every((c) => c.done)) return "Failed";
    return "Running";
  }
  return "Pending";
}

const exitCode = (c: ContainerMachine) => (c.state as any).terminated?.exitCode;
const initDone = (v: PodView) => v.init.every((c) => c.done && exitCode(c) === 0);

/** The new status, keeping what others own (the scheduler's condition, nominatedNodeName). */
export function podStatus(old: Record<string, any> | undefined, v: PodView, now: number): Record<string, any> {
  const prior = old ?? {};
  const terminal = prior.phase === "Succeeded" || prior.phase === "Failed";
  const phase = terminal ? prior.phase : podPhase(v);
  const completed = phase === "Succeeded" || phase === "Failed";
  const notInit = v.init.filter((c) => !(c.done && exitCode(c) === 0)).map((c) => c.name);
  const unready = v.containers.filter((c) => !c.ready).map((c) => c.name);
  const readyCond = (type: string): Condition =>
    completed
      ? { type, status: "False", reason: "PodCompleted" }
      : unready.length
        ? { type, status: "False", reason: "ContainersNotReady", message: `containers with unready status: [${unready.join(" ")}]` }
        : { type, status: "True" };
  const scheduled = (prior.conditions ?? []).find((c: any) => c.type === "PodScheduled");
  const wanted: Condition[] = [
    { type: "PodReadyToStartContainers", status: v.sandboxReady && !completed ? "True" : "False" },
    notInit.length
      ? { type: "Initialized", status: "False", reason: "ContainersNotInitialized", message: `containers with incomplete status: [${notInit.join(" ")}]` }
      : { type: "Initialized", status: "True" },
    readyCond("Ready"),
    readyCond("ContainersReady"),
  ];
  const at = isoSeconds(now);
  const conditions: any[] = wanted.map((w) => {
    const was = (prior.conditions ?? []).find((c: any) => c.type === w.type);
    const lastTransitionTime = was && was.status === w.status ? was.lastTransitionTime : at;
    return { type: w.type, status: w.status, lastProbeTime: null, lastTransitionTime, ...(w.reason ? { reason: w.reason } : {}), ...(w.message ? { message: w.message } : {}) };
  });
  // Conditions the kubelet does not own (PodScheduled, readiness gates, DisruptionTarget) stay as they are.
  const own = new Set(wanted.map((w) => w.type));
  for (const c of prior.conditions ?? []) if (!own.has(c.type)) conditions.push(c);
  if (!scheduled) conditions.push({ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: isoSeconds(v.startTime) });

  const status: Record<string, any> = {
    ...prior,
    phase,
    conditions,
    hostIP: v.hostIP,
    hostIPs: [{ ip: v.hostIP }],
    startTime: isoSeconds(v.startTime),
    qosClass: prior.qosClass ?? podQosClass(v.pod.spec),
  };
  if (v.podIP) {
    status.podIP = v.podIP;
    status.podIPs = [{ ip: v.podIP }];
  } else {
    delete status.podIP;
    delete status.podIPs;
  }
  if (v.init.length) status.initContainerStatuses = v.init.map((c) => c.status());
  else delete status.initContainerStatuses;
  status.containerStatuses = v.containers.map((c) => c.status()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return status;
}
