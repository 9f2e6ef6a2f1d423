/** LimitRanges of the namespace: they refuse pods (FailedCreate) or cap their resources (OOMKilled). */
import { hasAny, knownNames, ref, type Analyzer } from "./analyzer.ts";

const EXPLAINS = ["FailedCreate", "OOMKilled"];

export const limitRangeAnalyzer: Analyzer = {
  kind: "LimitRange",
  analyze(ctx) {
    const hit = ctx.workloads.filter((w) => hasAny(w, [...EXPLAINS, "deployments-available"]));
    if (!hit.length) return [];
    return knownNames(ctx, "LimitRange", ctx.obs.limitRanges).map((name) => ({
      ref: ref("LimitRange", ctx.namespace, name),
      distance: 1 + Math.min(...hit.map((w) => w.distance)),
      explains: hit.some((w) => hasAny(w, EXPLAINS)) ? 1 : 0.25,
      workload: hit[0].deployment.metadata.name,
      evidence: [{ source: "spec" as const, entity: ref("LimitRange", ctx.namespace, name), fact: `LimitRange ${name} constrains the pods of ${hit.map((w) => w.deployment.metadata.name).join(", ")}` }],
    }));
  },
};
