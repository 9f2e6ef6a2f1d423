/**
 * service-errors: a service answers more errors than its objective allows, over the metric
 * source's rate window, with enough traffic to judge. A metric symptom: it must outlast a traffic
 * spike and a rate window before it counts.
 */
import { symptom, type Signal, type Symptom } from "../signal.ts";

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export const serviceErrors: Signal = {
  name: "service-errors",
  detect(ctx) {
    const out: Symptom[] = [];
    const s = ctx.settings;
    for (const [ns, services] of Object.entries(ctx.obs.stats)) {
      for (const [svc, st] of Object.entries(services)) {
        if (st.requestRate < s.minRequestRate || st.errorRatio <= s.maxErrorRatio) continue;
        out.push(symptom({
          signal: this.name, namespace: ns, entity: svc, class: "metric", severity: st.errorRatio >= 0.5 ? "critical" : "warning",
          text: `service ${svc}: ${pct(st.errorRatio)} of requests fail`,
          evidence: [{ source: "metric", entity: { kind: "Service", namespace: ns, name: svc }, fact: `service ${svc}: ${st.requestRate.toFixed(2)} req/s, error ratio ${pct(st.errorRatio)} > ${pct(s.maxErrorRatio)}` }],
        }));
      }
    }
    return out;
  },
};
