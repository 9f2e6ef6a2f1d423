/**
 * A real Prometheus server (the Debian package, 2.42) scraping the sandbox's /metrics every
 * second, as it would scrape a cluster: the first sample lands, the app's series are queryable,
 * every shipped preset's queries are valid PromQL that finds the app's services, and after a fault
 * injected through the Kubernetes API the `istio` preset's queries (Stratus' default) — and a
 * hand-written query over Istio's series — see it. The sandbox runs on a mildly sped-up
 * real clock, since Prometheus stamps samples with wall time. Never skips: test/helpers/prometheus.ts
 * finds the binary, installs it (root + apt-get), or fails at once with the command to run.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getApp, waitForApp } from "../../../sandbox/apps/index.ts";
import { RealClock } from "../../../sandbox/index.ts";
import { telemetryPreset, TELEMETRY_PRESETS } from "../../../src/telemetry/presets/index.ts";
import { PrometheusSource } from "../../../src/telemetry/prometheus-source.ts";
import { ensurePrometheus, startPrometheus, type RunningPrometheus } from "../../helpers/prometheus.ts";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

const NS = "hotel-reservation";
// Found on PATH or installed here (root + apt-get), before any timer of the suite starts.
const PROMETHEUS = await ensurePrometheus();

describe("a real Prometheus scraping the sandbox", { timeout: 240_000 }, () => {
  let cluster: TestCluster;
  let prom: RunningPrometheus | undefined;
  let source: PrometheusSource;
  const promLog = () => prom?.log() ?? "";

  before(async () => {
    cluster = await startTestCluster({ clock: new RealClock(4), apps: [NS] });
    const status = await waitForApp(cluster.sandbox, getApp(NS), 300_000);
    assert.ok(status.ready, `app not up: ${status.waiting.join(", ")}`);
    prom = await startPrometheus(PROMETHEUS, [new URL(cluster.sandbox.url).host]);
    source = new PrometheusSource({ url: prom.url, rateWindow: "15s", queries: telemetryPreset("istio") });
  });

  after(async () => {
    await prom?.close();
    await cluster?.close();
  });

  it("scrapes the sandbox: `up` is 1 and the app's series are queryable", async () => {
    await eventually(async () => {
      const up = await source.query('up{job="sandbox"}');
      return up.length === 1 && up[0].value === 1;
    }, 60_000, `a sample of up{job="sandbox"} (prometheus log: ${promLog().slice(-500)})`);
    const pods = await eventually(async () => {
      const r = await source.query(`count(kube_pod_status_phase{namespace="${NS}",phase="Running"} == 1)`);
      return r.length && r[0].value === 17 ? r : undefined;
    }, 30_000, "17 Running pods in kube_pod_status_phase");
    assert.equal(pods[0].value, 17);
  });

  it("runs every preset's queries through PromQL: each finds the 8 services, the call graph and saturation", async () => {
    for (const preset of TELEMETRY_PRESETS) {
      const src = new PrometheusSource({ url: prom!.url, rateWindow: "15s", queries: telemetryPreset(preset) });
      const stats = await eventually(async () => {
        const s = await src.serviceStats(NS);
        return s.size === 8 && [...s.values()].every((x) => x.requestRate > 0 && x.p99Seconds !== null) ? s : undefined;
      }, 60_000, `${preset}: rates and p99 for the 8 services`);
      assert.ok(stats.get("frontend")!.p99Seconds! < 0.25, `${preset}: frontend p99 ${stats.get("frontend")!.p99Seconds}`);
      const edges = await src.callEdges(NS);
      assert.ok(edges.some((e) => e.service === "search" && e.callee === "geo" && e.rate > 0), `${preset}: search -> geo in ${JSON.stringify(edges)}`);
      const saturation = await src.saturation(NS);
      assert.ok(saturation.size >= 8, `${preset}: saturation of the pods ${JSON.stringify([...saturation])}`);
    }
  });

  it("the istio preset's queries see geo scaled to zero through the API", async () => {
    const healthy = await eventually(async () => {
      const stats = await source.serviceStats(NS);
      const fe = stats.get("frontend");
      return fe && fe.requestRate > 0 && stats.size === 8 ? stats : undefined;
    }, 60_000, "request rates for the 8 services");
    for (const [svc, s] of healthy) assert.equal(s.errorRatio, 0, `${svc} is healthy`);

    const res = await fetch(`${cluster.sandbox.url}/apis/apps/v1/namespaces/${NS}/deployments/geo`, {
      method: "PATCH",
      headers: { ...cluster.auth, "content-type": "application/merge-patch+json" },
      body: JSON.stringify({ spec: { replicas: 0 } }),
    });
    assert.equal(res.status, 200);

    const broken = await eventually(async () => {
      const stats = await source.serviceStats(NS);
      return (stats.get("search")?.errorRatio ?? 0) > 0.5 ? stats : undefined;
    }, 60_000, "search's error ratio to rise");
    assert.ok(broken.get("frontend")!.errorRatio > 0.2, `frontend error ratio ${broken.get("frontend")!.errorRatio}`);
    const sel = `reporter="source",source_workload_namespace="${NS}",source_workload="search",destination_service_name="geo"`;
    const ratio = await source.query(`sum(rate(istio_requests_total{${sel},response_code=~"5.."}[15s])) / sum(rate(istio_requests_total{${sel}}[15s]))`);
    assert.ok(ratio.length === 1 && ratio[0].value > 0.5, `search -> geo error ratio ${JSON.stringify(ratio)}`);
    const edges = await source.callEdges(NS);
    assert.ok(edges.find((e) => e.service === "search" && e.callee === "geo")!.errorRatio > 0.5, "the call graph shows the failing edge");
    assert.equal(edges.find((e) => e.service === "frontend" && e.callee === "recommendation")?.errorRatio, 0, "unrelated edges stay clean");
  });
});
