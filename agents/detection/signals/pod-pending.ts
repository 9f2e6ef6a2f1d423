/**
 * pod-pending: pods still Pending after the start grace — usually because the scheduler cannot
 * place them (PodScheduled=False: node selector, resources, unbound volumes), which the evidence
 * says. Image pulls are judged by container-failing, not here.
 */
import type { Evidence } from "../../../src/incident/types.ts";
import { symptom, type Signal, type Symptom } from "../signal.ts";
import { minOf, podsByEntity } from "./pod-state.ts";

export const podPending: Signal = {
  name: "pod-pending",
  detect(ctx) {
    const out: Symptom[] = [];
    for (const g of podsByEntity(ctx).values()) {
      const evidence: Evidence[] = [];
      const since: Array<number | undefined> = [];
      for (const pod of g.pods) {
        if (pod.status?.phase !== "Pending") continue;
        const created = Date.parse(pod.metadata.creationTimestamp ?? "") || undefined;
        const sched = (pod.status?.conditions ?? []).find((c: { type: string }) => c.type === "PodScheduled");
        const old = created !== undefined && ctx.obs.at - created > ctx.settings.startGraceMs;
        const pulling = (pod.status?.containerStatuses ?? []).some((cs: { state?: { waiting?: { reason?: string } } }) => /Image|ErrImage/.test(cs.state?.waiting?.reason ?? ""));
        // Even an unschedulable pod gets the start grace: the scheduler retries, and the health
        // model judges Pending pods only after it too (an incident it cannot see cannot be verified fixed).
        if (pulling || !old) continue;
        evidence.push({ source: "pod-status", entity: { kind: "Pod", namespace: g.ns, name: pod.metadata.name }, fact: `pod ${pod.metadata.name} Pending${sched?.message ? `: ${sched.reason ?? ""} ${sched.message}` : ""}` });
        since.push(created);
      }
      if (!evidence.length) continue;
      out.push(symptom({ signal: this.name, namespace: g.ns, entity: g.name, class: "status", severity: "warning", text: `${g.kind} ${g.name}: pods Pending`, evidence: evidence.slice(0, 5), since: minOf(since) }));
    }
    return out;
  },
};
