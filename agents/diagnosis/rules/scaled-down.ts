/**
 * scaled-down: a Deployment asks for fewer replicas than it had before the incident (zero, as a
 * mistaken `kubectl scale` leaves it), so its Service has no endpoints and callers fail. The count
 * to restore is the caller's pre-incident baseline, else what the tracker saw before the onset,
 * else what the last "Scaled down replica set" event says it was.
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import type { Hypothesis } from "../../../src/incident/types.ts";
import { hypothesis, deploymentRef, type Rule } from "../rule.ts";
import { changesNearOnset, deploymentOnPath, deploymentsIn, eventEvidence, serviceNamesOf } from "./util.ts";

export const scaledDownRule: Rule = {
  name: "scaled-down",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    for (const d of deploymentsIn(ctx)) {
      const name = d.metadata.name;
      const desired = d.spec?.replicas ?? 1;
      const scaleEvents = ctx.idx.eventsFor("Deployment", ctx.namespace, name).filter((e) => e.reason === "ScalingReplicaSet" && /Scaled down/.test(e.message ?? ""));
      const before = ctx.baselineReplicas?.get(`${ctx.namespace}/${name}`)
        ?? ctx.tracker?.priorVersion("Deployment", ctx.namespace, name, ctx.onset)?.spec?.replicas
        ?? fromEvents(scaleEvents, desired);
      if (before === undefined || before <= desired) continue;
      const services = serviceNamesOf(ctx, d);
      const empty = services.filter((s) => ctx.idx.endpointCounts(ctx.namespace, s).ready === 0);
      const changed = changesNearOnset(ctx, "Deployment", name);
      let confidence = desired === 0 ? 0.85 : 0.55;
      if (deploymentOnPath(ctx, d)) confidence += 0.07;
      if (empty.length) confidence += 0.03;
      out.push(hypothesis({
        finding: "scaled-down",
        rootCause: deploymentRef(d),
        summary: `Deployment ${name} was scaled from ${before} to ${desired} replica(s)${empty.length ? `; Service ${empty.join(", ")} has no endpoints` : ""}`,
        confidence,
        evidence: [
          { source: "spec", entity: deploymentRef(d), fact: `Deployment ${name} spec.replicas ${desired}, ${d.status?.availableReplicas ?? 0} available; before the incident ${before}` },
          ...empty.map((s) => ({ source: "endpoints" as const, entity: { kind: "Service", namespace: ctx.namespace, name: s }, fact: `Endpoints ${s}: no ready addresses` })),
          ...scaleEvents.slice(-2).map(eventEvidence),
          ...changed.evidence,
        ],
        facts: { deployment: name, service: services[0] ?? name, replicas: desired, preIncidentReplicas: before },
        remedies: ["scale-back"],
      }));
    }
    return out;
  },
};

/** "Scaled down replica set geo-7d9 from 1 to 0" → 1, for the event that brought it to `desired`. */
function fromEvents(events: KubeObject[], desired: number): number | undefined {
  for (const e of [...events].reverse()) {
    const m = /from (\d+) to (\d+)/.exec(e.message ?? "");
    if (m && Number(m[2]) === desired) return Number(m[1]);
  }
  return undefined;
}
