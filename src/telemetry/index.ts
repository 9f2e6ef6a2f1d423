/**
 * What `src/telemetry/` offers the rest of Stratus: the MetricSource interface and its two
 * implementations, the telemetry queries (configuration, presets, the `--telemetry` resolver), the
 * health-check plug-in contract and registry, measuring health (once or over
 * a window), comparing reports for TNR, and the health config.
 */
export { TelemetryError, isTelemetryError, type Alert, type CallEdge, type MetricSource, type ServiceStats } from "./metric-source.ts";
export { PrometheusSource, type PrometheusSourceOptions, type InstantSample, type RangeSeries } from "./prometheus-source.ts";
export { ScrapeSource, type ScrapeSourceOptions } from "./scrape-source.ts";
export { loadTelemetryQueriesFile, parseTelemetryQueries, parseTelemetryQueriesYaml, renderQuery, TelemetryQueriesSchema, type SignalName, type TelemetryQueries } from "./queries.ts";
export { defaultTelemetryQueries, isTelemetryPreset, resolveTelemetry, telemetryPreset, TELEMETRY_PRESETS, type TelemetryPreset } from "./presets/index.ts";
export { UnsupportedPromQL } from "./promql/parse.ts";
export { queriedMetricNames } from "./promql/metric-names.ts";
export { parseExposition, type Exposition, type MetricFamily, type MetricType, type Sample } from "./exposition.ts";
export { result, type CheckContext, type CheckResult, type CheckSource, type CheckStatus, type CheckSubject, type CheckValue, type HealthCheck, type HealthInput, type HealthReport } from "./health-check.ts";
export { HEALTH_CHECKS } from "./checks/index.ts";
export {
  combineSamples,
  measureHealth,
  measureHealthOverWindow,
  parseHealthReport,
  replicaBaseline,
  HealthReportSchema,
  type WindowOptions,
} from "./health.ts";
export { carriedFailures, effectiveSeverity, improved, regressed, resultKey, type Improvement, type Regression } from "./compare.ts";
export { HealthConfigSchema, parseHealthConfig, resolveSettings, sloFor, type HealthConfig, type HealthSettings } from "./config.ts";
