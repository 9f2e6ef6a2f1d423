/**
 * network-policy: a NetworkPolicy isolates a Service's pods for ingress and admits none of the
 * callers the metrics show calling it (or, with no call data, no pod of the namespace) — their
 * connections time out. Reported against the Service whose pods it isolates; the fix deletes the
 * policy (one created near the onset is all the more likely the cause).
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import { matchesSelector, type LabelSelector } from "../../../src/kube/selectors.ts";
import { nsOf } from "../../observe/index.ts";
import type { Hypothesis } from "../../../src/incident/types.ts";
import { hypothesis, serviceRef, type Rule } from "../rule.ts";
import { changesNearOnset, onPath, servicesIn } from "./util.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export const networkPolicyRule: Rule = {
  name: "network-policy",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    const policies = ctx.obs.networkPolicies.filter((np) => nsOf(np) === ctx.namespace && isIngress(np));
    if (!policies.length) return out;
    for (const svc of servicesIn(ctx)) {
      const name = svc.metadata.name;
      const pods = ctx.idx.podsSelectedBy(svc);
      const labels = (pods[0]?.metadata.labels ?? ctx.idx.deploymentForService(ctx.namespace, name)?.spec?.template?.metadata?.labels ?? svc.spec?.selector) as Record<string, string> | undefined;
      if (!labels) continue;
      const isolating = policies.filter((np) => matchesSelector(np.spec?.podSelector ?? {}, labels));
      if (!isolating.length) continue;
      const callerNames = [...new Set(ctx.idx.edgesInto(ctx.namespace, name).map((e) => e.service))];
      const callers = callerNames.length
        ? callerNames.map((c) => ({ name: c, labels: callerLabels(ctx.idx.deploymentForService(ctx.namespace, c)) }))
        : ctx.obs.pods.filter((p) => nsOf(p) === ctx.namespace).slice(0, 1).map((p) => ({ name: p.metadata.name, labels: p.metadata.labels ?? {} }));
      if (!callers.length) continue;
      const ports = new Set<unknown>((svc.spec?.ports ?? []).flatMap((sp: Any) => [sp.targetPort ?? sp.port, sp.port, sp.name]));
      const blocked = callers.filter((c) => !isolating.some((np) => (np.spec?.ingress ?? []).some((rule: Any) => admits(rule, ctx.namespace, c.labels, ports))));
      if (!blocked.length) continue;
      const failingInto = ctx.walk.failing.filter((e) => e.callee === name);
      for (const np of isolating) {
        const changed = changesNearOnset(ctx, "NetworkPolicy", np.metadata.name);
        let confidence = 0.7;
        if (failingInto.length) confidence += 0.12;
        if (changed.changes.length) confidence += 0.08;
        if (onPath(ctx, name)) confidence += 0.03;
        out.push(hypothesis({
          finding: "network-policy-blocks",
          rootCause: serviceRef(svc),
          summary: `NetworkPolicy ${np.metadata.name} isolates Service ${name}'s pods and admits none of ${blocked.map((b) => b.name).join(", ")}: their connections time out`,
          confidence,
          evidence: [
            { source: "spec", entity: { kind: "NetworkPolicy", namespace: ctx.namespace, name: np.metadata.name }, fact: `NetworkPolicy ${np.metadata.name}: podSelector ${JSON.stringify(np.spec?.podSelector ?? {})}, policyTypes ${JSON.stringify(np.spec?.policyTypes ?? ["Ingress"])}, ${(np.spec?.ingress ?? []).length} ingress rule(s)` },
            ...failingInto.map((e) => ({ source: "metric" as const, entity: serviceRef(svc), fact: `${e.service} → ${name}: ${(e.errorRatio * 100).toFixed(0)}% of calls fail` })),
            ...changed.evidence,
          ],
          facts: { service: name, networkPolicy: np.metadata.name, blockedCallers: blocked.map((b) => b.name).join(",") },
          remedies: ["delete-network-policy"],
        }));
      }
    }
    return out;
  },
};

const isIngress = (np: KubeObject) => {
  const types: string[] | undefined = np.spec?.policyTypes;
  return types ? types.includes("Ingress") : true;
};

const callerLabels = (d: KubeObject | undefined): Record<string, string> => (d?.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;

/** Whether an ingress rule admits a pod with `labels` from `namespace` on one of `ports`. */
function admits(rule: Any, namespace: string, labels: Record<string, string>, ports: Set<unknown>): boolean {
  const portOk = !rule.ports?.length || rule.ports.some((p: Any) => p.port === undefined || ports.has(p.port));
  if (!portOk) return false;
  const from: Any[] | undefined = rule.from;
  if (!from?.length) return true;
  return from.some((peer) => {
    if (peer.ipBlock) return false;
    const nsOk = !peer.namespaceSelector || matchesSelector(peer.namespaceSelector as LabelSelector, { "kubernetes.io/metadata.name": namespace });
    const podOk = !peer.podSelector || matchesSelector(peer.podSelector as LabelSelector, labels);
    return nsOk && podOk && !!(peer.namespaceSelector || peer.podSelector);
  });
}
