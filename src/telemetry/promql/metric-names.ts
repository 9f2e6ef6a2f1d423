/**
 * The metric names a set of telemetry queries reads, found by parsing each rendered query: what a
 * caller probes an endpoint for ("does this /metrics serve what the preset asks?") without naming
 * a metric itself. Queries outside the direct evaluator's subset fall back to a lexical scan.
 */
import type { TelemetryQueries } from "../queries.ts";
import { SignalReader } from "../signals.ts";
import { parsePromQL, selectedMetrics } from "./parse.ts";

const KEYWORDS = new Set(["sum", "by", "without", "rate", "histogram_quantile", "on", "ignoring", "offset", "bool"]);

export function queriedMetricNames(queries: TelemetryQueries): string[] {
  const names = new Set<string>();
  const reader = new SignalReader(queries, async () => []);
  for (const q of Object.values(reader.rendered("default"))) {
    try {
      for (const n of selectedMetrics(parsePromQL(q))) names.add(n);
    } catch {
      // Outside the subset: every identifier not in braces, before "{" or "[", that is no keyword.
      for (const [, n] of q.replace(/\{[^}]*\}/g, "{}").matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)) if (!KEYWORDS.has(n)) names.add(n);
    }
  }
  return [...names].sort();
}
