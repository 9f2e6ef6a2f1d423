/**
 * One shared spec for the MetricSource contract, run against both implementations on the same
 * traffic: geo answers 20 req/s with 2% errors and a p99 of 0.05 s, idle has series but no traffic,
 * frontend calls geo at 4 req/s; other namespaces are empty. The scrape source sees it through a
 * changing /metrics endpoint, the Prometheus source through a fake API answering its PromQL. Both
 * read the `sandbox` preset, whose series the fixture serves.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { MetricSource } from "../../src/telemetry/metric-source.ts";
import { telemetryPreset } from "../../src/telemetry/presets/index.ts";
import { PrometheusSource } from "../../src/telemetry/prometheus-source.ts";
import { ScrapeSource } from "../../src/telemetry/scrape-source.ts";

let t = 0; // seconds of traffic so far, moved by the scrape source's clock
const metrics = () =>
  [
    `http_requests_total{namespace="hr",service="geo",pod="geo-1",code="200"} ${19.6 * t}`,
    `http_requests_total{namespace="hr",service="geo",pod="geo-1",code="500"} ${0.4 * t}`,
    `http_requests_total{namespace="hr",service="idle",pod="idle-1",code="200"} 7`,
    `http_request_duration_seconds_bucket{namespace="hr",service="geo",pod="geo-1",le="0.05"} ${19.8 * t}`,
    `http_request_duration_seconds_bucket{namespace="hr",service="geo",pod="geo-1",le="+Inf"} ${20 * t}`,
    `rpc_client_requests_total{namespace="hr",service="frontend",callee="geo",code="200"} ${4 * t}`,
  ].join("\n");

/** What Prometheus would answer to each query the source sends, for the same traffic. */
function promAnswer(query: string): Array<[Record<string, string>, string]> {
  if (!query.includes('namespace="hr"')) return [];
  if (query.startsWith("histogram_quantile")) return [[{ service: "geo" }, "0.05"], [{ service: "idle" }, "NaN"]];
  if (query.includes("rpc_client_requests_total")) return query.includes(" / ") ? [] : [[{ service: "frontend", callee: "geo" }, "4"]];
  if (query.includes(" / ")) return [[{ service: "geo" }, "0.02"], [{ service: "idle" }, "NaN"]];
  return [[{ service: "geo" }, "20"], [{ service: "idle" }, "0"]];
}

let server: Server;
let base: string;
before(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url!, "http://x");
    if (u.pathname === "/metrics") return res.end(metrics());
    if (u.pathname === "/api/v1/alerts") return res.end(JSON.stringify({ status: "success", data: { alerts: [] } }));
    const result = promAnswer(u.searchParams.get("query") ?? "").map(([metric, v]) => ({ metric, value: [1767268800, v] }));
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const clock = { now: () => Date.parse("2026-01-01T00:00:00Z") + t * 1000, sleep: async (ms: number) => void (t += ms / 1000) };
const implementations: Array<[string, () => MetricSource]> = [
  ["ScrapeSource", () => new ScrapeSource({ url: `${base}/metrics`, clock, primeIntervalMs: 10_000, queries: telemetryPreset("sandbox") })],
  ["PrometheusSource", () => new PrometheusSource({ url: base, queries: telemetryPreset("sandbox") })],
];

for (const [name, make] of implementations) {
  describe(`MetricSource contract: ${name}`, () => {
    it("reports rate, error ratio and p99 per service, and no traffic as rate 0 with p99 null", async () => {
      const stats = await make().serviceStats("hr");
      const geo = stats.get("geo")!;
      assert.ok(Math.abs(geo.requestRate - 20) < 1e-9, String(geo.requestRate));
      assert.ok(Math.abs(geo.errorRatio - 0.02) < 1e-9, String(geo.errorRatio));
      assert.ok(Math.abs(geo.p99Seconds! - 0.05) < 1e-9, String(geo.p99Seconds));
      assert.deepEqual(stats.get("idle"), { requestRate: 0, errorRatio: 0, p99Seconds: null });
    });
    it("reports call edges, and nothing for a namespace without series", async () => {
      const src = make();
      const edges = await src.callEdges("hr");
      assert.equal(edges.length, 1);
      assert.deepEqual([edges[0].service, edges[0].callee, edges[0].errorRatio], ["frontend", "geo", 0]);
      assert.ok(Math.abs(edges[0].rate - 4) < 1e-9);
      assert.equal((await src.serviceStats("elsewhere")).size, 0);
      assert.deepEqual(await src.callEdges("elsewhere"), []);
      assert.deepEqual(await src.firingAlerts(), []);
      assert.ok(src.name.length > 0);
    });
  });
}
