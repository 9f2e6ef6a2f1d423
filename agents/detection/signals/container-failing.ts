/**
 * container-failing: containers that cannot run — waiting in CrashLoopBackOff, ImagePullBackOff,
 * ErrImagePull, CreateContainerConfigError..., or exiting again and again (OOMKilled, Error).
 * One symptom per Deployment (or bare pod), every bad container as evidence. A single restart
 * after which the container runs again is not reported (see pod-state.ts).
 */
import type { Evidence } from "../../../src/incident/types.ts";
import { symptom, type Signal, type Symptom } from "../signal.ts";
import { containerProblems, minOf, podsByEntity } from "./pod-state.ts";

export const containerFailing: Signal = {
  name: "container-failing",
  detect(ctx) {
    const out: Symptom[] = [];
    for (const g of podsByEntity(ctx).values()) {
      const evidence: Evidence[] = [];
      const since: Array<number | undefined> = [];
      const reasons = new Set<string>();
      for (const pod of g.pods) {
        for (const p of containerProblems(pod, ctx)) {
          evidence.push({ source: "pod-status", entity: { kind: "Pod", namespace: g.ns, name: pod.metadata.name }, fact: `pod ${pod.metadata.name} container ${p.container}: ${p.text}` });
          since.push(p.since);
          reasons.add(p.reason);
        }
      }
      if (!evidence.length) continue;
      const d = ctx.idx.deployment(g.ns, g.name);
      const available = d?.status?.availableReplicas ?? 0;
      out.push(symptom({
        signal: this.name, namespace: g.ns, entity: g.name, class: "status",
        severity: d && available === 0 ? "critical" : "warning",
        text: `${g.kind} ${g.name}: containers cannot run (${[...reasons].join(", ")})`,
        evidence: evidence.slice(0, 8), since: minOf(since),
      }));
    }
    return out;
  },
};
