/**
 * deployments-available: every in-scope Deployment has at least as many available replicas as it
 * wanted *before the incident* (ctx.baselineReplicas; spec.replicas when no baseline is known).
 * Judging against the pre-incident count is what keeps "scale the broken service to zero" or
 * "delete it" from passing as a fix: a Deployment in the baseline that no longer exists fails too.
 */
import { DEFAULT_CHECK_WEIGHTS } from "../defaults.ts";
import { nsName, subjectOf } from "../cluster-view.ts";
import { result, type CheckResult, type HealthCheck } from "../health-check.ts";

const NAME = "deployments-available";

export const deploymentsAvailable: HealthCheck = {
  name: NAME,
  weight: DEFAULT_CHECK_WEIGHTS[NAME],
  source: "pod-status",
  async evaluate(ctx) {
    const deployments = await ctx.view.deployments();
    const out: CheckResult[] = [];
    const seen = new Set<string>();
    for (const d of deployments) {
      const key = nsName(d);
      seen.add(key);
      const specReplicas: number = d.spec?.replicas ?? 1;
      const baseline = ctx.baselineReplicas?.get(key);
      const desired = baseline ?? specReplicas;
      const available: number = d.status?.availableReplicas ?? 0;
      const evidence = [
        `Deployment ${key}: ${available} available of ${desired} desired${baseline === undefined ? "" : ` (${baseline} before the incident)`}`,
        ...(baseline !== undefined && specReplicas < baseline ? [`spec.replicas is ${specReplicas}, below the ${baseline} it had before the incident`] : []),
        ...conditionEvidence(d.status?.conditions),
      ];
      out.push(result(NAME, key, available >= desired ? "pass" : "fail", available, evidence, desired, { subject: subjectOf("Deployment", d), critical: available === 0 }));
    }
    for (const [key, desired] of ctx.baselineReplicas ?? []) {
      const ns = key.slice(0, key.indexOf("/"));
      if (seen.has(key) || !ctx.namespaces.includes(ns) || desired <= 0) continue;
      out.push(result(NAME, key, "fail", 0, [`Deployment ${key} no longer exists; it had ${desired} replicas before the incident`], desired, { subject: { kind: "Deployment", namespace: ns, name: key.slice(ns.length + 1) }, critical: true }));
    }
    return out;
  },
};

/** Available / Progressing conditions that are not True say why (e.g. ProgressDeadlineExceeded). */
function conditionEvidence(conditions: unknown): string[] {
  if (!Array.isArray(conditions)) return [];
  return conditions
    .filter((c) => c && (c.type === "Available" || c.type === "Progressing" || c.type === "ReplicaFailure") && (c.status !== "True" || c.type === "ReplicaFailure"))
    .map((c) => `condition ${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ""}${c.message ? `: ${c.message}` : ""}`);
}
