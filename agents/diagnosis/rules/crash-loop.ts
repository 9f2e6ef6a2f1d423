/**
 * crash-loop: the catch-all for a Deployment whose containers crash again and again when no more
 * specific rule explains why. With a recent change to the pod template (not just a restart
 * stamp), that change is the likely cause and rolling it back the fix; without one it names the
 * crash with a low confidence and proposes nothing.
 */
import type { Hypothesis } from "../../../src/incident/types.ts";
import { nearOnset, relativeToOnset, revisionDiff } from "../revisions.ts";
import { hypothesis, deploymentRef, type Rule } from "../rule.ts";
import { crashing, deploymentOnPath, deploymentsIn, logEvidence, textOf } from "./util.ts";

export const crashLoopRule: Rule = {
  name: "crash-loop",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    for (const d of deploymentsIn(ctx)) {
      const failing = crashing(ctx, d).filter(({ cs }) => (cs.lastState?.terminated ?? cs.state?.terminated)?.reason !== "OOMKilled");
      if (!failing.length) continue;
      const { pod, cs } = failing[0];
      const last = cs.lastState?.terminated ?? cs.state?.terminated;
      const rev = revisionDiff(ctx.idx, d);
      const recent = rev.changed.length > 0 && !rev.onlyAnnotations && nearOnset(rev.createdAt, ctx.onset);
      const tail = textOf(ctx, d).slice(-2);
      out.push(hypothesis({
        finding: "crash-loop",
        rootCause: deploymentRef(d),
        summary: `Deployment ${d.metadata.name}'s container ${cs.name} keeps exiting (exit code ${last?.exitCode ?? "?"})${recent ? `; revision ${rev.currentRevision} changed ${rev.changed.slice(0, 3).join(", ")}` : ""}`,
        confidence: (recent ? 0.45 : 0.2) + (deploymentOnPath(ctx, d) ? 0.05 : 0),
        evidence: [
          { source: "pod-status", entity: { kind: "Pod", namespace: ctx.namespace, name: pod.metadata.name }, fact: `pod ${pod.metadata.name} container ${cs.name}: ${cs.state?.waiting?.reason ?? "restarting"}, last exit ${last?.reason ?? "?"} (exit code ${last?.exitCode ?? "?"}), ${cs.restartCount ?? 0} restart(s)` },
          ...(recent ? [{ source: "history" as const, entity: deploymentRef(d), fact: `revision ${rev.currentRevision} (${rev.changed.join(", ")}) created ${relativeToOnset(rev.createdAt!, ctx.onset)}` }] : []),
          ...tail.map((l) => logEvidence(d, l)),
        ],
        facts: { deployment: d.metadata.name, container: cs.name, rolloutPrecededOnset: recent, previousRevision: rev.previousRevision ?? null },
        // Without a change to revert there is nothing safe to do: restarting a container that
        // crashes on every start only adds restarts. The low confidence says "a person should look".
        remedies: recent ? ["rollout-undo"] : [],
      }));
    }
    return out;
  },
};
