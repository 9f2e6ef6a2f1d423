/** The ServiceAccount a symptom workload's pods run as (pods cannot be created without it). */
import { explainScore, ref, type Analyzer } from "./analyzer.ts";

export const serviceAccountAnalyzer: Analyzer = {
  kind: "ServiceAccount",
  analyze: (ctx) =>
    ctx.workloads.map((w) => {
      const name = String(w.deployment.spec?.template?.spec?.serviceAccountName ?? w.deployment.spec?.template?.spec?.serviceAccount ?? "default");
      return {
        ref: ref("ServiceAccount", ctx.namespace, name),
        distance: w.distance,
        explains: explainScore(w, ["FailedCreate"]),
        workload: w.deployment.metadata.name,
        evidence: [{ source: "spec" as const, entity: ref("ServiceAccount", ctx.namespace, name), fact: `Deployment ${w.deployment.metadata.name}'s pods run as ServiceAccount ${name}` }],
      };
    }),
};
