/**
 * container-states: no container of an in-scope pod is stuck waiting for a reason that means it
 * cannot run (CrashLoopBackOff, ImagePullBackOff, ErrImagePull, CreateContainerConfigError...) or
 * died recently (terminated OOMKilled / Error within the window). One result per workload, with
 * each bad container as evidence (pod, container, reason, message). A single restart after which
 * the container runs and is Ready again is noise and passes, as in `restarts`.
 */
import type { KubeObject } from "../../kube/types.ts";
import { DEFAULT_CHECK_WEIGHTS } from "../defaults.ts";
import { result, type CheckContext, type CheckResult, type HealthCheck } from "../health-check.ts";
import { activePodsByWorkload } from "./pods.ts";

const NAME = "container-states";

export const containerStates: HealthCheck = {
  name: NAME,
  weight: DEFAULT_CHECK_WEIGHTS[NAME],
  source: "pod-status",
  async evaluate(ctx) {
    const groups = await activePodsByWorkload(ctx.view);
    const out: CheckResult[] = [];
    for (const [workload, { subject, pods }] of groups) {
      const problems: string[] = [];
      let containers = 0;
      for (const pod of pods) {
        for (const cs of containerStatuses(pod)) {
          containers++;
          const p = problemOf(ctx, cs);
          if (p) problems.push(`pod ${pod.metadata.name} container ${cs.name}: ${p}`);
        }
      }
      out.push(
        result(NAME, workload, problems.length ? "fail" : "pass", problems.length, problems.length ? problems : [`${pods.length} pod(s), ${containers} container(s) running or starting normally`], 0, { subject }),
      );
    }
    return out;
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ContainerStatus = { name: string; ready?: boolean; restartCount?: number; state?: any; lastState?: any };

function containerStatuses(pod: KubeObject): ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

function problemOf(ctx: CheckContext, cs: ContainerStatus): string | undefined {
  const s = ctx.settings;
  const waiting = cs.state?.waiting;
  if (waiting?.reason && s.badWaitingReasons.includes(waiting.reason)) {
    return `waiting: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}${restarts(cs)}`;
  }
  const term = cs.state?.terminated;
  if (term?.reason && s.badTerminatedReasons.includes(term.reason)) return `terminated: ${describeTermination(term)}${restarts(cs)}`;
  const last = cs.lastState?.terminated;
  if (last?.reason && s.badTerminatedReasons.includes(last.reason)) {
    const finished = Date.parse(last.finishedAt ?? "");
    const recent = Number.isNaN(finished) || ctx.now - finished <= s.windowMs;
    const recovered = cs.state?.running && cs.ready !== false && (cs.restartCount ?? 0) <= s.restartGrowthTolerance;
    if (recent && !recovered) return `last terminated ${last.finishedAt ? `at ${last.finishedAt} ` : ""}${describeTermination(last)}${restarts(cs)}`;
  }
  return undefined;
}

function describeTermination(t: { reason?: string; exitCode?: number; message?: string }): string {
  return `${t.reason}${t.exitCode === undefined ? "" : ` (exit code ${t.exitCode})`}${t.message ? `: ${t.message}` : ""}`;
}

const restarts = (cs: ContainerStatus) => (cs.restartCount ? `; ${cs.restartCount} restart(s)` : "");
