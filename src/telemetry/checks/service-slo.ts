/**
 * service-slo: each service's error ratio and p99 latency, read from the MetricSource, are within
 * its SLO (defaults.ts, with per-service overrides from config). Skipped — neither pass nor fail —
 * when no metric source is configured or a service had no traffic in the window: silence is not
 * evidence of health, nor of harm.
 */
import { DEFAULT_CHECK_WEIGHTS, DEFAULT_CRITICAL_ERROR_RATIO } from "../defaults.ts";
import { sloFor } from "../config.ts";
import { result, type CheckResult, type HealthCheck } from "../health-check.ts";

const NAME = "service-slo";

export const serviceSlo: HealthCheck = {
  name: NAME,
  weight: DEFAULT_CHECK_WEIGHTS[NAME],
  source: "metric",
  async evaluate(ctx) {
    const metrics = ctx.metrics;
    if (!metrics) return [result(NAME, "*", "skipped", null, ["no metric source configured: pass a Prometheus URL or a /metrics URL to judge SLOs"])];
    const perNs = await Promise.all(ctx.namespaces.map(async (ns) => [ns, await metrics.serviceStats(ns)] as const));
    const out: CheckResult[] = [];
    for (const [ns, stats] of perNs) {
      for (const [service, s] of [...stats].sort((a, b) => a[0].localeCompare(b[0]))) {
        const slo = sloFor(ctx.settings, ns, service);
        const value = { requestRate: round(s.requestRate), errorRatio: round(s.errorRatio), p99Seconds: s.p99Seconds === null ? null : round(s.p99Seconds) };
        const threshold = { maxErrorRatio: slo.maxErrorRatio, maxP99Seconds: slo.maxP99Seconds };
        const entity = `${ns}/${service}`;
        const subject = { kind: "Service", namespace: ns, name: service };
        if (!(s.requestRate > ctx.settings.minRequestRate)) {
          out.push(result(NAME, entity, "skipped", value, [`service ${entity} had no traffic in the window (${metrics.name})`], threshold, { subject }));
          continue;
        }
        const breaches: string[] = [];
        if (s.errorRatio > slo.maxErrorRatio) breaches.push(`error ratio ${pct(s.errorRatio)} > SLO ${pct(slo.maxErrorRatio)}`);
        if (s.p99Seconds !== null && s.p99Seconds > slo.maxP99Seconds) breaches.push(`p99 latency ${s.p99Seconds.toFixed(3)}s > SLO ${slo.maxP99Seconds}s`);
        const summary = `service ${entity}: ${s.requestRate.toFixed(2)} req/s, ${pct(s.errorRatio)} errors, p99 ${s.p99Seconds === null ? "n/a" : `${s.p99Seconds.toFixed(3)}s`} (${metrics.name})`;
        const critical = s.errorRatio >= DEFAULT_CRITICAL_ERROR_RATIO || (s.p99Seconds !== null && s.p99Seconds > slo.maxP99Seconds);
        out.push(result(NAME, entity, breaches.length ? "fail" : "pass", value, [summary, ...breaches], threshold, { subject, critical }));
      }
    }
    if (!out.length) out.push(result(NAME, "*", "skipped", null, [`no service metrics for namespaces ${ctx.namespaces.join(", ")} from ${metrics.name}`]));
    return out;
  },
};

const round = (v: number) => Math.round(v * 1e6) / 1e6;
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
