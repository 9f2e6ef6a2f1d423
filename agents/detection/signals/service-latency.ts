/**
 * service-latency: a service's p99 latency is above its objective, or well above what the
 * detector learned is usual for it (a factor and an absolute margin, so a fast service's jitter
 * is not an anomaly). A metric symptom, held like service-errors.
 */
import { symptom, type Signal, type Symptom } from "../signal.ts";

export const serviceLatency: Signal = {
  name: "service-latency",
  detect(ctx) {
    const out: Symptom[] = [];
    const s = ctx.settings;
    for (const [ns, services] of Object.entries(ctx.obs.stats)) {
      for (const [svc, st] of Object.entries(services)) {
        if (st.requestRate < s.minRequestRate || st.p99Seconds === null) continue;
        const usual = ctx.history.usualLatency(ns, svc);
        const overSlo = st.p99Seconds > s.maxP99Seconds;
        const anomaly = usual !== undefined && st.p99Seconds > usual * s.latencyFactor && st.p99Seconds > usual + s.latencyMinDeltaSeconds;
        if (!overSlo && !anomaly) continue;
        out.push(symptom({
          signal: this.name, namespace: ns, entity: svc, class: "metric", severity: overSlo ? "critical" : "warning",
          text: `service ${svc}: p99 latency ${st.p99Seconds.toFixed(3)}s${usual !== undefined ? ` (usually ${usual.toFixed(3)}s)` : ""}`,
          evidence: [{ source: "metric", entity: { kind: "Service", namespace: ns, name: svc }, fact: `service ${svc}: p99 ${st.p99Seconds.toFixed(3)}s${overSlo ? ` > SLO ${s.maxP99Seconds}s` : ""}${usual !== undefined ? `; learned usual p99 ${usual.toFixed(3)}s` : ""}` }],
        }));
      }
    }
    return out;
  },
};
