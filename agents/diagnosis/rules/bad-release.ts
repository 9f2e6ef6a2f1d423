/**
 * bad-release: a service fails requests by itself — its error ratio is high while every call it
 * makes succeeds, and its pods run and are Ready — right after its latest revision rolled out. A
 * new image in that revision makes it a bad release; rolling back to the previous revision is the
 * fix. A revision that only restarted pods, or no recent revision at all, is not this.
 */
import type { Hypothesis } from "../../../src/incident/types.ts";
import { containerOf, nearOnset, relativeToOnset, revisionDiff, touches } from "../revisions.ts";
import { hypothesis, deploymentRef, type Rule } from "../rule.ts";
import { deploymentsIn, logEvidence, serviceNamesOf } from "./util.ts";

export const badReleaseRule: Rule = {
  name: "bad-release",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    for (const d of deploymentsIn(ctx)) {
      const names = [d.metadata.name, ...serviceNamesOf(ctx, d)];
      const failingAlone = names.find((n) => ctx.walk.selfFailing.includes(n));
      const failedInto = ctx.walk.failing.filter((e) => names.includes(e.callee) && !ctx.walk.failing.some((x) => names.includes(x.service)));
      if (!failingAlone && !failedInto.length) continue;
      const rev = revisionDiff(ctx.idx, d);
      if (!rev.previous || !rev.changed.length || rev.onlyAnnotations) continue;
      const recent = nearOnset(rev.createdAt, ctx.onset);
      if (!recent) continue;
      const imageChanged = touches(rev.changed, "image");
      const c = containerOf(d);
      const prev = containerOf(rev.previous, c?.name);
      const stats = failingAlone ? ctx.idx.stats(ctx.namespace, failingAlone) : undefined;
      const ready = ctx.idx.podsOf(d).filter((p) => (p.status?.conditions ?? []).some((x: { type: string; status: string }) => x.type === "Ready" && x.status === "True")).length;
      out.push(hypothesis({
        finding: "bad-release",
        rootCause: deploymentRef(d),
        summary: `Deployment ${d.metadata.name} fails requests since revision ${rev.currentRevision}${imageChanged ? ` (image ${prev?.image} → ${c?.image})` : ` (${rev.changed.slice(0, 3).join(", ")})`} rolled out`,
        confidence: (imageChanged ? 0.8 : 0.55) + (ready ? 0.05 : 0) + (failingAlone ? 0.05 : 0),
        evidence: [
          { source: "history", entity: deploymentRef(d), fact: `revision ${rev.currentRevision} (${rev.changed.join(", ")}) created ${rev.createdAt ? relativeToOnset(rev.createdAt, ctx.onset) : "recently"}; previous revision ${rev.previousRevision}` },
          ...(stats ? [{ source: "metric" as const, entity: deploymentRef(d), fact: `service ${failingAlone}: ${(stats.errorRatio * 100).toFixed(0)}% errors at ${stats.requestRate.toFixed(2)} req/s while its own calls succeed` }] : []),
          ...failedInto.slice(0, 3).map((e) => ({ source: "metric" as const, entity: deploymentRef(d), fact: `${e.service} → ${e.callee}: ${(e.errorRatio * 100).toFixed(0)}% of calls fail` })),
          { source: "pod-status", entity: deploymentRef(d), fact: `${ready} of ${ctx.idx.podsOf(d).length} pod(s) Ready` },
          ...ctx.idx.logsOf(d).filter((l) => /error|panic|fail/i.test(l)).slice(-2).map((l) => logEvidence(d, l)),
        ],
        facts: { deployment: d.metadata.name, container: c?.name ?? null, rolloutPrecededOnset: true, image: c?.image ?? null, lastGoodImage: imageChanged ? prev?.image ?? null : null, previousRevision: rev.previousRevision ?? null },
        remedies: imageChanged ? ["rollout-undo", "set-image"] : ["rollout-undo"],
      }));
    }
    return out;
  },
};
