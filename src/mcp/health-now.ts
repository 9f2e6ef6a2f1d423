/**
 * Health now, and an incident made of it, for the tools that look at a namespace on demand
 * (cluster_health, diagnose, propose_plan). The checks are the registry verification and detection
 * use, with the same thresholds; one measurement, no hysteresis — the caller asked about *now*.
 * The incident is only a question for the diagnosis agent: it is not written anywhere and opens
 * nothing; the watchdog's own detection still decides what becomes an incident.
 */
import type { Evidence, Incident } from "../incident/types.ts";
import { resultKey } from "../telemetry/compare.ts";
import type { CheckResult, HealthReport } from "../telemetry/health-check.ts";
import { measureHealth } from "../telemetry/health.ts";
import type { McpDeps } from "./context.ts";

const MAX_EVIDENCE = 40;

export async function healthNow(deps: McpDeps, namespaces: string[]): Promise<HealthReport> {
  return measureHealth({
    cluster: deps.reader,
    namespaces,
    clock: deps.clock,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.alerts ? { alerts: deps.alerts() } : {}),
  });
}

/** The namespace a failing result belongs to (its subject's, else the entity's prefix). */
export const namespaceOf = (r: CheckResult): string | undefined => r.subject?.namespace ?? (r.entity.includes("/") ? r.entity.slice(0, r.entity.indexOf("/")) : undefined);

/** An incident naming what fails in `namespace` now; undefined when nothing does. */
export function incidentFromHealth(report: HealthReport, namespace: string, at: number): Incident | undefined {
  const failing = report.results.filter((r) => r.status === "fail" && namespaceOf(r) === namespace);
  if (!failing.length) return undefined;
  const keys = [...new Set(failing.map(resultKey))].sort();
  const evidence: Evidence[] = failing.flatMap((r) => {
    const entity = r.subject ? { kind: r.subject.kind, namespace: r.subject.namespace, name: r.subject.name } : undefined;
    return r.evidence.filter((l) => l.trim()).map((line) => ({ source: "health" as const, ...(entity ? { entity } : {}), fact: `${r.check}: ${line.trim()}`.slice(0, 2000) }));
  });
  const iso = new Date(at).toISOString();
  return {
    id: `mcp-${namespace}-${at.toString(36)}`,
    namespace,
    openedAt: iso,
    onsetAt: iso,
    severity: failing.some((r) => r.critical) ? "critical" : "warning",
    symptoms: failing.map((r) => `${resultKey(r)}: ${r.evidence[0] ?? "failing"}`.replace(/\s+/g, " ").slice(0, 500)),
    affected: [...new Set(failing.map((r) => r.subject?.name ?? r.entity.slice(r.entity.indexOf("/") + 1)))],
    evidence: evidence.slice(0, MAX_EVIDENCE),
    fingerprint: `${namespace}|${keys.join(",")}`,
    checks: keys,
  };
}
