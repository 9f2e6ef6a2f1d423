/**
 * Turns configured telemetry queries (queries.ts) into the MetricSource's answers: it renders each
 * signal's PromQL for a namespace, runs it through the source's own instant-query function (the
 * Prometheus HTTP API, or the direct-scrape evaluator), and reads the result labels the
 * configuration names as the service, the callee or the pod. Both metric sources answer through
 * this one reader, so what a signal means is decided in exactly one place: the configuration.
 */
import type { CallEdge, ServiceStats } from "./metric-source.ts";
import { renderQuery, type SignalName, type TelemetryQueries } from "./queries.ts";

export type QueryAnswer = Array<{ labels: Record<string, string>; value: number }>;
/** Runs one instant PromQL query; throws TelemetryError when the source cannot answer. */
export type RunQuery = (promql: string) => Promise<QueryAnswer>;

export class SignalReader {
  constructor(
    readonly queries: TelemetryQueries,
    private readonly run: RunQuery,
    /** Overrides the configuration's `{{window}}` (a source's own rate window). */
    private readonly window = queries.window,
  ) {}

  /** Every signal's PromQL for `namespace`, placeholders filled in: what the source runs. */
  rendered(namespace: string): Partial<Record<SignalName, string>> {
    const s = this.queries.signals;
    const v = { namespace, window: this.window };
    return {
      requestRate: renderQuery(s.requestRate.query, v),
      errorRatio: renderQuery(s.errorRatio.query, v),
      latency: renderQuery(s.latency.query, { ...v, quantile: s.latency.quantile }),
      edgeRate: renderQuery(s.edgeRate.query, v),
      edgeErrorRatio: renderQuery(s.edgeErrorRatio.query, v),
      ...(s.saturation ? { saturation: renderQuery(s.saturation.query, v) } : {}),
    };
  }

  async serviceStats(namespace: string): Promise<Map<string, ServiceStats>> {
    const s = this.queries.signals;
    const q = this.rendered(namespace);
    const [rates, ratios, latencies] = await Promise.all([this.run(q.requestRate!), this.run(q.errorRatio!), this.run(q.latency!)]);
    const out = new Map<string, ServiceStats>();
    const entry = (service: string | undefined) => {
      if (!service) return undefined; // a series without the service label cannot be placed
      let e = out.get(service);
      if (!e) out.set(service, (e = { requestRate: 0, errorRatio: 0, p99Seconds: null }));
      return e;
    };
    for (const r of rates) {
      const e = entry(r.labels[s.requestRate.labels.service]);
      if (e) e.requestRate = finiteOr(r.value, 0);
    }
    // A service with no failing series is absent from the ratio (no match on the left): ratio 0.
    // 0/0 (no traffic in the window) is NaN: also 0, with requestRate 0 telling the caller why.
    for (const r of ratios) {
      const e = entry(r.labels[s.errorRatio.labels.service]);
      if (e) e.errorRatio = finiteOr(r.value, 0);
    }
    const scale = s.latency.unit === "milliseconds" ? 0.001 : 1;
    for (const r of latencies) {
      const e = entry(r.labels[s.latency.labels.service]);
      if (e) e.p99Seconds = Number.isNaN(r.value) ? null : r.value * scale;
    }
    return out;
  }

  async callEdges(namespace: string): Promise<CallEdge[]> {
    const s = this.queries.signals;
    const q = this.rendered(namespace);
    const [rates, ratios] = await Promise.all([this.run(q.edgeRate!), this.run(q.edgeErrorRatio!)]);
    const edge = (labels: Record<string, string>, l: { service: string; callee: string }) => ({ service: labels[l.service] ?? "", callee: labels[l.callee] ?? "" });
    const key = (e: { service: string; callee: string }) => `${e.service}\u0000${e.callee}`;
    const ratio = new Map(ratios.map((r) => [key(edge(r.labels, s.edgeErrorRatio.labels)), finiteOr(r.value, 0)]));
    return rates
      .map((r) => {
        const e = edge(r.labels, s.edgeRate.labels);
        return { ...e, rate: finiteOr(r.value, 0), errorRatio: ratio.get(key(e)) ?? 0 };
      })
      .filter((e) => e.service && e.callee)
      .sort((a, b) => a.service.localeCompare(b.service) || a.callee.localeCompare(b.callee));
  }

  /** Saturation per pod (0..1); empty when the configuration has no saturation signal. */
  async saturation(namespace: string): Promise<Map<string, number>> {
    const sat = this.queries.signals.saturation;
    if (!sat) return new Map();
    const out = new Map<string, number>();
    for (const r of await this.run(this.rendered(namespace).saturation!)) {
      const pod = r.labels[sat.labels.pod];
      if (pod && Number.isFinite(r.value)) out.set(pod, r.value);
    }
    return out;
  }
}

const finiteOr = (v: number, d: number) => (Number.isFinite(v) ? v : d);
