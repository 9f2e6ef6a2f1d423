/**
 * MetricSource: the one interface through which health checks and agents read service-level
 * signals — request rate, error ratio and p99 latency per service, the same per call edge, and
 * firing alerts. Implementations: `prometheus-source.ts` (PromQL over the Prometheus HTTP API) and
 * `scrape-source.ts` (a direct scrape of a `/metrics` endpoint, rates computed between scrapes).
 * Which series answer each signal is configuration, not code: the telemetry queries of queries.ts
 * (presets `istio`, `otel`, `sandbox` in presets/), which both implementations run.
 */
import { StratusError } from "../base/errors.ts";

export type ServiceStats = {
  /** Requests per second the service answered, over the source's rate window. */
  requestRate: number;
  /** Share of those answered with an error code (5xx), 0..1; 0 when there was no traffic. */
  errorRatio: number;
  /** 99th percentile latency in seconds; null when no request was observed in the window. */
  p99Seconds: number | null;
};

/** Calls from `service` to `callee` as the caller counted them. */
export type CallEdge = { service: string; callee: string; rate: number; errorRatio: number };

export type Alert = {
  /** The `alertname` label. */
  name: string;
  state: "firing" | "pending";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339 time the alert became active, when known. */
  activeAt?: string;
  /** Where it came from: "prometheus", "intake", ... — for evidence. */
  source: string;
};

export interface MetricSource {
  /** What it reads, for evidence and errors: e.g. "prometheus http://127.0.0.1:9090". */
  readonly name: string;
  /**
   * Stats per service name in `namespace`, over the source's rate window. Services with no series
   * are absent; services with series but no traffic in the window have requestRate 0. Read-only and
   * safe to call concurrently. Throws TelemetryError when the source cannot be read.
   */
  serviceStats(namespace: string): Promise<Map<string, ServiceStats>>;
  /** Call edges in `namespace` with their rate and error ratio. Same contract as serviceStats. */
  callEdges(namespace: string): Promise<CallEdge[]>;
  /**
   * How close each pod of `namespace` is to its limit (0..1), by pod name; empty when the
   * configured queries have no saturation signal. Same contract as serviceStats.
   */
  saturation?(namespace: string): Promise<Map<string, number>>;
  /** Alerts firing now (pending ones are left out); empty for a source without alert rules. */
  firingAlerts(): Promise<Alert[]>;
}

/** A metric source could not be reached or answered something unreadable; the message says what to check. */
export class TelemetryError extends StratusError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("TELEMETRY", message, details);
    this.name = "TelemetryError";
  }
}

export const isTelemetryError = (e: unknown): e is TelemetryError => e instanceof TelemetryError;
