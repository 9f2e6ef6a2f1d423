/**
 * The series a real cluster's telemetry has, per pod, next to the sandbox's own: Istio's standard
 * metrics as each Envoy sidecar reports them (`istio_requests_total` and
 * `istio_request_duration_milliseconds` for HTTP and gRPC, with reporter, source_* and destination_*
 * labels and Istio's default buckets; `istio_tcp_connections_{opened,closed}_total` for the TCP
 * protocols it cannot parse — Thrift, MongoDB, memcached, Redis — flagged only when the connection
 * itself failed (UH: no healthy upstream, UF: connect failure or timeout), and OpenTelemetry's HTTP/RPC
 * duration histograms as the collector's Prometheus exporter writes them (resource attributes as
 * labels: `service_name`, `k8s_namespace_name`, `k8s_pod_name`). What a real mesh would not see, this
 * does not show: a call that fails its DNS lookup never reaches the sidecar; calls to stores have no
 * request-level series. Simplification: every service pod also reports the OTel HTTP server
 * histogram (status 500 on failure), as if its API were instrumented with otelhttp.
 */

/** Istio's default request duration buckets, in milliseconds. */
const ISTIO_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
/** OTel semantic conventions' advice for http.server.request.duration, in seconds. */
const OTEL_HTTP_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** The OTel SDK's default explicit buckets, used for rpc.*.duration (milliseconds). */
const OTEL_DEFAULT_MS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

export type Protocol = "http" | "grpc" | "thrift" | "tcp";
/** Who made a call: a workload, or the load generator through the ingress gateway. */
export type Peer = { workload: string; namespace: string };
export const INGRESS: Peer = { workload: "istio-ingressgateway", namespace: "istio-system" };
/** Latency of a batch as (seconds, how many) points. */
export type Points = Array<[number, number]>;

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
/** A label set as exposition text; empty values are left out, as Prometheus drops them. */
const labels = (l: Record<string, string>) => Object.entries(l).filter(([, v]) => v !== "").map(([k, v]) => `${k}="${esc(v)}"`).join(",");

class Histo {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array(bounds.length + 1).fill(0);
  }
  observe(value: number, n: number): void {
    let b = 0;
    while (b < this.bounds.length && value > this.bounds[b]) b++;
    this.counts[b] += n;
    this.sum += value * n;
    this.count += n;
  }
  render(out: string[], name: string, base: string): void {
    let cum = 0;
    for (let i = 0; i < this.counts.length; i++) {
      cum += this.counts[i];
      out.push(`${name}_bucket{${base},le="${i < this.bounds.length ? this.bounds[i] : "+Inf"}"} ${cum}`);
    }
    out.push(`${name}_sum{${base}} ${Number(this.sum.toFixed(6))}`, `${name}_count{${base}} ${this.count}`);
  }
}

/** gRPC status for an HTTP-ish outcome code the sandbox records. */
const grpcStatus = (code: string) => (code.startsWith("2") ? "0" : code === "503" ? "14" : code === "504" ? "4" : "13");
/** What Envoy writes when a call fails before or without an upstream answer. */
const envoyOutcome = (code: string): { code: string; flags: string } =>
  code === "503" ? { code: "503", flags: "UH" } : code === "504" ? { code: "0", flags: "DC" } : { code, flags: "-" };

type Pod = { namespace: string; workload: string; pod: string };

/** One pod's mesh and OpenTelemetry series. */
export class PodTelemetry {
  private readonly istio = new Map<string, Histo>();
  private readonly tcp = new Map<string, { opened: number; closed: number }>();
  private readonly httpServer = new Map<string, Histo>();
  private readonly rpcServer = new Map<string, Histo>();
  private readonly rpcClient = new Map<string, Histo>();

  constructor(private readonly me: Pod) {}

  private get resource() {
    return { service_name: this.me.workload, k8s_namespace_name: this.me.namespace, k8s_pod_name: this.me.pod, k8s_deployment_name: this.me.workload };
  }

  private istioLabels(reporter: "source" | "destination", src: Peer, dst: { workload: string; namespace: string; service: string }, protocol: Protocol, code: string, flags: string) {
    const known = dst.workload !== "unknown";
    return labels({
      reporter,
      source_workload: src.workload, source_workload_namespace: src.namespace, source_principal: "unknown", source_app: src.workload,
      source_version: "unknown", source_canonical_service: src.workload, source_canonical_revision: "latest", source_cluster: "Kubernetes",
      destination_workload: dst.workload, destination_workload_namespace: known ? dst.namespace : "unknown", destination_principal: "unknown",
      destination_app: known ? dst.service : "unknown", destination_version: "unknown",
      destination_service: `${dst.service}.${dst.namespace}.svc.cluster.local`, destination_service_name: dst.service, destination_service_namespace: dst.namespace,
      destination_canonical_service: known ? dst.service : "unknown", destination_canonical_revision: known ? "latest" : "unknown", destination_cluster: "Kubernetes",
      request_protocol: protocol, response_code: code, grpc_response_status: protocol === "grpc" ? grpcStatus(code) : "", response_flags: flags,
      connection_security_policy: reporter === "destination" ? "none" : "unknown",
    });
  }

  private bump(map: Map<string, Histo>, key: string, bounds: readonly number[], points: Points, scale: number): void {
    let h = map.get(key);
    if (!h) map.set(key, (h = new Histo(bounds)));
    for (const [seconds, n] of points) h.observe(seconds * scale, n);
  }

