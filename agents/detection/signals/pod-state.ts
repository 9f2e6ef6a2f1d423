/**
 * Pod-level facts several signals share: whether a container is in a state that means it cannot
 * run (a bad waiting reason, a bad termination, a recent bad exit with climbing restarts), whether
 * a pod is still legitimately starting, and the entity a pod is reported under (its Deployment's
 * name, or its own for a bare pod).
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import { containerStatuses, type ObservationIndex } from "../../observe/lookups.ts";
import type { SignalContext } from "../signal.ts";

export type ContainerProblem = { container: string; reason: string; text: string; since?: number };

const ts = (s: string | undefined) => (s ? Date.parse(s) || undefined : undefined);

/** The problem of each container of a pod that cannot run, if any. */
export function containerProblems(pod: KubeObject, ctx: SignalContext): ContainerProblem[] {
  const s = ctx.settings;
  const out: ContainerProblem[] = [];
  for (const cs of containerStatuses(pod)) {
    const waiting = cs.state?.waiting;
    const term = cs.state?.terminated;
    const last = cs.lastState?.terminated;
    const growth = ctx.history.restartGrowth(pod, cs.name, s.restartWindowMs, ctx.obs.at);
    const lastAt = ts(last?.finishedAt);
    if (waiting?.reason && s.badWaitingReasons.includes(waiting.reason)) {
      // A single crash followed by the first back-off is noise; a repeated one is a loop.
      if (waiting.reason === "CrashLoopBackOff" && (cs.restartCount ?? 0) <= s.restartTolerance && growth <= s.restartTolerance && last?.reason !== "OOMKilled") continue;
      out.push({ container: cs.name, reason: waiting.reason, text: `waiting ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}${describeLast(last)}`, since: lastAt ?? ts(pod.metadata.creationTimestamp) });
      continue;
    }
    if (term?.reason && s.badTerminatedReasons.includes(term.reason) && (cs.restartCount ?? 0) > s.restartTolerance) {
      out.push({ container: cs.name, reason: term.reason, text: `terminated ${term.reason} (exit code ${term.exitCode})`, since: ts(term.finishedAt) });
      continue;
    }
    if (last?.reason && s.badTerminatedReasons.includes(last.reason) && growth > s.restartTolerance && lastAt && ctx.obs.at - lastAt <= s.restartWindowMs) {
      out.push({ container: cs.name, reason: last.reason, text: `restarting: last exit ${last.reason} (exit code ${last.exitCode}), ${growth} restarts recently`, since: lastAt });
    }
  }
  return out;
}

function describeLast(last: { reason?: string; exitCode?: number } | undefined): string {
  return last?.reason ? `; last exit ${last.reason} (exit code ${last.exitCode})` : "";
}

/** A pod created within the start grace whose containers show no problem yet: still starting. */
export function isStarting(pod: KubeObject, ctx: SignalContext): boolean {
  const created = ts(pod.metadata.creationTimestamp);
  if (created === undefined || ctx.obs.at - created > ctx.settings.startGraceMs) return false;
  return containerProblems(pod, ctx).length === 0;
}

/** The name a pod's symptoms are reported under: its Deployment, else the pod. */
export function entityOf(pod: KubeObject, idx: ObservationIndex): { name: string; kind: string } {
  const d = idx.deploymentOfPod(pod);
  return d ? { name: d.metadata.name, kind: "Deployment" } : { name: pod.metadata.name, kind: "Pod" };
}

/** Groups active pods by reporting entity. */
export function podsByEntity(ctx: SignalContext): Map<string, { ns: string; name: string; kind: string; pods: KubeObject[] }> {
  const out = new Map<string, { ns: string; name: string; kind: string; pods: KubeObject[] }>();
  for (const pod of ctx.obs.pods) {
    if (pod.metadata.deletionTimestamp || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
    const e = entityOf(pod, ctx.idx);
    const ns = pod.metadata.namespace ?? "";
    const k = `${ns}/${e.name}`;
    const g = out.get(k) ?? { ns, name: e.name, kind: e.kind, pods: [] };
    g.pods.push(pod);
    out.set(k, g);
  }
  return out;
}

export const minOf = (xs: Array<number | undefined>): number | undefined => {
  const v = xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x));
  return v.length ? Math.min(...v) : undefined;
};
