/**
 * A MetricSource over the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`,
 * `/api/v1/alerts`). Service stats, call edges and saturation are the configured telemetry queries
 * (queries.ts; the default preset when none is given), rated over `rateWindow` when set, else the
 * configuration's window; every answer is parsed with zod, and every failure says what to check (the
 * URL, Prometheus being up, the query). `query` and `queryRange` are public so agents can ask their
 * own PromQL through the same validated path.
 */
import { z } from "zod";
import { DEFAULT_METRIC_TIMEOUT_MS } from "./defaults.ts";
import { parseValue } from "./exposition.ts";
import { httpGet, HttpUnreachable, type HttpAnswer } from "./http.ts";
import { TelemetryError, type Alert, type CallEdge, type MetricSource, type ServiceStats } from "./metric-source.ts";
import { defaultTelemetryQueries } from "./presets/index.ts";
import type { SignalName, TelemetryQueries } from "./queries.ts";
import { SignalReader } from "./signals.ts";

export type PrometheusSourceOptions = {
  /** Prometheus' base URL, e.g. http://127.0.0.1:9090 (not /graph, not /api/v1). */
  url: string;
  /** PromQL range of rate(): "1m", "30s"; overrides the queries' own window. */
  rateWindow?: string;
  timeoutMs?: number;
  /** What to query for each signal; the default preset when absent. */
  queries?: TelemetryQueries;
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
  private readonly signals: SignalReader;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(opts: PrometheusSourceOptions) {
    this.base = opts.url.replace(/\/+$/, "");
    if (!/^https?:\/\//.test(this.base)) throw new TelemetryError(`Prometheus URL "${opts.url}" must start with http:// or https://`);
    if (opts.rateWindow !== undefined && !/^\d+(ms|s|m|h|d|w|y)$/.test(opts.rateWindow)) {
      throw new TelemetryError(`rate window "${opts.rateWindow}" is not a PromQL duration; use e.g. "30s", "1m", "5m"`);
    }
    const queries = opts.queries ?? defaultTelemetryQueries();
    this.signals = new SignalReader(queries, async (q) => (await this.query(q)).map((r) => ({ labels: r.metric, value: r.value })), opts.rateWindow ?? queries.window);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_METRIC_TIMEOUT_MS;
    this.headers = opts.headers ?? {};
    this.name = `prometheus ${this.base} (${queries.name})`;
  }

  /** The PromQL this source runs for each signal in `namespace`. */
  queries(namespace: string): Partial<Record<SignalName, string>> {
    return this.signals.rendered(namespace);
  }

  serviceStats(namespace: string): Promise<Map<string, ServiceStats>> {
    return this.signals.serviceStats(namespace);
  }

  callEdges(namespace: string): Promise<CallEdge[]> {
    return this.signals.callEdges(namespace);
  }

  saturation(namespace: string): Promise<Map<string, number>> {
    return this.signals.saturation(namespace);
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
const issues = (e: z.ZodError) => e.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
