/**
 * Which metrics the watchdog reads: `--prometheus URL` (PromQL over the Prometheus HTTP API),
 * `--metrics-url URL` (a direct scrape of one /metrics endpoint), or — with neither — the cluster
 * server's own `/metrics` when it serves service-level series (the sandbox does; a real API server's
 * /metrics has none and needs credentials), probed once at start. None found: health and detection
 * work from the cluster's objects alone, and the SLO check is skipped.
 */
import type { Clock } from "../base/clock.ts";
import { PrometheusSource } from "../telemetry/prometheus-source.ts";
import { ScrapeSource } from "../telemetry/scrape-source.ts";
import type { MetricSource } from "../telemetry/metric-source.ts";
import { SERVICE_METRIC_NAMES } from "./defaults.ts";

export type MetricChoice = { source?: MetricSource; description: string };

export async function chooseMetricSource(opts: { prometheus?: string; metricsUrl?: string; server: string; clock: Clock }): Promise<MetricChoice> {
  if (opts.prometheus) return { source: new PrometheusSource({ url: opts.prometheus }), description: `prometheus ${opts.prometheus}` };
  if (opts.metricsUrl) return { source: new ScrapeSource({ url: opts.metricsUrl, clock: opts.clock }), description: `scrape ${opts.metricsUrl}` };
  const url = `${opts.server.replace(/\/+$/, "")}/metrics`;
  if (/^https?:\/\//.test(opts.server) && (await servesServiceMetrics(url))) {
    return { source: new ScrapeSource({ url, clock: opts.clock }), description: `scrape ${url} (the cluster's own /metrics)` };
  }
  return { description: "none (no --prometheus or --metrics-url, and the cluster serves no service metrics): SLO checks are skipped" };
}

async function servesServiceMetrics(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000), headers: { accept: "text/plain" } });
    if (!res.ok) return false;
    const text = await res.text();
    return SERVICE_METRIC_NAMES.some((n) => text.includes(`${n}{`) || text.includes(`# TYPE ${n} `));
  } catch {
    return false;
  }
}
