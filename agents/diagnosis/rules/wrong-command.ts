/**
 * wrong-command: a Deployment's container command changed in its latest revision and the new pods
 * fail — the binary is not in the image ("executable file not found"), or it starts a different
 * server that crashes, never becomes Ready, or serves the port but fails every request. The
 * command to restore is the previous revision's.
 */
import type { Hypothesis } from "../../../src/incident/types.ts";
import { EXEC_NOT_FOUND, grep } from "../patterns.ts";
import { containerOf, nearOnset, relativeToOnset, revisionDiff, touches } from "../revisions.ts";
import { hypothesis, deploymentRef, type Rule } from "../rule.ts";
import { containersOf, crashing, deploymentOnPath, deploymentsIn, logEvidence, serviceNamesOf, textOf } from "./util.ts";

export const wrongCommandRule: Rule = {
  name: "wrong-command",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    for (const d of deploymentsIn(ctx)) {
      const failing = [...crashing(ctx, d), ...containersOf(ctx, d).filter(({ cs }) => cs.state?.running && cs.ready === false)];
      const notFound = grep(textOf(ctx, d), EXEC_NOT_FOUND, 2);
      // A binary that starts and serves on the same port but is the wrong server fails requests instead.
      const names = [d.metadata.name, ...serviceNamesOf(ctx, d)];
      const failsRequests = names.some((n) => ctx.walk.selfFailing.includes(n) || ctx.walk.failing.some((e) => e.callee === n));
      if (!failing.length && !notFound.length && !failsRequests) continue;
      const rev = revisionDiff(ctx.idx, d);
      const changed = touches(rev.changed, "command") || touches(rev.changed, "args");
      if (!changed && !notFound.length) continue;
      const name = failing[0]?.cs.name ?? containerOf(d)?.name;
      const cur = containerOf(d, name);
      const prev = containerOf(rev.previous, name);
      let confidence = changed ? 0.8 : 0.55;
      if (notFound.length) confidence += 0.1;
      if (changed && nearOnset(rev.createdAt, ctx.onset)) confidence += 0.03;
      if (deploymentOnPath(ctx, d)) confidence += 0.04;
      out.push(hypothesis({
        finding: "wrong-command",
        rootCause: deploymentRef(d),
        summary: `Deployment ${d.metadata.name} runs command ${JSON.stringify(cur?.command ?? [])}${changed ? `, changed from ${JSON.stringify(prev?.command ?? "(image default)")} in revision ${rev.currentRevision}` : ""}, and its pods fail`,
        confidence,
        evidence: [
          ...(changed ? [{ source: "history" as const, entity: deploymentRef(d), fact: `revision ${rev.currentRevision} changed container ${name} command ${JSON.stringify(prev?.command ?? null)} → ${JSON.stringify(cur?.command ?? null)}${rev.createdAt ? `, ${relativeToOnset(rev.createdAt, ctx.onset)}` : ""}` }] : []),
          ...(failsRequests && !failing.length ? [{ source: "metric" as const, entity: deploymentRef(d), fact: `its pods run and are Ready, but requests to ${names.find((n) => ctx.walk.selfFailing.includes(n) || ctx.walk.failing.some((e) => e.callee === n))} fail` }] : []),
          ...failing.slice(0, 2).map(({ pod, cs }) => ({ source: "pod-status" as const, entity: { kind: "Pod", namespace: ctx.namespace, name: pod.metadata.name }, fact: `pod ${pod.metadata.name} container ${cs.name}: ${cs.state?.waiting?.reason ?? (cs.ready === false ? "running, not Ready" : "running")}, ${cs.restartCount ?? 0} restart(s)` })),
          ...notFound.map((l) => logEvidence(d, l)),
        ],
        facts: {
          deployment: d.metadata.name,
          container: name ?? null,
          rolloutPrecededOnset: changed && nearOnset(rev.createdAt, ctx.onset),
          command: JSON.stringify(cur?.command ?? null),
          lastGoodCommand: changed ? JSON.stringify(prev?.command ?? null) : null,
          lastGoodArgs: changed ? JSON.stringify(prev?.args ?? null) : null,
          previousRevision: rev.previousRevision ?? null,
        },
        remedies: changed ? ["rollout-undo", "restore-command"] : [],
      }));
    }
    return out;
  },
};
