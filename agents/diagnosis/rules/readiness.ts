/**
 * readiness: a Deployment's pods run but never become Ready because the readiness probe checks a
 * port the container does not declare, or the latest revision changed the probe (a path or port
 * it does not answer). "Readiness probe failed" events back it up. The probe to restore is the
 * previous revision's, else the same probe aimed at the declared port.
 */
import type { Hypothesis } from "../../../src/incident/types.ts";
import { declaredPorts } from "../../observe/lookups.ts";
import { containerOf, nearOnset, relativeToOnset, revisionDiff, touches } from "../revisions.ts";
import { hypothesis, deploymentRef, type Remedy, type Rule } from "../rule.ts";
import { containersOf, deploymentOnPath, deploymentsIn, eventEvidence, podEvents } from "./util.ts";

export const readinessRule: Rule = {
  name: "readiness",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    for (const d of deploymentsIn(ctx)) {
      const unready = containersOf(ctx, d).filter(({ cs }) => cs.state?.running && cs.ready === false);
      if (!unready.length) continue;
      const { pod, cs } = unready[0];
      const c = containerOf(d, cs.name);
      const probe = c?.readinessProbe;
      if (!probe) continue;
      const handler = probe.tcpSocket ?? probe.httpGet ?? probe.grpc;
      const declared = declaredPorts(d).filter((p) => p.container === cs.name);
      const probePort = handler?.port;
      const resolved = typeof probePort === "number" || /^\d+$/.test(String(probePort)) ? Number(probePort) : declared.find((p) => p.name === probePort)?.port;
      const undeclared = declared.length > 0 && (resolved === undefined || !declared.some((p) => p.port === resolved));
      const rev = revisionDiff(ctx.idx, d);
      const changed = touches(rev.changed, "readinessProbe");
      if (!undeclared && !changed) continue;
      const unhealthy = podEvents(ctx, pod, "Unhealthy").slice(-2);
      let confidence = undeclared ? 0.85 : 0.7;
      if (changed) confidence += 0.05;
      if (unhealthy.length) confidence += 0.03;
      if (changed && nearOnset(rev.createdAt, ctx.onset)) confidence += 0.02;
      if (deploymentOnPath(ctx, d)) confidence += 0.02;
      const prevProbe = containerOf(rev.previous, cs.name)?.readinessProbe;
      const servedPort = declared[0]?.port;
      const remedies: Remedy[] = changed ? ["rollout-undo", "restore-probe"] : ["restore-probe"];
      out.push(hypothesis({
        finding: "readiness-probe-mismatch",
        rootCause: deploymentRef(d),
        summary: `Deployment ${d.metadata.name}'s readiness probe checks ${probe.httpGet ? `${probe.httpGet.path ?? "/"} on ` : ""}port ${probePort}${undeclared ? `, which container ${cs.name} does not serve (it serves ${declared.map((p) => p.port).join(", ")})` : ""}: pods never become Ready`,
        confidence,
        evidence: [
          { source: "spec", entity: deploymentRef(d), fact: `container ${cs.name} readinessProbe ${JSON.stringify(probe)}; declared ports ${declared.map((p) => p.port).join(", ") || "none"}` },
          { source: "pod-status", entity: { kind: "Pod", namespace: ctx.namespace, name: pod.metadata.name }, fact: `pod ${pod.metadata.name} container ${cs.name} running since ${cs.state.running.startedAt}, not Ready` },
          ...unhealthy.map(eventEvidence),
          ...(changed ? [{ source: "history" as const, entity: deploymentRef(d), fact: `revision ${rev.currentRevision} changed the readiness probe${rev.createdAt ? `, ${relativeToOnset(rev.createdAt, ctx.onset)}` : ""}` }] : []),
        ],
        facts: {
          deployment: d.metadata.name, container: cs.name, rolloutPrecededOnset: changed && nearOnset(rev.createdAt, ctx.onset), probePort: String(probePort ?? ""), servedPort: servedPort ?? null,
          lastGoodProbe: prevProbe && changed ? JSON.stringify(prevProbe) : null, previousRevision: rev.previousRevision ?? null,
        },
        remedies,
      }));
    }
    return out;
  },
};
