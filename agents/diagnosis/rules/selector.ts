/**
 * selector: a Service whose selector matches no pod, while a Deployment's pods would have matched
 * what it selected before — its Endpoints are empty and every caller fails. The selector to
 * restore is the one the tracker saw before the onset, else the part of the current selector the
 * Deployment's pod labels satisfy (the Deployment of the same name, or the one matching most of it).
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import { matchesMap } from "../../../src/kube/selectors.ts";
import { formatMap, nsOf } from "../../observe/index.ts";
import type { Hypothesis } from "../../../src/incident/types.ts";
import { hypothesis, serviceRef, type Rule } from "../rule.ts";
import { changesNearOnset, deploymentsIn, onPath, servicesIn } from "./util.ts";

export const selectorRule: Rule = {
  name: "selector",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    for (const svc of servicesIn(ctx)) {
      const selector = svc.spec?.selector as Record<string, string> | undefined;
      if (!selector || !Object.keys(selector).length || ctx.idx.podsSelectedBy(svc).length) continue;
      const name = svc.metadata.name;
      const deployments = deploymentsIn(ctx);
      // Pods missing because their Deployment is scaled down or failing is not a selector problem.
      if (deployments.some((d) => matchesMap(selector, d.spec?.template?.metadata?.labels))) continue;
      const before = ctx.tracker?.priorVersion("Service", ctx.namespace, name, ctx.onset)?.spec?.selector as Record<string, string> | undefined;
      const found = candidate(deployments, name, selector, before);
      const changed = changesNearOnset(ctx, "Service", name);
      const ep = ctx.idx.endpointCounts(ctx.namespace, name);
      let confidence = found ? 0.85 : 0.5;
      if (onPath(ctx, name)) confidence += 0.07;
      if (changed.changes.length) confidence += 0.05;
      out.push(hypothesis({
        finding: "service-selector-mismatch",
        rootCause: serviceRef(svc),
        summary: `Service ${name} selects ${formatMap(selector)}, which no pod carries${found ? `; Deployment ${found.deployment.metadata.name}'s pods carry ${formatMap(found.selector)}` : ""}`,
        confidence,
        evidence: [
          { source: "spec", entity: serviceRef(svc), fact: `Service ${name} selector ${formatMap(selector)} matches 0 pods` },
          { source: "endpoints", entity: serviceRef(svc), fact: `Endpoints ${name}: ${ep.ready} ready, ${ep.notReady} not ready` },
          ...(found ? [{ source: "spec" as const, entity: { kind: "Deployment", namespace: nsOf(found.deployment), name: found.deployment.metadata.name }, fact: `Deployment ${found.deployment.metadata.name} pod labels ${formatMap(found.deployment.spec?.template?.metadata?.labels)}` }] : []),
          ...(before ? [{ source: "history" as const, entity: serviceRef(svc), fact: `before the onset Service ${name} selected ${formatMap(before)}` }] : []),
          ...changed.evidence,
        ],
        facts: { service: name, ...(found ? { deployment: found.deployment.metadata.name, selector: JSON.stringify(found.selector), selectorLabels: JSON.stringify(found.selector) } : {}), currentSelector: JSON.stringify(selector) },
        remedies: found ? ["restore-selector"] : [],
      }));
    }
    return out;
  },
};

function candidate(deployments: KubeObject[], name: string, selector: Record<string, string>, before?: Record<string, string>): { deployment: KubeObject; selector: Record<string, string> } | undefined {
  const labelsOf = (d: KubeObject) => (d.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
  if (before && Object.keys(before).length) {
    const d = deployments.find((x) => matchesMap(before, labelsOf(x)));
    if (d) return { deployment: d, selector: before };
  }
  const overlap = (d: KubeObject) => Object.entries(selector).filter(([k, v]) => labelsOf(d)[k] === v).length;
  const same = deployments.find((d) => d.metadata.name === name && overlap(d) > 0);
  const best = same ?? [...deployments].filter((d) => overlap(d) > 0).sort((a, b) => overlap(b) - overlap(a))[0];
  if (!best) return undefined;
  const kept = Object.fromEntries(Object.entries(selector).filter(([k, v]) => labelsOf(best)[k] === v));
  return { deployment: best, selector: Object.keys(kept).length ? kept : { ...(best.spec?.selector?.matchLabels ?? labelsOf(best)) } };
}
