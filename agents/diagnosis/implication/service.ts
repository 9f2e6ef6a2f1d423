/**
 * Services linked to a symptom workload: those whose selector matches its pods (deleted ones the
 * flight recorder remembers included), and those it dials — named in its environment, in the
 * ConfigMaps it reads, or on its outgoing edges of the call graph.
 */
import { matchesMap } from "../../../src/kube/selectors.ts";
import { explainScore, knownNames, objectOf, podLabels, ref, type Analyzer, type Implicated } from "./analyzer.ts";
import { dialledText, mentions } from "./workloads.ts";

const SPECIFIC = ["call-errors", "endpoints-ready", "service-ports"];
const GENERIC = ["service-slo", "CrashLoopBackOff", "Error"];

export const serviceAnalyzer: Analyzer = {
  kind: "Service",
  analyze(ctx) {
    const out: Implicated[] = [];
    const names = knownNames(ctx, "Service", ctx.obs.services);
    for (const w of ctx.workloads) {
      const dialled = dialledText(ctx.idx, ctx.namespace, w.deployment);
      for (const name of names) {
        const svc = objectOf(ctx, "Service", name, ctx.obs.services);
        const sel = svc?.spec?.selector as Record<string, string> | undefined;
        const selects = !!sel && Object.keys(sel).length > 0 && matchesMap(sel, podLabels(w.deployment));
        const called = ctx.idx.edgesOutOf(ctx.namespace, w.deployment.metadata.name).some((e) => e.callee === name);
        const named = mentions(dialled, name);
        if (!selects && !called && !named) continue;
        const why = selects ? `Service ${name} selects ${w.deployment.metadata.name}'s pods` : called ? `${w.deployment.metadata.name} calls ${name} (call graph)` : `${w.deployment.metadata.name} dials ${name} (environment or config)`;
        out.push({ ref: ref("Service", ctx.namespace, name), distance: w.distance + (selects ? 0 : 1), explains: explainScore(w, SPECIFIC, GENERIC), workload: w.deployment.metadata.name, evidence: [{ source: "spec", entity: ref("Service", ctx.namespace, name), fact: why }] });
      }
    }
    return out;
  },
};
