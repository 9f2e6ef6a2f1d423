/**
 * A healthy app under load, in virtual time: the load generator's requests nearly all succeed
 * over a simulated minute, every call edge of the graph — and only those — carries traffic in the
 * mix's proportions, the latency histogram is consistent and plausible, /metrics parses as
 * Prometheus text with the kube-state and node series, a replaced pod's counters start from zero,
 * and a traffic burst raises the rate without errors.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseExposition } from "../../../src/telemetry/exposition.ts";
import { histogramQuantile } from "../../../src/telemetry/rates.ts";
import { BUCKETS } from "../../../sandbox/workload/index.ts";
import { increase, startApp, total, type AppFixture } from "../apps/app-fixture.ts";

const expectedEdges = (fx: AppFixture) =>
  new Set(fx.app.requests.flatMap((r) => Object.entries(r.calls).flatMap(([from, tos]) => tos.map((t) => `${from}>${t}`))));

describe("hotel-reservation under steady load", { timeout: 120_000 }, () => {
  let fx: AppFixture;
  before(async () => {
    fx = await startApp("hotel-reservation");
    await fx.advance(10_000);
  });
  after(async () => {
    await fx?.close();
  });

  it("succeeds for at least 99% of requests over a simulated minute, at the set rate", async () => {
    const before = await fx.scrape();
    await fx.advance(60_000);
    const after = await fx.scrape();
    const w = fx.cluster.sandbox.workload;
    assert.ok(w.successRatio(60_000, "hotel-reservation") >= 0.99, `success ${w.successRatio(60_000)}`);
    assert.equal(w.successRatio(60_000, "hotel-reservation"), w.successRatio(60_000, "hotel-reservation"), "namespace and app name agree");
    const { ok, err } = w.requestsIn(60_000, "hotel-reservation");
    assert.ok(ok + err > 2_500 && ok + err < 3_500, `about 50 req/s for 60 s, got ${ok + err}`);
    const sent = increase(before, after, "workload_requests_total", { namespace: "hotel-reservation" });
    assert.ok(Math.abs(sent - (ok + err)) < 200, `workload_requests_total rose by ${sent}`);
    const gauge = after.find((s) => s.name === "workload_success_ratio" && s.labels.namespace === "hotel-reservation");
    assert.ok(gauge && gauge.value >= 0.99, "workload_success_ratio is exposed");
    assert.ok(Number.isNaN(w.successRatio(60_000, "social-network")), "no traffic is not success");
    assert.equal(await w.probe.successRatio("hotel-reservation", 60_000), w.successRatio(60_000, "hotel-reservation"), "the oracles' probe reads the same");
    const res = await fetch(`${fx.cluster.sandbox.url}/sandbox/v1/workload?windowSeconds=60`);
    const body = (await res.json()) as { apps: Array<{ app: string; successRatio: number; requests: number; rate: number; sending: boolean }> };
    assert.equal(body.apps.length, 1);
    assert.equal(body.apps[0].app, "hotel-reservation");
    assert.equal(body.apps[0].successRatio, w.successRatio(60_000, "hotel-reservation"), "and so does the HTTP control path");
    assert.equal(body.apps[0].requests, ok + err);
    assert.deepEqual([body.apps[0].rate, body.apps[0].sending], [50, true]);
  });

  it("puts traffic on every call edge of the graph in the mix's proportions, and on no other", async () => {
    const before = await fx.scrape();
    await fx.advance(60_000);
    const after = await fx.scrape();
    const seen = new Set(after.filter((s) => s.name === "rpc_client_requests_total" && s.labels.namespace === "hotel-reservation").map((s) => `${s.labels.service}>${s.labels.callee}`));
    assert.deepEqual([...seen].sort(), [...expectedEdges(fx)].sort());
    const edge = (service: string, callee: string) => increase(before, after, "rpc_client_requests_total", { service, callee });
    const entry = increase(before, after, "http_requests_total", { service: "frontend" });
    assert.ok(Math.abs(edge("frontend", "search") / entry - 0.6) < 0.05, "60% of requests are /hotels");
    assert.ok(Math.abs(edge("frontend", "recommendation") / entry - 0.39) < 0.05, "39% are /recommendations");
    assert.equal(edge("search", "geo"), edge("frontend", "search"), "each search asks geo");
    assert.equal(edge("search", "rate"), edge("frontend", "search"), "... and rate");
    assert.equal(edge("geo", "mongodb-geo"), edge("search", "geo"));
    assert.equal(edge("frontend", "profile"), edge("frontend", "search") + edge("frontend", "recommendation"), "hotels and recommendations both read profiles");
    assert.ok(edge("frontend", "user") > 0 && edge("frontend", "user") < entry * 0.03, "a trickle of /user and /reservation");
    assert.equal(total(after, "rpc_client_requests_total", { namespace: "hotel-reservation" }) - total(after, "rpc_client_requests_total", { namespace: "hotel-reservation", code: "200" }), 0, "no call failed");
  });

  it("keeps a consistent, plausible latency histogram per pod", async () => {
    const samples = await fx.scrape();
    const pods = new Set(samples.filter((s) => s.name === "http_requests_total" && s.labels.namespace === "hotel-reservation").map((s) => s.labels.pod));
    assert.equal(pods.size, 8, "every Go service pod answers requests");
    for (const pod of pods) {
      const buckets = samples.filter((s) => s.name === "http_request_duration_seconds_bucket" && s.labels.pod === pod);
      assert.deepEqual(buckets.map((b) => b.labels.le), [...BUCKETS.map(String), "+Inf"]);
      for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, "cumulative");
      const count = total(samples, "http_request_duration_seconds_count", { pod });
      assert.equal(buckets[buckets.length - 1].value, count);
      assert.equal(count, total(samples, "http_requests_total", { pod }), "one observation per answered request");
    }
    const fe = samples.filter((s) => s.name === "http_request_duration_seconds_bucket" && s.labels.service === "frontend");
    const p99 = histogramQuantile(0.99, fe.map((b) => ({ le: b.labels.le === "+Inf" ? Infinity : Number(b.labels.le), count: b.value })))!;
    const mean = total(samples, "http_request_duration_seconds_sum", { service: "frontend" }) / total(samples, "http_request_duration_seconds_count", { service: "frontend" });
    assert.ok(p99 > 0.005 && p99 < 0.25, `frontend p99 ${p99}s`);
    assert.ok(mean > 0.003 && mean < p99, `frontend mean ${mean}s`);
    const geoMean = total(samples, "http_request_duration_seconds_sum", { service: "geo" }) / total(samples, "http_request_duration_seconds_count", { service: "geo" });
    assert.ok(geoMean < mean, "a leaf answers faster than the entry that waits on it");
  });

  it("serves /metrics as Prometheus text with kube-state, cAdvisor and node series", async () => {
    const res = await fetch(`${fx.cluster.sandbox.url}/metrics`);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const { samples, families } = parseExposition(await res.text());
    for (const f of ["http_requests_total", "rpc_client_requests_total", "kube_pod_container_status_restarts_total", "kube_deployment_status_replicas_available", "node_cpu_seconds_total", "node_memory_working_set_bytes"]) {
      assert.ok(families.get(f)?.type, `${f} is typed`);
    }
    const running = samples.filter((s) => s.name === "kube_pod_status_phase" && s.labels.namespace === "hotel-reservation" && s.labels.phase === "Running");
    assert.equal(running.length, 17);
    assert.ok(running.every((s) => s.value === 1));
    const spec = samples.filter((s) => s.name === "kube_deployment_spec_replicas" && s.labels.namespace === "hotel-reservation");
    assert.equal(spec.length, 17);
    const nodes = samples.filter((s) => s.name === "node_memory_working_set_bytes");
    assert.deepEqual(nodes.map((s) => s.labels.node).sort(), ["node-1", "node-2", "node-3"]);
    assert.ok(nodes.reduce((a, s) => a + s.value, 0) > 17 * 50 * 1024 * 1024, "the pods' working sets add up on the nodes");
    const geoMem = samples.find((s) => s.name === "container_memory_working_set_bytes" && s.labels.container === "mongodb-geo");
    assert.ok(geoMem && geoMem.value > 250 * 1024 * 1024, "mongod holds ~300Mi");
    const cpuBefore = total(samples, "node_cpu_seconds_total", { mode: "user" });
    await fx.advance(10_000);
    assert.ok(total(await fx.scrape(), "node_cpu_seconds_total", { mode: "user" }) > cpuBefore, "node CPU counters move");
  });

  it("starts a replaced pod's counters from zero and drops the old pod's series", async () => {
    const [old] = fx.pods("app=search");
    await fx.api("DELETE", `/api/v1/namespaces/hotel-reservation/pods/${old.metadata.name}`);
    await fx.advance(20_000);
    const samples = await fx.scrape();
    assert.equal(samples.filter((s) => s.labels.pod === old.metadata.name && s.name === "http_requests_total").length, 0);
    const [fresh] = fx.pods("app=search");
    assert.notEqual(fresh.metadata.name, old.metadata.name);
    const served = total(samples, "http_requests_total", { pod: fresh.metadata.name! });
    assert.ok(served > 0 && served < 30 * 20, `the new pod counted only its own requests (${served})`);
  });

  it("a traffic burst raises the rate for a while, with no errors", async () => {
    const w = fx.cluster.sandbox.workload;
    await fx.advance(60_000);
    const steady = w.requestsIn(30_000, "hotel-reservation");
    const res = await fetch(`${fx.cluster.sandbox.url}/sandbox/v1/workload/burst`, { method: "POST", body: JSON.stringify({ app: "hotel-reservation", factor: 3, durationSeconds: 60 }) });
    assert.equal(res.status, 200);
    await fx.advance(30_000);
    const burst = w.requestsIn(30_000, "hotel-reservation");
    assert.ok(burst.ok + burst.err > 2.5 * (steady.ok + steady.err), `burst ${burst.ok + burst.err} vs steady ${steady.ok + steady.err}`);
    assert.equal(burst.err, 0);
    await fx.advance(90_000);
    const afterBurst = w.requestsIn(30_000, "hotel-reservation");
    assert.ok(afterBurst.ok + afterBurst.err < 1.3 * (steady.ok + steady.err), "back to the steady rate");
  });
});

describe("social-network under steady load", { timeout: 120_000 }, () => {
  let fx: AppFixture;
  before(async () => {
    fx = await startApp("social-network");
    await fx.advance(10_000);
  });
  after(async () => {
    await fx?.close();
  });

  it("succeeds for at least 99% of requests and exercises every edge of its call graph", async () => {
    await fx.advance(120_000);
    const w = fx.cluster.sandbox.workload;
    assert.ok(w.successRatio(60_000, "social-network") >= 0.99);
    const samples = await fx.scrape();
    const seen = new Set(samples.filter((s) => s.name === "rpc_client_requests_total" && s.labels.namespace === "social-network").map((s) => `${s.labels.service}>${s.labels.callee}`));
    assert.deepEqual([...seen].sort(), [...expectedEdges(fx)].sort());
    assert.ok(total(samples, "http_requests_total", { service: "nginx-thrift" }) > 5_000);
    assert.ok(total(samples, "http_requests_total", { service: "media-frontend" }) > 0, "uploads reach media-frontend");
  });
});
