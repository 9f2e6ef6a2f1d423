/**
 * Telemetry queries as configuration: the shipped presets load and validate; `--telemetry` takes a
 * preset name or a file; a bad file is refused naming the field and its line; a query the direct
 * source cannot evaluate is refused when the source is built, naming the signal; and the queries
 * fill their placeholders (the namespace escaped for a PromQL string).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ValidationError } from "../../src/base/errors.ts";
import { systemClock } from "../../src/base/clock.ts";
import { resolveTelemetry, telemetryPreset, TELEMETRY_PRESETS } from "../../src/telemetry/presets/index.ts";
import { queriedMetricNames } from "../../src/telemetry/promql/metric-names.ts";
import { parseTelemetryQueriesYaml, renderQuery } from "../../src/telemetry/queries.ts";
import { ScrapeSource } from "../../src/telemetry/scrape-source.ts";

const dir = mkdtempSync(join(tmpdir(), "stratus-queries-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const GOOD = (edgeQuery = 'sum by (a, b) (rate(calls_total{ns="{{namespace}}"}[{{window}}]))') => `kind: TelemetryQueries
name: mine
window: 30s
signals:
  requestRate:
    query: sum by (svc) (rate(req_total{ns="{{namespace}}"}[{{window}}]))
    labels: { service: svc }
  errorRatio:
    query: sum by (svc) (rate(req_total{ns="{{namespace}}",code=~"5.."}[{{window}}])) / sum by (svc) (rate(req_total{ns="{{namespace}}"}[{{window}}]))
    labels: { service: svc }
  latency:
    quantile: 0.95
    unit: seconds
    query: histogram_quantile({{quantile}}, sum by (svc, le) (rate(lat_bucket{ns="{{namespace}}"}[{{window}}])))
    labels: { service: svc }
  edgeRate:
    query: ${edgeQuery}
    labels: { service: a, callee: b }
  edgeErrorRatio:
    query: sum by (a, b) (rate(calls_total{ns="{{namespace}}",ok="false"}[{{window}}])) / sum by (a, b) (rate(calls_total{ns="{{namespace}}"}[{{window}}]))
    labels: { service: a, callee: b }
`;

describe("telemetry queries", () => {
  it("ships istio, otel and sandbox presets that validate, each reading its own series", () => {
    assert.deepEqual([...TELEMETRY_PRESETS], ["istio", "otel", "sandbox"]);
    assert.ok(queriedMetricNames(telemetryPreset("istio")).includes("istio_requests_total"));
    assert.ok(queriedMetricNames(telemetryPreset("otel")).includes("rpc_client_duration_milliseconds_count"));
    assert.ok(queriedMetricNames(telemetryPreset("sandbox")).includes("http_requests_total"));
    assert.equal(telemetryPreset("istio").signals.latency.unit, "milliseconds");
  });

  it("resolves --telemetry as a preset name or a file, and says what is accepted otherwise", () => {
    assert.equal(resolveTelemetry("otel").name, "otel");
    assert.equal(resolveTelemetry(file("mine.yaml", GOOD())).name, "mine");
    assert.throws(() => resolveTelemetry("linkerd"), (e: unknown) => e instanceof ValidationError && /unknown telemetry preset "linkerd"; use one of istio, otel, sandbox/.test(e.message));
    assert.throws(() => resolveTelemetry(join(dir, "absent.yaml")), /cannot read telemetry queries file .*absent\.yaml/);
  });

  it("refuses a bad file naming the field and its line", () => {
    const missing = GOOD().replace("    quantile: 0.95\n", "");
    assert.throws(() => parseTelemetryQueriesYaml(missing, "f.yaml"), (e: unknown) => e instanceof ValidationError && /signals\.latency\.quantile: .*\(line 12\)/.test(e.message));
    const badLabel = GOOD().replace("labels: { service: a, callee: b }", "labels: { service: a, callee: 'b-c' }");
    assert.throws(() => parseTelemetryQueriesYaml(badLabel, "f.yaml"), /signals\.edgeRate\.labels\.callee: a Prometheus label name \(line 18\)/);
    const badPlaceholder = GOOD().replace("[{{window}}]))\n    labels: { service: svc }\n  errorRatio", "[{{range}}]))\n    labels: { service: svc }\n  errorRatio");
    assert.throws(() => parseTelemetryQueriesYaml(badPlaceholder, "f.yaml"), /signals\.requestRate\.query: unknown placeholder \{\{range\}\} .*\(line 6\)/);
    assert.throws(() => parseTelemetryQueriesYaml(GOOD().replace("window: 30s", "window: half a minute"), "f.yaml"), /window: a PromQL duration .*\(line 3\)/);
    assert.throws(() => parseTelemetryQueriesYaml(GOOD() + "  extra: 1\n", "f.yaml"), /signals: .*extra.*\(line 5\)/);
    assert.throws(() => parseTelemetryQueriesYaml("kind: [unclosed\n", "f.yaml"), /YAML syntax error at line \d/);
  });

  it("refuses, when the direct source is built, a query it cannot evaluate, naming the preset and signal", () => {
    const q = parseTelemetryQueriesYaml(GOOD('sum by (a, b) (irate(calls_total{ns="{{namespace}}"}[{{window}}]))'), "f.yaml");
    assert.throws(() => new ScrapeSource({ url: "http://127.0.0.1:1/metrics", clock: systemClock, queries: q }), /telemetry preset mine, signal edgeRate: the direct-scrape source cannot evaluate the function or aggregation "irate"/);
  });

  it("fills placeholders, escaping the namespace for a PromQL string", () => {
    assert.equal(renderQuery('x{ns="{{namespace}}"}[{{ window }}] {{quantile}}', { namespace: 'a"b', window: "1m", quantile: 0.9 }), 'x{ns="a\\"b"}[1m] 0.9');
  });
});
