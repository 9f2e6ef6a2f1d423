/**
 * endpoints-empty: a Service with a selector that used to have ready endpoints (or that callers
 * are calling) now has none: every caller's connection fails. Services that never had endpoints
 * and nobody calls are left alone (they may be unused on purpose).
 */
import { symptom, type Signal, type Symptom } from "../signal.ts";

export const endpointsEmpty: Signal = {
  name: "endpoints-empty",
  detect(ctx) {
    const out: Symptom[] = [];
    for (const svc of ctx.obs.services) {
      const ns = svc.metadata.namespace ?? "";
      const name = svc.metadata.name;
      if (!svc.spec?.selector || !Object.keys(svc.spec.selector).length || svc.spec?.type === "ExternalName") continue;
      const { ready, notReady } = ctx.idx.endpointCounts(ns, name);
      if (ready > 0) continue;
      const called = ctx.idx.edgesInto(ns, name).some((e) => e.rate > 0);
      if (!ctx.history.everHadEndpoints(ns, name) && !called) continue;
      out.push(symptom({
        signal: this.name, namespace: ns, entity: name, class: "status", severity: "critical",
        text: `Service ${name} has no ready endpoints`,
        evidence: [{ source: "endpoints", entity: { kind: "Service", namespace: ns, name }, fact: `Endpoints ${name}: 0 ready addresses${notReady ? `, ${notReady} not ready` : ""}; selector ${JSON.stringify(svc.spec.selector)}` }],
      }));
    }
    return out;
  },
};
