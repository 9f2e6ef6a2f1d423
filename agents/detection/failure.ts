/**
 * A failing health-check result as detection tracks it: its "check:entity" key (the same key the
 * HealthReport lists in `failing` and the transaction compares), the namespace it belongs to, what
 * it was read from (which sets how long it must hold), and how an incident quotes it — one symptom
 * line, the affected object's name, and its evidence lines as typed Evidence.
 */
import type { CheckResult, CheckSource, HealthCheck, HealthReport } from "../../src/telemetry/health-check.ts";
import { resultKey } from "../../src/telemetry/compare.ts";
import type { Evidence } from "../../src/incident/types.ts";

export type Failure = {
  /** "check:entity", as in HealthReport.failing. */
  key: string;
  check: string;
  namespace: string;
  source: CheckSource;
  result: CheckResult;
};

/** The failing results of a report, one Failure each, in the report's order; only in `namespaces`. */
export function failuresOf(report: HealthReport, checks: readonly HealthCheck[], namespaces: readonly string[]): Failure[] {
  const sourceOf = new Map(checks.map((c) => [c.name, c.source ?? "pod-status"]));
  const out: Failure[] = [];
  for (const r of report.results) {
    if (r.status !== "fail") continue;
    const namespace = r.subject?.namespace ?? (r.entity.includes("/") ? r.entity.slice(0, r.entity.indexOf("/")) : namespaces[0]);
    if (!namespace || !namespaces.includes(namespace)) continue;
    out.push({ key: resultKey(r), check: r.check, namespace, source: sourceOf.get(r.check) ?? "pod-status", result: r });
  }
  return out;
}

/** "check:namespace/name: first evidence line", the form `Incident.symptoms` takes. */
export const symptomLine = (f: Failure): string => `${f.key}: ${f.result.evidence[0] ?? "failing"}`.replace(/\s+/g, " ").slice(0, 500);

/** The name of the object the failure is about (a Deployment, a Service), for `Incident.affected`. */
export const affectedName = (f: Failure): string => f.result.subject?.name ?? f.result.entity.slice(f.result.entity.indexOf("/") + 1);

/** Each evidence line of the failure as typed Evidence about its subject. */
export function evidenceOf(f: Failure): Evidence[] {
  const s = f.result.subject;
  const entity = s ? { kind: s.kind, namespace: s.namespace, name: s.name } : undefined;
  return f.result.evidence.filter((line) => line.trim()).map((line) => ({ source: f.source, ...(entity ? { entity } : {}), fact: `${f.check}: ${line.trim()}`.slice(0, 2000) }));
}
