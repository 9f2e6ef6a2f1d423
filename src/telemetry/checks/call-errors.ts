/**
 * call-errors: calls into each service, as its callers counted them (the MetricSource's call
 * edges, i.e. the configured `edgeRate` / `edgeErrorRatio` queries), fail no more often than the callee's error SLO allows. Reported
 * under the callee, so a callee whose own counters look fine (it never answered: refused
 * connections, dropped packets) or a caller that hides failures behind a fallback still leaves a
 * failing result. Edges with too little traffic are not judged; skipped without a metric source.
 */
import { DEFAULT_CHECK_WEIGHTS, DEFAULT_CRITICAL_ERROR_RATIO } from "../defaults.ts";
import { sloFor } from "../config.ts";
import { result, type CheckResult, type HealthCheck } from "../health-check.ts";
import type { CallEdge } from "../metric-source.ts";

const NAME = "call-errors";

export const callErrors: HealthCheck = {
  name: NAME,
  weight: DEFAULT_CHECK_WEIGHTS[NAME],
  source: "metric",
  async evaluate(ctx) {
    const metrics = ctx.metrics;
    if (!metrics) return [result(NAME, "*", "skipped", null, ["no metric source configured: pass a Prometheus URL or a /metrics URL to judge calls"])];
    const perNs = await Promise.all(ctx.namespaces.map(async (ns) => [ns, await metrics.callEdges(ns)] as const));
    const out: CheckResult[] = [];
    for (const [ns, edges] of perNs) {
      const byCallee = new Map<string, CallEdge[]>();
      for (const e of edges) byCallee.set(e.callee, [...(byCallee.get(e.callee) ?? []), e]);
      for (const [callee, into] of [...byCallee].sort((a, b) => a[0].localeCompare(b[0]))) {
        const entity = `${ns}/${callee}`;
        const subject = { kind: "Service", namespace: ns, name: callee };
        const max = sloFor(ctx.settings, ns, callee).maxErrorRatio;
        const judged = into.filter((e) => e.rate > ctx.settings.minRequestRate).sort((a, b) => a.service.localeCompare(b.service));
        if (!judged.length) {
          out.push(result(NAME, entity, "skipped", null, [`calls into ${entity} had too little traffic to judge (${metrics.name})`], max, { subject }));
          continue;
        }
        const failing = judged.filter((e) => e.errorRatio > max);
        const worst = Math.max(...judged.map((e) => e.errorRatio));
        const evidence = (failing.length ? failing : judged).map((e) => `${e.service} → ${callee}: ${e.rate.toFixed(2)} calls/s, ${pct(e.errorRatio)} fail${e.errorRatio > max ? ` > SLO ${pct(max)}` : ""} (${metrics.name})`);
        out.push(result(NAME, entity, failing.length ? "fail" : "pass", round(worst), evidence, max, { subject, critical: worst >= DEFAULT_CRITICAL_ERROR_RATIO }));
      }
    }
    if (!out.length) out.push(result(NAME, "*", "skipped", null, [`no call metrics for namespaces ${ctx.namespaces.join(", ")} from ${metrics.name}`]));
    return out;
  },
};

const round = (v: number) => Math.round(v * 1e6) / 1e6;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
