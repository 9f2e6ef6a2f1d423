/**
 * The telemetry presets shipped with Stratus — `istio` (the mesh's standard metrics), `otel`
 * (OpenTelemetry HTTP/RPC metrics through the Prometheus exporter) and `sandbox` (the sandbox's own
 * series, for comparison) — and the one resolver of `--telemetry PRESET|FILE`: a preset name, or
 * the path of a TelemetryQueries YAML file. This folder is the only place in the product that names
 * a metric.
 */
import { readFileSync } from "node:fs";
import { ValidationError } from "../../base/errors.ts";
import { DEFAULT_TELEMETRY_PRESET } from "../defaults.ts";
import { loadTelemetryQueriesFile, parseTelemetryQueriesYaml, type TelemetryQueries } from "../queries.ts";

export const TELEMETRY_PRESETS = ["istio", "otel", "sandbox"] as const;
export type TelemetryPreset = (typeof TELEMETRY_PRESETS)[number];

const cache = new Map<string, TelemetryQueries>();

export const isTelemetryPreset = (s: string): s is TelemetryPreset => (TELEMETRY_PRESETS as readonly string[]).includes(s);

/** A shipped preset's queries. */
export function telemetryPreset(name: TelemetryPreset): TelemetryQueries {
  let q = cache.get(name);
  if (!q) cache.set(name, (q = parseTelemetryQueriesYaml(readFileSync(new URL(`./${name}.yaml`, import.meta.url), "utf8"), `telemetry preset ${name}`)));
  return q;
}

/** `--telemetry` resolved: a preset name, else a file path; a bad value says what is accepted. */
export function resolveTelemetry(spec: string): TelemetryQueries {
  if (isTelemetryPreset(spec)) return telemetryPreset(spec);
  if (!/[./\\]/.test(spec)) {
    throw new ValidationError(`unknown telemetry preset "${spec}"; use one of ${TELEMETRY_PRESETS.join(", ")} or the path of a TelemetryQueries YAML file`);
  }
  return loadTelemetryQueriesFile(spec);
}

/** The preset a source reads when it is given no queries (DEFAULT_TELEMETRY_PRESET). */
export const defaultTelemetryQueries = (): TelemetryQueries => telemetryPreset(DEFAULT_TELEMETRY_PRESET);
