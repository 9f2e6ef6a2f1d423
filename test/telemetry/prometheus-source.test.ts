/**
 * PrometheusSource against a fake Prometheus HTTP API: the PromQL it sends, how answers (vectors,
 * NaN, scalars, matrices, alerts) become stats, and the messages for every way an answer can be
 * wrong. Response parsing only — the real Prometheus test comes with the sandbox's workload.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { isTelemetryError } from "../../src/telemetry/metric-source.ts";
import { telemetryPreset } from "../../src/telemetry/presets/index.ts";
import { PrometheusSource } from "../../src/telemetry/prometheus-source.ts";

const sandbox = telemetryPreset("sandbox");

type Reply = { status?: number; body: unknown; raw?: boolean };
const seen: Array<{ path: string; params: URLSearchParams }> = [];
let answer: (path: string, params: URLSearchParams) => Reply = () => ({ body: {} });
let server: Server;
let base: string;

const vector = (result: Array<[Record<string, string>, string]>) => ({ status: "success", data: { resultType: "vector", result: result.map(([metric, v]) => ({ metric, value: [1767268800.5, v] })) } });

before(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url!, "http://x");
    seen.push({ path: u.pathname, params: u.searchParams });
    const r = answer(u.pathname, u.searchParams);
    res.writeHead(r.status ?? 200, { "content-type": r.raw ? "text/html" : "application/json" }).end(r.raw ? String(r.body) : JSON.stringify(r.body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
});

describe("PrometheusSource", () => {
  it("asks the configured PromQL for service stats and merges the three answers", async () => {
    answer = (_p, q) => {
      const query = q.get("query")!;
      if (query.startsWith("histogram_quantile")) return { body: vector([[{ service: "geo" }, "0.2475"], [{ service: "idle" }, "NaN"]]) };
      if (query.includes(" / ")) return { body: vector([[{ service: "geo" }, "0.05"], [{ service: "idle" }, "NaN"]]) };
      return { body: vector([[{ service: "geo" }, "12.5"], [{ service: "rate" }, "3"], [{ service: "idle" }, "0"]]) };
    };
    const src = new PrometheusSource({ url: `${base}/`, rateWindow: "1m", queries: sandbox });
    const stats = await src.serviceStats('hotel"ns');
    assert.deepEqual(Object.fromEntries(stats), {
      geo: { requestRate: 12.5, errorRatio: 0.05, p99Seconds: 0.2475 },
      rate: { requestRate: 3, errorRatio: 0, p99Seconds: null },
      idle: { requestRate: 0, errorRatio: 0, p99Seconds: null },
    });
    const queries = seen.map((s) => s.params.get("query")).sort();
    assert.deepEqual(queries, [
      'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{namespace="hotel\\"ns"}[1m])))',
      'sum by (service) (rate(http_requests_total{namespace="hotel\\"ns",code=~"5.."}[1m])) / sum by (service) (rate(http_requests_total{namespace="hotel\\"ns"}[1m]))',
      'sum by (service) (rate(http_requests_total{namespace="hotel\\"ns"}[1m]))',
    ]);
    assert.ok(seen.every((s) => s.path === "/api/v1/query"));
    assert.equal(src.name, `prometheus ${base} (sandbox)`);
  });

  it("reads the istio preset by default: destination_service_name is the service, milliseconds become seconds", async () => {
    answer = (_p, q) => {
      const query = q.get("query")!;
      if (query.startsWith("histogram_quantile")) return { body: vector([[{ destination_service_name: "geo" }, "247.5"]]) };
      if (query.includes(" / ")) return { body: vector([[{ destination_service_name: "geo" }, "0.05"]]) };
      return { body: vector([[{ destination_service_name: "geo" }, "12.5"]]) };
    };
    const src = new PrometheusSource({ url: base });
    assert.deepEqual(Object.fromEntries(await src.serviceStats("hr")), { geo: { requestRate: 12.5, errorRatio: 0.05, p99Seconds: 0.2475 } });
    assert.ok(seen.some((s) => s.params.get("query") === 'sum by (destination_service_name) (rate(istio_requests_total{reporter="destination",destination_service_namespace="hr"}[1m]))'));
    assert.ok(seen.some((s) => s.params.get("query") === 'histogram_quantile(0.99, sum by (destination_service_name, le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_service_namespace="hr"}[1m])))'));
    assert.equal(src.name, `prometheus ${base} (istio)`);
  });

  it("reads call edges with the configured labels", async () => {
    answer = (_p, q) =>
      q.get("query")!.includes(" / ")
        ? { body: vector([[{ service: "frontend", callee: "search" }, "0.5"]]) }
        : { body: vector([[{ service: "search", callee: "geo" }, "4"], [{ service: "frontend", callee: "search" }, "8"]]) };
    const edges = await new PrometheusSource({ url: base, rateWindow: "30s", queries: sandbox }).callEdges("hr");
    assert.deepEqual(edges, [
      { service: "frontend", callee: "search", rate: 8, errorRatio: 0.5 },
      { service: "search", callee: "geo", rate: 4, errorRatio: 0 },
    ]);
    assert.ok(seen.some((s) => s.params.get("query") === 'sum by (service, callee) (rate(rpc_client_requests_total{namespace="hr"}[30s]))'));
  });

  it("returns firing alerts only", async () => {
    answer = () => ({
      body: {
        status: "success",
        data: {
          alerts: [
            { labels: { alertname: "HighErrorRate", namespace: "hr", service: "geo" }, annotations: { summary: "geo 5xx > 5%" }, state: "firing", activeAt: "2026-01-01T00:00:00Z", value: "0.2" },
            { labels: { alertname: "Slow" }, state: "pending" },
          ],
        },
      },
    });
    const alerts = await new PrometheusSource({ url: base }).firingAlerts();
    assert.equal(seen[0].path, "/api/v1/alerts");
    assert.deepEqual(alerts, [
      { name: "HighErrorRate", state: "firing", labels: { alertname: "HighErrorRate", namespace: "hr", service: "geo" }, annotations: { summary: "geo 5xx > 5%" }, activeAt: "2026-01-01T00:00:00Z", source: "prometheus" },
    ]);
  });

  it("runs instant and range queries with times in seconds", async () => {
    answer = (path) =>
      path === "/api/v1/query_range"
        ? { body: { status: "success", data: { resultType: "matrix", result: [{ metric: { service: "geo" }, values: [[1767268800, "1"], [1767268815, "+Inf"]] }] } } }
        : { body: { status: "success", data: { resultType: "scalar", result: [1767268800, "42"] } } };
    const src = new PrometheusSource({ url: base });
    assert.deepEqual(await src.query("vector(42)", 1767268800_000), [{ metric: {}, time: 1767268800_000, value: 42 }]);
    assert.equal(seen[0].params.get("time"), "1767268800");
    const range = await src.queryRange("up", { start: 1767268800_000, end: 1767268815_000, stepSeconds: 15 });
    assert.deepEqual(range, [{ metric: { service: "geo" }, values: [{ time: 1767268800_000, value: 1 }, { time: 1767268815_000, value: Infinity }] }]);
    assert.deepEqual([seen[1].params.get("start"), seen[1].params.get("end"), seen[1].params.get("step")], ["1767268800", "1767268815", "15"]);
  });

  it("says what to check for every kind of bad answer", async () => {
    const src = new PrometheusSource({ url: base });
    const cases: Array<[Reply, RegExp]> = [
      [{ status: 400, body: { status: "error", errorType: "bad_data", error: 'parse error: unexpected "}"' } }, /Prometheus rejected query "x": parse error: unexpected "}" \(bad_data\); check the PromQL/],
      [{ status: 503, body: { status: "error", errorType: "unavailable", error: "TSDB not ready" } }, /TSDB not ready \(unavailable\); check Prometheus' health/],
      [{ body: "<html>Prometheus Time Series Collection</html>", raw: true }, /answered HTTP 200 with text\/html, not Prometheus API JSON.*check the URL is Prometheus' base URL/],
      [{ body: { hello: "world" } }, /not a Prometheus API response \(status: .*check the URL points at Prometheus/],
      [{ body: { status: "success", data: { resultType: "vector", result: [{ metric: {}, value: ["soon", "1"] }] } } }, /unexpected shape \(result\.0\.value\.0: .*check the Prometheus version/],
      [{ body: { status: "success", data: { resultType: "matrix", result: [] } } }, /returned a matrix, not an instant vector/],
      [{ body: vector([[{}, "lots"]]) }, /not a number: "lots"/],
    ];
    for (const [reply, re] of cases) {
      answer = () => reply;
      await assert.rejects(src.query("x"), (e: unknown) => isTelemetryError(e) && re.test(e.message), String(re));
    }
  });

  it("refuses a bad URL or window up front and explains an unreachable server", async () => {
    assert.throws(() => new PrometheusSource({ url: "localhost:9090" }), /must start with http/);
    assert.throws(() => new PrometheusSource({ url: base, rateWindow: "1 minute" }), /not a PromQL duration/);
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    await assert.rejects(new PrometheusSource({ url: `http://127.0.0.1:${port}` }).firingAlerts(), /cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED; check the Prometheus URL and that Prometheus is running/);
  });
});
