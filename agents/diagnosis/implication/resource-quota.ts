/** ResourceQuotas of the namespace, when a symptom workload's pods cannot be created (FailedCreate). */
import { hasAny, knownNames, ref, type Analyzer } from "./analyzer.ts";

export const resourceQuotaAnalyzer: Analyzer = {
  kind: "ResourceQuota",
  analyze(ctx) {
    const hit = ctx.workloads.filter((w) => hasAny(w, ["FailedCreate", "deployments-available"]));
    if (!hit.length) return [];
    return knownNames(ctx, "ResourceQuota", ctx.obs.resourceQuotas).map((name) => ({
      ref: ref("ResourceQuota", ctx.namespace, name),
      distance: 1 + Math.min(...hit.map((w) => w.distance)),
      explains: hit.some((w) => w.reasons.has("FailedCreate")) ? 1 : 0.25,
      workload: hit[0].deployment.metadata.name,
      evidence: [{ source: "spec" as const, entity: ref("ResourceQuota", ctx.namespace, name), fact: `ResourceQuota ${name} bounds what ${hit.map((w) => w.deployment.metadata.name).join(", ")} may create` }],
    }));
  },
};
