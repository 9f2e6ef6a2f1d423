/**
 * The baseline a mitigation is judged against includes what the incident showed. Detection
 * confirmed the incident's failing checks over its hold window (30–60 s of observations); the
 * transaction's own H0 is a few samples over a few seconds, and a symptom near its threshold (a p99
 * around its SLO) can pass in them by chance. Then no fix could "strictly improve", and the
 * rollback's H2 would look worse than H0. So each of the incident's checks that H0 happened to see
 * passing is counted as failing in H0, with its weight — the incident's own failures, as confirmed.
 * Checks H0 did not measure at all are left out: there is nothing to compare them with.
 */
import type { HealthReport } from "../telemetry/health-check.ts";

export function withIncidentFailures(h0: HealthReport, incidentChecks: readonly string[] | undefined): HealthReport {
  if (!incidentChecks?.length) return h0;
  const wanted = new Set(incidentChecks);
  const failing = new Set(h0.failing);
  let added = 0;
  const results = h0.results.map((r) => {
    const key = `${r.check}:${r.entity}`;
    if (!wanted.has(key) || r.status !== "pass") return r;
    failing.add(key);
    added += h0.weights[r.check] ?? 1;
    return { ...r, status: "fail" as const, evidence: [...r.evidence, "counted as failing: the incident was opened on it (confirmed by detection over its hold window)"] };
  });
  if (!added) return h0;
  return { ...h0, results, failing: [...failing], severity: h0.severity + added };
}
