/** The HorizontalPodAutoscaler that scales a symptom workload (it sets its replica count). */
import { explainScore, knownNames, objectOf, ref, type Analyzer, type Implicated } from "./analyzer.ts";

export const hpaAnalyzer: Analyzer = {
  kind: "HorizontalPodAutoscaler",
  analyze(ctx) {
    const out: Implicated[] = [];
    for (const name of knownNames(ctx, "HorizontalPodAutoscaler", ctx.obs.hpas)) {
      const hpa = objectOf(ctx, "HorizontalPodAutoscaler", name, ctx.obs.hpas);
      const target = hpa?.spec?.scaleTargetRef;
      for (const w of ctx.workloads) {
        if (target?.kind !== "Deployment" || target?.name !== w.deployment.metadata.name) continue;
        out.push({ ref: ref("HorizontalPodAutoscaler", ctx.namespace, name), distance: w.distance, explains: explainScore(w, ["ScaledToZero"], ["deployments-available", "service-slo"]), workload: w.deployment.metadata.name, evidence: [{ source: "spec", entity: ref("HorizontalPodAutoscaler", ctx.namespace, name), fact: `HorizontalPodAutoscaler ${name} scales ${w.deployment.metadata.name}` }] });
      }
    }
    return out;
  },
};
