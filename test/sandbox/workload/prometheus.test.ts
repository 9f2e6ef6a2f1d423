/**
 * A real Prometheus server (the Debian package, 2.42) scraping the sandbox's /metrics every
 * second, as it would scrape a cluster: the first sample lands, the app's series are queryable,
 * and after a fault injected through the Kubernetes API a PromQL error-ratio query — Stratus'
 * PrometheusSource's own, and a hand-written one — sees it. The sandbox runs on a mildly sped-up
 * real clock, since Prometheus stamps samples with wall time. Never skips: test/helpers/prometheus.ts
 * finds the binary, installs it (root + apt-get), or fails at once with the command to run.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getApp, waitForApp } from "../../../sandbox/apps/index.ts";
import { RealClock } from "../../../sandbox/index.ts";
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
    source = new PrometheusSource({ url: prom.url, rateWindow: "15s" });
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

  it("a PromQL error-ratio query sees geo scaled to zero through the API", async () => {
    const healthy = await eventually(async () => {
      const stats = await source.serviceStats(NS);
      const fe = stats.get("frontend");
      return fe && fe.requestRate > 0 && stats.size === 8 ? stats : undefined;
    }, 60_000, "request rates for the 8 services");
    for (const [svc, s] of healthy) assert.equal(s.errorRatio, 0, `${svc} is healthy`);

    const res = await fetch(`${cluster.sandbox.url}/apis/apps/v1/namespaces/${NS}/deployments/geo`, {
      method: "PATCH",
      headers: { "content-type": "application/merge-patch+json" },
      body: JSON.stringify({ spec: { replicas: 0 } }),
    });
    assert.equal(res.status, 200);

    const broken = await eventually(async () => {
      const stats = await source.serviceStats(NS);
      return (stats.get("search")?.errorRatio ?? 0) > 0.5 ? stats : undefined;
    }, 60_000, "search's error ratio to rise");
    assert.ok(broken.get("frontend")!.errorRatio > 0.2, `frontend error ratio ${broken.get("frontend")!.errorRatio}`);
    const ratio = await source.query(`sum(rate(rpc_client_requests_total{namespace="${NS}",service="search",callee="geo",code=~"5.."}[15s])) / sum(rate(rpc_client_requests_total{namespace="${NS}",service="search",callee="geo"}[15s]))`);
    assert.ok(ratio.length === 1 && ratio[0].value > 0.5, `search -> geo error ratio ${JSON.stringify(ratio)}`);
    const edges = await source.callEdges(NS);
    assert.equal(edges.find((e) => e.service === "frontend" && e.callee === "recommendation")?.errorRatio, 0, "unrelated edges stay clean");
  });
});
