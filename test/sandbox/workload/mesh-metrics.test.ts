/**
 * One pod's mesh and OpenTelemetry series (sandbox/workload/mesh-metrics.ts) as a scraper reads
 * them: Istio's server- and client-side request series with the standard labels and default
 * buckets, Envoy's outcome for a call with no healthy upstream, TCP-only series for a database,
 * nothing in the mesh for a call whose DNS lookup failed (it never reached the sidecar) while the
 * app's own OpenTelemetry client still counts it, and the OTel histograms' names and labels as the
 * collector's Prometheus exporter writes them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { INGRESS, PodTelemetry, renderTelemetry } from "../../../sandbox/workload/mesh-metrics.ts";
import { parseExposition, type Sample } from "../../../src/telemetry/exposition.ts";

const NS = "hotel-reservation";
function exposition(build: (p: PodTelemetry) => void): Sample[] {
  const pod = new PodTelemetry({ namespace: NS, workload: "search", pod: "search-7d9-abcde" });
  build(pod);
  const out: string[] = [];
  renderTelemetry(out, [pod]);
  return parseExposition(out.join("\n")).samples;
}
const find = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe("a pod's mesh and OpenTelemetry series", () => {
  const route = { method: "POST", path: "/search.Search/Nearby", rpcService: "search.Search", rpcMethod: "Nearby" };
  it("reports what it served from the destination's side, with Istio's labels and buckets", () => {
    const s = exposition((p) => p.served({ workload: "frontend", namespace: NS }, "grpc", route, "200", [[0.004, 30], [0.02, 10]]));
    const [req] = find(s, "istio_requests_total", { reporter: "destination" });
    assert.equal(req.value, 40);
    for (const [k, v] of Object.entries({ source_workload: "frontend", source_workload_namespace: NS, destination_workload: "search", destination_service_name: "search", destination_service_namespace: NS, destination_service: `search.${NS}.svc.cluster.local`, request_protocol: "grpc", response_code: "200", grpc_response_status: "0", response_flags: "-", pod: "search-7d9-abcde" })) {
      assert.equal(req.labels[k], v, k);
    }
    const buckets = find(s, "istio_request_duration_milliseconds_bucket", { reporter: "destination" });
    assert.deepEqual(buckets.map((b) => b.labels.le).slice(0, 4), ["0.5", "1", "5", "10"]);
    assert.equal(buckets.at(-2)!.labels.le, "3600000");
    assert.deepEqual([find(s, "istio_request_duration_milliseconds_bucket", { le: "5" })[0].value, find(s, "istio_request_duration_milliseconds_bucket", { le: "25" })[0].value], [30, 40]);
    const [http] = find(s, "http_server_request_duration_seconds_count", { service_name: "search", k8s_namespace_name: NS, http_response_status_code: "200" });
    assert.equal(http.value, 40);
    assert.equal(find(s, "rpc_server_duration_milliseconds_count", { rpc_service: "search.Search", rpc_grpc_status_code: "0" })[0].value, 40);
  });

  it("reports the ingress gateway as the source of the load generator's requests", () => {
    const s = exposition((p) => p.served(INGRESS, "http", { ...route, method: "GET", path: "/hotels" }, "500", [[0.01, 5]]));
    const [req] = find(s, "istio_requests_total", { source_workload: "istio-ingressgateway", source_workload_namespace: "istio-system", request_protocol: "http", response_code: "500" });
    assert.equal(req.value, 5);
    assert.equal(find(s, "http_server_request_duration_seconds_count", { http_route: "/hotels", http_request_method: "GET", http_response_status_code: "500" })[0].value, 5);
  });

  it("reports calls from the source's side: no healthy upstream as Envoy does, databases as TCP only", () => {
    const geo = { service: "geo", protocol: "grpc" as const, rpcService: "geo.Geo", rpcMethod: "Nearby" };
    const s = exposition((p) => {
      p.called(geo, "200", 90, 3, true);
      p.called(geo, "503", 10, 1, true);
      p.called({ service: "mongodb-geo", protocol: "tcp", rpcService: "", rpcMethod: "" }, "200", 7, 2, true);
    });
    const calls = find(s, "istio_requests_total", { reporter: "source", source_workload: "search", destination_service_name: "geo" });
    assert.deepEqual(calls.map((c) => [c.labels.response_code, c.labels.response_flags, c.labels.destination_workload, c.value]).sort(), [["200", "-", "geo", 90], ["503", "UH", "unknown", 10]]);
    assert.deepEqual(find(s, "rpc_client_duration_milliseconds_count", { server_address: "geo", service_name: "search" }).map((c) => [c.labels.rpc_grpc_status_code, c.value]).sort(), [["0", 90], ["14", 10]]);
    assert.equal(find(s, "istio_requests_total", { destination_service_name: "mongodb-geo" }).length, 0, "MongoDB is not HTTP: no request series");
    assert.equal(find(s, "istio_tcp_connections_opened_total", { destination_service_name: "mongodb-geo", request_protocol: "tcp" })[0].value, 7);
  });

  it("leaves a call that never reached the sidecar out of the mesh, but the app's own client counts it", () => {
    const s = exposition((p) => p.called({ service: "geo", protocol: "grpc", rpcService: "geo.Geo", rpcMethod: "Nearby" }, "503", 4, 1, false));
    assert.equal(find(s, "istio_requests_total", {}).length, 0);
    assert.equal(find(s, "rpc_client_duration_milliseconds_count", { server_address: "geo", rpc_grpc_status_code: "14" })[0].value, 4);
  });
});
