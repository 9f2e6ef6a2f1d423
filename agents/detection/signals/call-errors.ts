/**
 * call-errors: calls from one service to another fail more often than the objective allows, as the
 * caller counted them (`rpc_client_requests_total`). Reported under the callee, so a caller that
 * hides its callee's failures behind a fallback still leaves a trace.
 */
import { symptom, type Signal, type Symptom } from "../signal.ts";

export const callErrors: Signal = {
  name: "call-errors",
  detect(ctx) {
    const out: Symptom[] = [];
    const s = ctx.settings;
    for (const [ns, edges] of Object.entries(ctx.obs.edges)) {
      const byCallee = new Map<string, string[]>();
      for (const e of edges) {
        if (e.rate < s.minRequestRate || e.errorRatio <= s.maxErrorRatio) continue;
        const list = byCallee.get(e.callee) ?? [];
        list.push(`${e.service} → ${e.callee}: ${e.rate.toFixed(2)} calls/s, ${(e.errorRatio * 100).toFixed(1)}% fail`);
        byCallee.set(e.callee, list);
      }
      for (const [callee, facts] of byCallee) {
        out.push(symptom({
          signal: this.name, namespace: ns, entity: callee, class: "metric", severity: "warning",
          text: `calls to ${callee} fail`,
          evidence: facts.map((fact) => ({ source: "metric" as const, entity: { kind: "Service", namespace: ns, name: callee }, fact })),
        }));
      }
    }
    return out;
  },
};
