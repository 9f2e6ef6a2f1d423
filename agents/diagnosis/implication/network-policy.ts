/**
 * NetworkPolicies whose podSelector selects a symptom workload or one it calls or is called by —
 * ingress to the callee and egress from the caller both cut a call. Deleted and newly created ones
 * the flight recorder remembers count too.
 */
import { matchesSelector } from "../../../src/kube/selectors.ts";
import { explainScore, knownNames, objectOf, podLabels, ref, type Analyzer, type Implicated } from "./analyzer.ts";

const SPECIFIC = ["call-errors"];
const GENERIC = ["service-slo", "Unhealthy", "CrashLoopBackOff", "endpoints-ready"];

export const networkPolicyAnalyzer: Analyzer = {
  kind: "NetworkPolicy",
  analyze(ctx) {
    const out: Implicated[] = [];
    for (const name of knownNames(ctx, "NetworkPolicy", ctx.obs.networkPolicies)) {
      const np = objectOf(ctx, "NetworkPolicy", name, ctx.obs.networkPolicies);
      if (!np) continue;
      for (const w of ctx.workloads) {
        if (!matchesSelector(np.spec?.podSelector ?? {}, podLabels(w.deployment))) continue;
        out.push({ ref: ref("NetworkPolicy", ctx.namespace, name), distance: w.distance, explains: explainScore(w, SPECIFIC, GENERIC), workload: w.deployment.metadata.name, evidence: [{ source: "spec", entity: ref("NetworkPolicy", ctx.namespace, name), fact: `NetworkPolicy ${name} selects ${w.deployment.metadata.name}'s pods (policyTypes ${JSON.stringify(np.spec?.policyTypes ?? ["Ingress"])})` }] });
      }
    }
    return out;
  },
};
