/**
 * rollout-stalled: a Deployment's rollout exceeded its progress deadline (the Progressing
 * condition is False with ProgressDeadlineExceeded). A rollout still progressing is never a
 * symptom by itself.
 */
import { symptom, type Signal, type Symptom } from "../signal.ts";

export const rolloutStalled: Signal = {
  name: "rollout-stalled",
  detect(ctx) {
    const out: Symptom[] = [];
    for (const d of ctx.obs.deployments) {
      const c = (d.status?.conditions ?? []).find((x: { type: string }) => x.type === "Progressing");
      if (!c || c.status !== "False" || c.reason !== "ProgressDeadlineExceeded") continue;
      const ns = d.metadata.namespace ?? "";
      out.push(symptom({
        signal: this.name, namespace: ns, entity: d.metadata.name, class: "status", severity: "warning",
        text: `Deployment ${d.metadata.name}: rollout exceeded its progress deadline`,
        evidence: [{ source: "pod-status", entity: { kind: "Deployment", namespace: ns, name: d.metadata.name }, fact: `Progressing=False ProgressDeadlineExceeded: ${c.message ?? ""}` }],
        since: Date.parse(c.lastTransitionTime ?? "") || undefined,
      }));
    }
    return out;
  },
};
