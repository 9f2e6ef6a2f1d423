/**
 * oom: a Deployment's containers are OOMKilled (exit 137) again and again: the memory limit is
 * under what they use. When the latest revision lowered the limit, rolling back is the fix;
 * otherwise raise the limit — to the previous revision's when that was higher, else double it.
 */
import type { Hypothesis } from "../../../src/incident/types.ts";
import { containerOf, nearOnset, relativeToOnset, revisionDiff, touches } from "../revisions.ts";
import { hypothesis, deploymentRef, type Remedy, type Rule } from "../rule.ts";
import { containersOf, deploymentOnPath, deploymentsIn, podEvidence } from "./util.ts";

export const oomRule: Rule = {
  name: "oom",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    for (const d of deploymentsIn(ctx)) {
      const killed = containersOf(ctx, d).filter(({ cs }) => cs.state?.terminated?.reason === "OOMKilled" || cs.lastState?.terminated?.reason === "OOMKilled");
      if (!killed.length) continue;
      const { pod, cs } = killed[0];
      const current = containerOf(d, cs.name);
      const limit = current?.resources?.limits?.memory as string | undefined;
      const rev = revisionDiff(ctx.idx, d);
      const prevLimit = containerOf(rev.previous, cs.name)?.resources?.limits?.memory as string | undefined;
      const lowered = touches(rev.changed, "resources") && prevLimit !== undefined && (bytes(prevLimit) ?? 0) > (bytes(limit) ?? Infinity);
      const suggested = lowered ? prevLimit : limit ? formatMi(Math.max((bytes(limit) ?? 0) * 2, 128 * 2 ** 20)) : "512Mi";
      let confidence = 0.9;
      if (deploymentOnPath(ctx, d)) confidence += 0.05;
      if (lowered && nearOnset(rev.createdAt, ctx.onset)) confidence += 0.03;
      const remedies: Remedy[] = lowered ? ["rollout-undo", "raise-memory"] : ["raise-memory"];
      out.push(hypothesis({
        finding: "oom-killed",
        rootCause: deploymentRef(d),
        summary: `Deployment ${d.metadata.name}'s container ${cs.name} is OOMKilled: memory limit ${limit ?? "(none)"} is under its working set${lowered ? ` (revision ${rev.currentRevision} lowered it from ${prevLimit})` : ""}`,
        confidence,
        evidence: [
          podEvidence(pod, `pod ${pod.metadata.name} container ${cs.name}: last terminated OOMKilled (exit code ${(cs.lastState?.terminated ?? cs.state?.terminated)?.exitCode ?? 137}), ${cs.restartCount ?? 0} restart(s)`),
          { source: "spec", entity: deploymentRef(d), fact: `container ${cs.name} resources.limits.memory ${limit ?? "(none)"}` },
          ...(lowered ? [{ source: "history" as const, entity: deploymentRef(d), fact: `revision ${rev.currentRevision} changed limits.memory ${prevLimit} → ${limit}${rev.createdAt ? `, ${relativeToOnset(rev.createdAt, ctx.onset)}` : ""}` }] : []),
        ],
        facts: { deployment: d.metadata.name, container: cs.name, oomKilled: true, rolloutPrecededOnset: lowered && nearOnset(rev.createdAt, ctx.onset), memoryLimit: limit ?? null, lastGoodMemoryLimit: lowered ? prevLimit! : null, suggestedMemoryLimit: suggested ?? null, previousRevision: rev.previousRevision ?? null },
        remedies,
      }));
    }
    return out;
  },
};

const UNITS: Record<string, number> = { "": 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A memory quantity in bytes ("256Mi" → 268435456); undefined when unreadable. */
export function bytes(q: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q ?? ""));
  return m ? Number(m[1]) * UNITS[m[2] ?? ""] : undefined;
}

const formatMi = (b: number) => `${Math.ceil(b / 2 ** 20)}Mi`;
