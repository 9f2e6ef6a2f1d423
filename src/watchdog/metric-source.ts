/**
 * Which metrics the watchdog reads: `--prometheus URL` (PromQL over the Prometheus HTTP API),
 * `--metrics-url URL` (a direct scrape of one /metrics endpoint), or — with neither — the cluster
 * server's own `/metrics` when it serves service-level series (the sandbox does; a real API server's
 * /metrics has none and needs credentials), probed once at start for the metrics the telemetry
 * queries read. None found: health and detection work from the cluster's objects alone, and the SLO
 * check is skipped. Every source runs the same telemetry queries (`--telemetry`).
 */
import type { Clock } from "../base/clock.ts";
import { PrometheusSource } from "../telemetry/prometheus-source.ts";
import { ScrapeSource } from "../telemetry/scrape-source.ts";
import type { MetricSource } from "../telemetry/metric-source.ts";
import { defaultTelemetryQueries } from "../telemetry/presets/index.ts";
import { queriedMetricNames } from "../telemetry/promql/metric-names.ts";
import type { TelemetryQueries } from "../telemetry/queries.ts";

export type MetricChoice = { source?: MetricSource; description: string };

export async function chooseMetricSource(opts: { prometheus?: string; metricsUrl?: string; server: string; clock: Clock; queries?: TelemetryQueries }): Promise<MetricChoice> {
  const queries = opts.queries ?? defaultTelemetryQueries();
  const q = `, telemetry ${queries.name}`;
  if (opts.prometheus) return { source: new PrometheusSource({ url: opts.prometheus, queries }), description: `prometheus ${opts.prometheus}${q}` };
  if (opts.metricsUrl) return { source: new ScrapeSource({ url: opts.metricsUrl, clock: opts.clock, queries }), description: `scrape ${opts.metricsUrl}${q}` };
  const url = `${opts.server.replace(/\/+$/, "")}/metrics`;
  if (/^https?:\/\//.test(opts.server) && (await servesServiceMetrics(url, queriedMetricNames(queries)))) {
    return { source: new ScrapeSource({ url, clock: opts.clock, queries }), description: `scrape ${url} (the cluster's own /metrics)${q}` };
  }
  return { description: "none (no --prometheus or --metrics-url, and the cluster serves no service metrics): SLO checks are skipped" };
}

async function servesServiceMetrics(url: string, names: string[]): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000), headers: { accept: "text/plain" } });
    if (!res.ok) return false;
    const text = await res.text();
    return names.some((n) => text.includes(`${n}{`) || text.includes(`# TYPE ${n} `));
  } catch {
    return false;
  }
}
