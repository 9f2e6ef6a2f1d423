/**
 * A MetricSource over the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`,
 * `/api/v1/alerts`). Service stats and call edges are PromQL over the sandbox's metric names, rated
 * over `rateWindow`; every answer is parsed with zod, and every failure says what to check (the
 * URL, Prometheus being up, the query). `query` and `queryRange` are public so agents can ask their
 * own PromQL through the same validated path.
 */
import { z } from "zod";
import { DEFAULT_ERROR_CODE_PATTERN, DEFAULT_METRIC_TIMEOUT_MS, DEFAULT_RATE_WINDOW, LATENCY_QUANTILE } from "./defaults.ts";
import { parseValue } from "./exposition.ts";
import { httpGet, HttpUnreachable, type HttpAnswer } from "./http.ts";
import { TelemetryError, type Alert, type CallEdge, type MetricSource, type ServiceStats } from "./metric-source.ts";

export type PrometheusSourceOptions = {
  /** Prometheus' base URL, e.g. http://127.0.0.1:9090 (not /graph, not /api/v1). */
  url: string;
  /** PromQL range of rate(): "1m", "30s". */
  rateWindow?: string;
  timeoutMs?: number;
  errorCodePattern?: string;
  headers?: Record<string, string>;
};

export type InstantSample = { metric: Record<string, string>; time: number; value: number };
export type RangeSeries = { metric: Record<string, string>; values: Array<{ time: number; value: number }> };

const PromValue = z.tuple([z.number(), z.string()]);
const Labels = z.record(z.string(), z.string());
const Envelope = z.object({
  status: z.enum(["success", "error"]),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
});
const QueryData = z.discriminatedUnion("resultType", [
  z.object({ resultType: z.literal("vector"), result: z.array(z.object({ metric: Labels, value: PromValue })) }),
  z.object({ resultType: z.literal("matrix"), result: z.array(z.object({ metric: Labels, values: z.array(PromValue) })) }),
  z.object({ resultType: z.literal("scalar"), result: PromValue }),
  z.object({ resultType: z.literal("string"), result: PromValue }),
]);
const AlertsData = z.object({
  alerts: z.array(
    z.object({
      labels: Labels,
      annotations: Labels.optional(),
      state: z.string(),
      activeAt: z.string().optional(),
      value: z.string().optional(),
    }),
  ),
});

/** A PromQL string literal. */
export const promString = (s: string) => JSON.stringify(s);

export class PrometheusSource implements MetricSource {
  readonly name: string;
  private readonly base: string;
  private readonly window: string;
  private readonly timeoutMs: number;
  private readonly errorCodes: string;
  private readonly headers: Record<string, string>;

