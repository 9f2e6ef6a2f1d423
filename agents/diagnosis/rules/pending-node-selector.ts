/**
 * pending-node-selector: a Deployment's pods stay Pending because its nodeSelector asks for labels
 * no schedulable node has (FailedScheduling: "didn't match Pod's node affinity/selector"). The keys
 * to drop are exactly those no node satisfies; when the latest revision added them, rolling back
 * is the fix.
 */
import type { Hypothesis } from "../../../src/incident/types.ts";
import { matchesMap } from "../../../src/kube/selectors.ts";
import { nearOnset, relativeToOnset, revisionDiff } from "../revisions.ts";
import { hypothesis, deploymentRef, type Remedy, type Rule } from "../rule.ts";
import { deploymentOnPath, deploymentsIn, eventEvidence, podEvents } from "./util.ts";

export const pendingNodeSelectorRule: Rule = {
  name: "pending-node-selector",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    const nodes = ctx.obs.nodes.filter((n) => !n.spec?.unschedulable);
    for (const d of deploymentsIn(ctx)) {
      const selector = (d.spec?.template?.spec?.nodeSelector ?? {}) as Record<string, string>;
      if (!Object.keys(selector).length) continue;
      const pending = ctx.idx.podsOf(d).filter((p) => p.status?.phase === "Pending" && !p.spec?.nodeName);
      if (!pending.length) continue;
      const bad = Object.entries(selector).filter(([k, v]) => !nodes.some((n) => n.metadata.labels?.[k] === v)).map(([k]) => k);
      const fits = nodes.some((n) => matchesMap(selector, n.metadata.labels));
      if (fits) continue;
      const events = podEvents(ctx, pending[0], "FailedScheduling").slice(-1);
      const rev = revisionDiff(ctx.idx, d);
      const added = rev.changed.some((p) => p.startsWith("template.spec.nodeSelector"));
      let confidence = 0.88;
      if (events.some((e) => /node affinity|node selector|nodeSelector/i.test(e.message ?? ""))) confidence += 0.05;
      if (added && nearOnset(rev.createdAt, ctx.onset)) confidence += 0.03;
      if (deploymentOnPath(ctx, d)) confidence += 0.02;
      const remedies: Remedy[] = added ? ["rollout-undo", "remove-node-selector"] : ["remove-node-selector"];
      out.push(hypothesis({
        finding: "unschedulable-node-selector",
        rootCause: deploymentRef(d),
        summary: `Deployment ${d.metadata.name}'s nodeSelector ${JSON.stringify(selector)} matches no schedulable node: its pods stay Pending`,
        confidence,
        evidence: [
          { source: "spec", entity: deploymentRef(d), fact: `nodeSelector ${JSON.stringify(selector)}; no node has ${bad.map((k) => `${k}=${selector[k]}`).join(", ")} (nodes: ${ctx.obs.nodes.map((n) => n.metadata.name).join(", ")})` },
          { source: "pod-status", entity: { kind: "Pod", namespace: ctx.namespace, name: pending[0].metadata.name }, fact: `pod ${pending[0].metadata.name} Pending, not scheduled` },
          ...events.map(eventEvidence),
          ...(added ? [{ source: "history" as const, entity: deploymentRef(d), fact: `revision ${rev.currentRevision} changed the nodeSelector${rev.createdAt ? `, ${relativeToOnset(rev.createdAt, ctx.onset)}` : ""}` }] : []),
        ],
        facts: { deployment: d.metadata.name, rolloutPrecededOnset: added && nearOnset(rev.createdAt, ctx.onset), badNodeSelectorKeys: bad.join(","), previousRevision: rev.previousRevision ?? null },
        remedies,
      }));
    }
    return out;
  },
};
