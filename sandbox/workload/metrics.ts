/**
 * The apps' own metrics, as each pod's Prometheus client library would expose them, kept as plain
 * counters per pod and rendered into one text exposition: `http_requests_total{namespace,service,
 * pod,code}`, the `http_request_duration_seconds` histogram, `rpc_client_requests_total{namespace,
 * service,pod,callee,code}`, and the load generator's `workload_requests_total{namespace,request,
 * code}`. Series live per process: a pod's new process (restart) starts again from zero, and a
 * deleted pod's series go, exactly as scraping the pods would show. Requests arrive in batches
 * with a mean latency; the histogram spreads each batch over a log-normal shape. Each pod also
 * carries what a real cluster's telemetry would report for it — Istio's sidecar series and
 * OpenTelemetry's HTTP/RPC histograms (mesh-metrics.ts) — from the same batches.
 */
import { PodTelemetry, renderTelemetry, type Peer, type Points, type Protocol } from "./mesh-metrics.ts";

/** Prometheus' default buckets, in seconds. */
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BUCKET_LABELS = [...BUCKETS.map(String), "+Inf"];
/** Quantile points (z-scores) of the standard normal and the share of a batch each stands for. */
const Z = [-1.2816, -0.5244, 0, 0.5244, 1.2816, 2.3263];
const CUM_W = [0.2, 0.4, 0.6, 0.8, 0.99, 1];

export type PodKey = { uid: string; namespace: string; service: string; pod: string; generation: number };

type PodSeries = PodKey & {
  codes: Map<string, number>;
  /** Non-cumulative counts per bucket; the last is above the highest bound. */
  buckets: number[];
  sum: number;
  count: number;
  /** callee -> code -> count */
  calls: Map<string, Map<string, number>>;
  tel: PodTelemetry;
};

/** How a pod was reached, for the mesh and OpenTelemetry series. */
export type Inbound = { from: Peer; protocol: Protocol; route: { method: string; path: string; rpcService: string; rpcMethod: string } };
/** What a call went to, for the mesh and OpenTelemetry series. */
export type Outbound = { service: string; protocol: Protocol; rpcService: string; rpcMethod: string; ms: number; reached: boolean };

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export class AppMetrics {
  private readonly pods = new Map<string, PodSeries>();
  /** namespace -> request -> code -> count */
  private readonly load = new Map<string, Map<string, Map<string, number>>>();

  constructor(private readonly random: () => number) {}

  private series(k: PodKey): PodSeries {
    let s = this.pods.get(k.uid);
    // A new process behind the same pod starts its counters from zero.
    if (!s || s.generation !== k.generation || s.service !== k.service) {
      s = { ...k, codes: new Map(), buckets: new Array(BUCKETS.length + 1).fill(0), sum: 0, count: 0, calls: new Map(), tel: new PodTelemetry({ namespace: k.namespace, workload: k.service, pod: k.pod }) };
      this.pods.set(k.uid, s);
    }
    return s;
  }

  /** `count` requests a pod answered with `code`, taking `meanMs` each on average. */
  served(k: PodKey, code: string, count: number, meanMs: number, sigma: number, inbound?: Inbound): void {
    if (count <= 0) return;
    const s = this.series(k);
    const points: Points = [];
    s.codes.set(code, (s.codes.get(code) ?? 0) + count);
    // Systematic sampling over the quantile points: unbiased, and the counts sum to `count`.
    const u = this.random();
    const scale = Math.exp(sigma * (this.random() - 0.5) * 0.4);
    let assigned = 0;
    for (let i = 0; i < Z.length; i++) {
      const upto = i === Z.length - 1 ? count : Math.floor(CUM_W[i] * count + u);
      const c = upto - assigned;
      if (c <= 0) continue;
      assigned = upto;
      const seconds = (meanMs * Math.exp(sigma * Z[i] - (sigma * sigma) / 2) * scale) / 1000;
      let b = 0;
      while (b < BUCKETS.length && seconds > BUCKETS[b]) b++;
      s.buckets[b] += c;
      s.sum += c * seconds;
      s.count += c;
      points.push([seconds, c]);
    }
    if (inbound) s.tel.served(inbound.from, inbound.protocol, inbound.route, code, points);
  }

  /** `count` calls a pod made to `callee` that ended with `code`. */
  called(k: PodKey, callee: string, code: string, count: number, outbound?: Outbound): void {
    if (count <= 0) return;
    const s = this.series(k);
    if (outbound) s.tel.called(outbound, code, count, outbound.ms, outbound.reached);
    let byCode = s.calls.get(callee);
    if (!byCode) s.calls.set(callee, (byCode = new Map()));
    byCode.set(code, (byCode.get(code) ?? 0) + count);
  }

  /** Requests the load generator sent, by outcome code. */
  sent(namespace: string, request: string, code: string, count: number): void {
    if (count <= 0) return;
    let byReq = this.load.get(namespace);
    if (!byReq) this.load.set(namespace, (byReq = new Map()));
    let byCode = byReq.get(request);
    if (!byCode) byReq.set(request, (byCode = new Map()));
    byCode.set(code, (byCode.get(code) ?? 0) + count);
  }

  /** Forgets pods that no longer exist. */
  retain(alive: Set<string>): void {
    for (const uid of this.pods.keys()) if (!alive.has(uid)) this.pods.delete(uid);
  }

  /** Appends the exposition of every series to `out`. */
  render(out: string[]): void {
    const pods = [...this.pods.values()].sort((a, b) => (a.namespace + a.pod < b.namespace + b.pod ? -1 : 1));
    out.push("# HELP http_requests_total Requests the service answered, by status code.", "# TYPE http_requests_total counter");
    for (const s of pods) {
      const base = `namespace="${esc(s.namespace)}",service="${esc(s.service)}",pod="${esc(s.pod)}"`;
      for (const [code, v] of s.codes) out.push(`http_requests_total{${base},code="${code}"} ${v}`);
    }
    out.push("# HELP http_request_duration_seconds Time to answer a request.", "# TYPE http_request_duration_seconds histogram");
    for (const s of pods) {
      if (!s.count) continue;
      const base = `namespace="${esc(s.namespace)}",service="${esc(s.service)}",pod="${esc(s.pod)}"`;
      let cum = 0;
      for (let i = 0; i < s.buckets.length; i++) {
        cum += s.buckets[i];
        out.push(`http_request_duration_seconds_bucket{${base},le="${BUCKET_LABELS[i]}"} ${cum}`);
      }
      out.push(`http_request_duration_seconds_sum{${base}} ${Number(s.sum.toFixed(6))}`, `http_request_duration_seconds_count{${base}} ${s.count}`);
    }
    out.push("# HELP rpc_client_requests_total Calls the service made to another service or store, by status code.", "# TYPE rpc_client_requests_total counter");
    for (const s of pods) {
      const base = `namespace="${esc(s.namespace)}",service="${esc(s.service)}",pod="${esc(s.pod)}"`;
      for (const [callee, byCode] of s.calls) for (const [code, v] of byCode) out.push(`rpc_client_requests_total{${base},callee="${esc(callee)}",code="${code}"} ${v}`);
    }
    renderTelemetry(out, pods.map((p) => p.tel));
    out.push("# HELP workload_requests_total Requests the load generator sent to the app's entry, by outcome code.", "# TYPE workload_requests_total counter");
    for (const [ns, byReq] of this.load) for (const [req, byCode] of byReq) for (const [code, v] of byCode) {
      out.push(`workload_requests_total{namespace="${esc(ns)}",request="${esc(req)}",code="${code}"} ${v}`);
    }
  }
}
