/**
 * alerts: alerts firing in the metric source or pushed through the alert intake, scoped to the
 * in-scope namespaces by their `namespace` label (an alert without one belongs to the first). An
 * alert has already held for its own `for:` window, so one observation is enough.
 */
import { symptom, type Signal, type Symptom } from "../signal.ts";

export const firingAlerts: Signal = {
  name: "alerts",
  detect(ctx) {
    const out: Symptom[] = [];
    for (const a of ctx.obs.alerts) {
      if (a.state !== "firing") continue;
      const ns = a.labels.namespace ?? ctx.obs.namespaces[0];
      if (!ctx.obs.namespaces.includes(ns)) continue;
      const entity = a.labels.service ?? a.labels.deployment ?? a.labels.pod ?? a.name;
      out.push(symptom({
        signal: this.name, namespace: ns, entity, class: "status", severity: a.labels.severity === "critical" ? "critical" : "warning",
        text: `alert ${a.name} firing${a.annotations.summary ? `: ${a.annotations.summary}` : ""}`,
        evidence: [{ source: "alert", entity: { kind: "Service", namespace: ns, name: entity }, fact: `alert ${a.name} (${a.source}) firing${a.activeAt ? ` since ${a.activeAt}` : ""}: ${a.annotations.description ?? a.annotations.summary ?? JSON.stringify(a.labels)}`.slice(0, 2000) }],
        since: Date.parse(a.activeAt ?? "") || undefined,
        holdMs: 0,
        minObservations: 1,
      }));
    }
    return out;
  },
};
