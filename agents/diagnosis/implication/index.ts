/**
 * Implication: from the symptoms to the objects Kubernetes links to them, by running every
 * analyzer (one per object kind, registered in ANALYZERS) over the symptom workloads. An analyzer
 * that throws is named in `errors` and the others still count. The same object found through
 * several links keeps its closest distance and all its evidence.
 */
import type { Analyzer, Implicated, ImplicationContext } from "./analyzer.ts";
import { configMapAnalyzer } from "./config-map.ts";
import { deploymentAnalyzer } from "./deployment.ts";
import { hpaAnalyzer } from "./hpa.ts";
import { limitRangeAnalyzer } from "./limit-range.ts";
import { networkPolicyAnalyzer } from "./network-policy.ts";
import { nodeAnalyzer } from "./node.ts";
import { pvcAnalyzer } from "./pvc.ts";
import { resourceQuotaAnalyzer } from "./resource-quota.ts";
import { secretAnalyzer } from "./secret.ts";
import { serviceAccountAnalyzer } from "./service-account.ts";
import { serviceAnalyzer } from "./service.ts";

export const ANALYZERS: readonly Analyzer[] = [
  deploymentAnalyzer, configMapAnalyzer, secretAnalyzer, pvcAnalyzer, serviceAccountAnalyzer, serviceAnalyzer,
  networkPolicyAnalyzer, nodeAnalyzer, resourceQuotaAnalyzer, limitRangeAnalyzer, hpaAnalyzer,
];

export function implicate(ctx: ImplicationContext, analyzers: readonly Analyzer[] = ANALYZERS): { implicated: Implicated[]; errors: string[] } {
  const byRef = new Map<string, Implicated>();
  const errors: string[] = [];
  for (const a of analyzers) {
    let found: Implicated[];
    try {
      found = a.analyze(ctx);
    } catch (e) {
      errors.push(`analyzer ${a.kind} failed: ${(e as Error).message}`);
      continue;
    }
    for (const i of found) {
      const k = `${i.ref.kind}/${i.ref.namespace ?? ""}/${i.ref.name}`;
      const prev = byRef.get(k);
      if (!prev) byRef.set(k, { ...i, evidence: [...i.evidence] });
      else {
        if (i.distance < prev.distance) Object.assign(prev, { distance: i.distance, workload: i.workload });
        prev.explains = Math.max(prev.explains, i.explains);
        for (const e of i.evidence) if (!prev.evidence.some((p) => p.fact === e.fact)) prev.evidence.push(e);
      }
    }
  }
  return { implicated: [...byRef.values()], errors };
}

export { symptomWorkloads } from "./workloads.ts";
export type { Analyzer, Implicated, ImplicationContext, SymptomWorkload } from "./analyzer.ts";