  /** Requests this pod answered: the server side of the mesh and of OpenTelemetry. */
  served(from: Peer, protocol: Protocol, route: { method: string; path: string; rpcService: string; rpcMethod: string }, code: string, points: Points): void {
    const dst = { workload: this.me.workload, namespace: this.me.namespace, service: this.me.workload };
    const total = points.reduce((s, [, n]) => s + n, 0);
    if (protocol === "http" || protocol === "grpc") this.bump(this.istio, this.istioLabels("destination", from, dst, protocol, code, "-"), ISTIO_MS, points, 1000);
    else this.tcpCount(this.istioLabels("destination", from, dst, "tcp", "", "-"), total);
    this.bump(this.httpServer, labels({
      http_request_method: route.method, http_route: route.path, http_response_status_code: code, network_protocol_name: "http",
      network_protocol_version: protocol === "grpc" ? "2" : "1.1", url_scheme: "http", ...this.resource,
    }), OTEL_HTTP_S, points, 1);
    if (protocol === "grpc" || protocol === "thrift") {
      this.bump(this.rpcServer, labels({
        rpc_system: protocol === "grpc" ? "grpc" : "apache_thrift", rpc_service: route.rpcService, rpc_method: route.rpcMethod,
        ...(protocol === "grpc" ? { rpc_grpc_status_code: grpcStatus(code) } : {}), ...this.resource,
      }), OTEL_DEFAULT_MS, points, 1000);
    }
  }

  /**
   * Calls this pod made to `callee` (a Service of `protocol`) that ended with `code`. `reached` is
   * false when the call never left the process (its DNS lookup failed): no sidecar saw it.
   */
  called(callee: { service: string; protocol: Protocol; rpcService: string; rpcMethod: string }, code: string, count: number, ms: number, reached: boolean): void {
    const me = { workload: this.me.workload, namespace: this.me.namespace };
    const points: Points = [[(ms * 0.8) / 1000, Math.ceil(count / 2)], [(ms * 1.25) / 1000, count - Math.ceil(count / 2)]];
    if (reached) {
      const env = envoyOutcome(code);
      const dst = { workload: env.flags === "UH" ? "unknown" : callee.service, namespace: this.me.namespace, service: callee.service };
      if (callee.protocol === "http" || callee.protocol === "grpc") this.bump(this.istio, this.istioLabels("source", me, dst, callee.protocol, env.code, env.flags), ISTIO_MS, points, 1000);
      // A TCP proxy sees connections, not answers: only a failed connection carries a flag.
      else this.tcpCount(this.istioLabels("source", me, dst, "tcp", "", env.flags === "-" ? "-" : env.flags === "UH" ? "UH" : "UF"), count);
    }
    if (callee.protocol === "grpc" || callee.protocol === "thrift") {
      this.bump(this.rpcClient, labels({
        rpc_system: callee.protocol === "grpc" ? "grpc" : "apache_thrift", rpc_service: callee.rpcService, rpc_method: callee.rpcMethod,
        server_address: callee.service, ...(callee.protocol === "grpc" ? { rpc_grpc_status_code: grpcStatus(code) } : {}), ...this.resource,
      }), OTEL_DEFAULT_MS, points, 1000);
    }
  }

  private tcpCount(istioLabels: string, n: number): void {
    const key = istioLabels;
    const c = this.tcp.get(key) ?? { opened: 0, closed: 0 };
    c.opened += n;
    c.closed += n;
    this.tcp.set(key, c);
  }

  /** This pod's lines of each family, keyed by family. */
  collect(into: Map<string, string[]>): void {
    const base = `namespace="${esc(this.me.namespace)}",pod="${esc(this.me.pod)}"`;
    const lines = (family: string) => {
      let l = into.get(family);
      if (!l) into.set(family, (l = []));
      return l;
    };
    for (const [key, h] of this.istio) {
      lines("istio_requests_total").push(`istio_requests_total{${base},${key}} ${h.count}`);
      h.render(lines("istio_request_duration_milliseconds"), "istio_request_duration_milliseconds", `${base},${key}`);
    }
    for (const [key, c] of this.tcp) {
      lines("istio_tcp_connections_opened_total").push(`istio_tcp_connections_opened_total{${base},${key}} ${c.opened}`);
      lines("istio_tcp_connections_closed_total").push(`istio_tcp_connections_closed_total{${base},${key}} ${c.closed}`);
    }
    for (const [key, h] of this.httpServer) h.render(lines("http_server_request_duration_seconds"), "http_server_request_duration_seconds", key);
    for (const [key, h] of this.rpcServer) h.render(lines("rpc_server_duration_milliseconds"), "rpc_server_duration_milliseconds", key);
    for (const [key, h] of this.rpcClient) h.render(lines("rpc_client_duration_milliseconds"), "rpc_client_duration_milliseconds", key);
  }
}

const FAMILIES: Array<[string, string, string]> = [
  ["istio_requests_total", "counter", "Requests an Envoy sidecar handled (Istio standard metric)."],
  ["istio_request_duration_milliseconds", "histogram", "Duration of requests an Envoy sidecar handled (Istio standard metric)."],
  ["istio_tcp_connections_opened_total", "counter", "TCP connections an Envoy sidecar opened (Istio standard metric)."],
  ["istio_tcp_connections_closed_total", "counter", "TCP connections an Envoy sidecar closed (Istio standard metric)."],
  ["http_server_request_duration_seconds", "histogram", "Duration of HTTP server requests."],
  ["rpc_server_duration_milliseconds", "histogram", "Measures the duration of inbound RPC."],
  ["rpc_client_duration_milliseconds", "histogram", "Measures the duration of outbound RPC."],
];

/** Renders every pod's mesh and OpenTelemetry series, one HELP/TYPE header per family. */
export function renderTelemetry(out: string[], pods: Iterable<PodTelemetry>): void {
  const by = new Map<string, string[]>();
  for (const p of pods) p.collect(by);
  for (const [name, type, help] of FAMILIES) out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...(by.get(name) ?? []));
}
