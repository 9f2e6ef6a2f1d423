/**
 * chaos: a chaos-mesh experiment (NetworkChaos delay or loss, StressChaos...) is acting on a
 * Deployment's pods. Every such object is an injected failure by definition, visible in the
 * cluster; one acting on a Deployment the symptoms touch (slow, failing, on the path) is the most
 * likely cause. The fix deletes the experiment.
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import { nsOf } from "../../observe/lookups.ts";
import type { Hypothesis } from "../../../src/incident/types.ts";
import { relativeToOnset } from "../revisions.ts";
import { hypothesis, deploymentRef, type Rule } from "../rule.ts";
import { changesNearOnset, deploymentOnPath, deploymentsIn } from "./util.ts";

export const chaosRule: Rule = {
  name: "chaos",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    for (const chaos of ctx.obs.chaos.filter((c) => nsOf(c) === ctx.namespace || (c.spec?.selector?.namespaces ?? []).includes(ctx.namespace))) {
      for (const d of deploymentsIn(ctx)) {
        const pods = ctx.idx.podsOf(d);
        if (!pods.length || !ctx.idx.chaosSelecting(pods).includes(chaos)) continue;
        const stress = chaos.kind === "StressChaos";
        const created = Date.parse(chaos.metadata.creationTimestamp ?? "") || undefined;
        const changed = changesNearOnset(ctx, chaos.kind, chaos.metadata.name);
        let confidence = 0.7;
        if (deploymentOnPath(ctx, d)) confidence += 0.15;
        if (changed.changes.length) confidence += 0.05;
        out.push(hypothesis({
          finding: stress ? "stress-chaos" : "network-chaos",
          rootCause: deploymentRef(d),
          summary: `${chaos.kind} ${chaos.metadata.name} ${describe(chaos)} on Deployment ${d.metadata.name}'s pods`,
          confidence,
          evidence: [
            { source: "spec", entity: { kind: chaos.kind, namespace: nsOf(chaos), name: chaos.metadata.name }, fact: `${chaos.kind} ${chaos.metadata.name}: ${JSON.stringify(chaos.spec ?? {}).slice(0, 400)}${created ? `; created ${relativeToOnset(created, ctx.onset)}` : ""}` },
            { source: "pod-status", entity: deploymentRef(d), fact: `it selects ${pods.length} pod(s) of Deployment ${d.metadata.name}` },
            ...changed.evidence,
          ],
          facts: { deployment: d.metadata.name, chaosKind: chaos.kind, chaosName: chaos.metadata.name, chaosApiVersion: chaos.apiVersion },
          remedies: ["delete-chaos"],
        }));
      }
    }
    return out;
  },
};

function describe(c: KubeObject): string {
  const s = c.spec ?? {};
  if (c.kind === "NetworkChaos") return s.action === "delay" ? `adds ${s.delay?.latency ?? "?"} latency` : s.action === "loss" ? `drops ${s.loss?.loss ?? "?"}% of packets` : `applies network ${s.action ?? "chaos"}`;
  if (c.kind === "StressChaos") return `burns CPU/memory${s.stressors?.cpu ? ` (${s.stressors.cpu.workers ?? "?"} CPU workers at ${s.stressors.cpu.load ?? "?"}%)` : ""}`;
  return `acts (${s.action ?? c.kind})`;
}
