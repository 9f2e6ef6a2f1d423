/**
 * deployment-unavailable: a Deployment has fewer available replicas than it wants (or than it had
 * before the incident), and not because a healthy rollout is still bringing pods up: pods that
 * are young and show no problem are "starting", not failing. Also a Deployment scaled to zero (or
 * below its pre-incident count) while its Service had endpoints: nothing serves its callers.
 */
import { symptom, type Signal, type Symptom } from "../signal.ts";
import { isStarting, minOf } from "./pod-state.ts";

export const deploymentUnavailable: Signal = {
  name: "deployment-unavailable",
  detect(ctx) {
    const out: Symptom[] = [];
    for (const d of ctx.obs.deployments) {
      const ns = d.metadata.namespace ?? "";
      const name = d.metadata.name;
      const desired = d.spec?.replicas ?? 1;
      const available = d.status?.availableReplicas ?? 0;
      const before = ctx.baselineReplicas?.get(`${ns}/${name}`) ?? ctx.history.healthyReplicas(ns, name);
      const entity = { kind: "Deployment", namespace: ns, name };
      if (before !== undefined && desired < before) {
        const services = ctx.idx.servicesOf(d).map((s) => s.metadata.name);
        const hurt = desired === 0 || services.some((s) => ctx.idx.edgesInto(ns, s).some((e) => e.errorRatio > ctx.settings.maxErrorRatio));
        if (hurt) {
          out.push(symptom({
            signal: "deployment-scaled-down", namespace: ns, entity: name, class: "status", severity: desired === 0 ? "critical" : "warning",
            text: `Deployment ${name} wants ${desired} replica(s), fewer than the ${before} it had`,
            evidence: [{ source: "spec", entity, fact: `Deployment ${name}: spec.replicas ${desired}, previously ${before}${services.length ? `; serves Service ${services.join(", ")}` : ""}` }],
          }));
        }
      }
      if (available >= desired) continue;
      const pods = ctx.idx.podsOf(d);
      const starting = pods.filter((p) => isStarting(p, ctx));
      // A rollout or restart bringing pods up: not a symptom while every missing pod is starting.
      if (pods.length >= desired && starting.length >= desired - available) continue;
      out.push(symptom({
        signal: this.name, namespace: ns, entity: name, class: "status", severity: available === 0 ? "critical" : "warning",
        text: `Deployment ${name}: ${available}/${desired} replicas available`,
        evidence: [{ source: "pod-status", entity, fact: `Deployment ${name}: ${available} of ${desired} replicas available, ${pods.length} pod(s) (${pods.map((p) => `${p.metadata.name} ${p.status?.phase ?? "?"}`).join(", ") || "none"})` }],
        since: minOf(pods.filter((p) => !starting.includes(p)).map((p) => Date.parse(p.metadata.creationTimestamp ?? "") || undefined)),
      }));
    }
    return out;
  },
};