  constructor(opts: PrometheusSourceOptions) {
    this.base = opts.url.replace(/\/+$/, "");
    if (!/^https?:\/\//.test(this.base)) throw new TelemetryError(`Prometheus URL "${opts.url}" must start with http:// or https://`);
    if (!/^\d+(ms|s|m|h|d|w|y)$/.test(opts.rateWindow ?? DEFAULT_RATE_WINDOW)) {
      throw new TelemetryError(`rate window "${opts.rateWindow}" is not a PromQL duration; use e.g. "30s", "1m", "5m"`);
    }
    this.window = opts.rateWindow ?? DEFAULT_RATE_WINDOW;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_METRIC_TIMEOUT_MS;
    this.errorCodes = opts.errorCodePattern ?? DEFAULT_ERROR_CODE_PATTERN;
    this.headers = opts.headers ?? {};
    this.name = `prometheus ${this.base}`;
  }

  /** The PromQL this source runs for service stats and call edges in `namespace`. */
  queries(namespace: string) {
    const ns = `namespace=${promString(namespace)}`;
    const err = `code=~${promString(this.errorCodes)}`;
    const w = this.window;
    return {
      requestRate: `sum by (service) (rate(http_requests_total{${ns}}[${w}]))`,
      errorRatio: `sum by (service) (rate(http_requests_total{${ns},${err}}[${w}])) / sum by (service) (rate(http_requests_total{${ns}}[${w}]))`,
      p99: `histogram_quantile(${LATENCY_QUANTILE}, sum by (service, le) (rate(http_request_duration_seconds_bucket{${ns}}[${w}])))`,
      edgeRate: `sum by (service, callee) (rate(rpc_client_requests_total{${ns}}[${w}]))`,
      edgeErrorRatio: `sum by (service, callee) (rate(rpc_client_requests_total{${ns},${err}}[${w}])) / sum by (service, callee) (rate(rpc_client_requests_total{${ns}}[${w}]))`,
    };
  }

  async serviceStats(namespace: string): Promise<Map<string, ServiceStats>> {
    const q = this.queries(namespace);
    const [rates, ratios, p99s] = await Promise.all([this.query(q.requestRate), this.query(q.errorRatio), this.query(q.p99)]);
    const out = new Map<string, ServiceStats>();
    const entry = (service: string) => {
      let s = out.get(service);
      if (!s) out.set(service, (s = { requestRate: 0, errorRatio: 0, p99Seconds: null }));
      return s;
    };
    for (const r of rates) entry(r.metric.service ?? "").requestRate = finiteOr(r.value, 0);
    // A service with no 5xx series is absent from the ratio (no match on the left): ratio 0.
    // 0/0 (no traffic in the window) is NaN: also 0, with requestRate 0 telling the caller why.
    for (const r of ratios) entry(r.metric.service ?? "").errorRatio = finiteOr(r.value, 0);
    for (const r of p99s) entry(r.metric.service ?? "").p99Seconds = Number.isNaN(r.value) ? null : r.value;
    return out;
  }

  async callEdges(namespace: string): Promise<CallEdge[]> {
    const q = this.queries(namespace);
    const [rates, ratios] = await Promise.all([this.query(q.edgeRate), this.query(q.edgeErrorRatio)]);
    const key = (m: Record<string, string>) => `${m.service ?? ""}\u0000${m.callee ?? ""}`;
    const ratio = new Map(ratios.map((r) => [key(r.metric), finiteOr(r.value, 0)]));
    return rates
      .map((r) => ({ service: r.metric.service ?? "", callee: r.metric.callee ?? "", rate: finiteOr(r.value, 0), errorRatio: ratio.get(key(r.metric)) ?? 0 }))
      .sort((a, b) => a.service.localeCompare(b.service) || a.callee.localeCompare(b.callee));
  }

  async firingAlerts(): Promise<Alert[]> {
    const data = this.parse(AlertsData, await this.get("/api/v1/alerts", {}), "/api/v1/alerts");
    return data.alerts
      .filter((a) => a.state === "firing")
      .map((a) => ({
        name: a.labels.alertname ?? "(unnamed)",
        state: "firing" as const,
        labels: a.labels,
        annotations: a.annotations ?? {},
        ...(a.activeAt ? { activeAt: a.activeAt } : {}),
        source: "prometheus",
      }));
  }

  /** An instant query; a scalar answer comes back as one sample with no labels. */
  async query(promql: string, at?: number): Promise<InstantSample[]> {
    const data = this.parse(QueryData, await this.get("/api/v1/query", { query: promql, ...(at === undefined ? {} : { time: String(at / 1000) }) }), promql);
    if (data.resultType === "vector") return data.result.map((r) => ({ metric: r.metric, ...point(r.value) }));
    if (data.resultType === "scalar") return [{ metric: {}, ...point(data.result) }];
    throw new TelemetryError(`query ${JSON.stringify(promql)} returned a ${data.resultType}, not an instant vector; drop the range selector or use queryRange`);
  }

  /** A range query between two clock times (ms) at `stepSeconds` resolution. */
  async queryRange(promql: string, range: { start: number; end: number; stepSeconds: number }): Promise<RangeSeries[]> {
    const params = { query: promql, start: String(range.start / 1000), end: String(range.end / 1000), step: String(range.stepSeconds) };
    const data = this.parse(QueryData, await this.get("/api/v1/query_range", params), promql);
    if (data.resultType !== "matrix") throw new TelemetryError(`range query ${JSON.stringify(promql)} returned a ${data.resultType}, expected a matrix`);
    return data.result.map((r) => ({ metric: r.metric, values: r.values.map(point) }));
  }

  /** GET an API path; returns the envelope's `data` on success, throws with the API's error otherwise. */
  private async get(path: string, params: Record<string, string>): Promise<unknown> {
    const url = `${this.base}${path}${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ""}`;
    let res: HttpAnswer;
    try {
      res = await httpGet(url, { timeoutMs: this.timeoutMs, headers: { accept: "application/json", ...this.headers } });
    } catch (e) {
      const why = e instanceof HttpUnreachable ? e.why : (e as Error).message;
      throw new TelemetryError(`cannot reach Prometheus at ${this.base}: ${why}; check the Prometheus URL and that Prometheus is running`, { url });
    }
    const text = res.text;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TelemetryError(
        `${url} answered HTTP ${res.status} with ${res.contentType || "no content type"}, not Prometheus API JSON: ${text.slice(0, 120)}; check the URL is Prometheus' base URL (e.g. http://host:9090)`,
        { url, status: res.status },
      );
    }
    const env = Envelope.safeParse(json);
    if (!env.success) throw new TelemetryError(`${url} answered JSON that is not a Prometheus API response (${issues(env.error)}); check the URL points at Prometheus`, { url });
    if (env.data.status === "error" || !res.ok) {
      const what = path === "/api/v1/alerts" ? "the alerts request" : `query ${JSON.stringify(params.query)}`;
      throw new TelemetryError(
        `Prometheus rejected ${what}: ${env.data.error ?? `HTTP ${res.status}`}${env.data.errorType ? ` (${env.data.errorType})` : ""}; ${env.data.errorType === "bad_data" ? "check the PromQL" : "check Prometheus' health and logs"}`,
        { url, status: res.status, errorType: env.data.errorType },
      );
    }
    return env.data.data;
  }

  private parse<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
    const r = schema.safeParse(data);
    if (!r.success) throw new TelemetryError(`Prometheus' answer to ${what} has an unexpected shape (${issues(r.error)}); check the Prometheus version (2.x API expected)`);
    return r.data;
  }
}

function point(v: [number, string]) {
  try {
    return { time: v[0] * 1000, value: parseValue(v[1]) };
  } catch (e) {
    throw new TelemetryError(`Prometheus answered a sample value that is not a number: ${(e as Error).message}; check the Prometheus version (2.x API expected)`);
  }
}
const finiteOr = (v: number, d: number) => (Number.isFinite(v) ? v : d);
const issues = (e: z.ZodError) => e.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
