/**
 * A real Prometheus server (the Debian package, 2.42) scraping the sandbox's /metrics every
 * second, as it would scrape a cluster: the first sample lands, the app's series are queryable,
 * and after a fault injected through the Kubernetes API a PromQL error-ratio query — Stratus'
 * PrometheusSource's own, and a hand-written one — sees it. The sandbox runs on a mildly sped-up
 * real clock, since Prometheus stamps samples with wall time. Fails (does not skip) when
 * prometheus is not installed: CI installs it in .ci/run.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { getApp, waitForApp } from "../../../sandbox/apps/index.ts";
import { RealClock } from "../../../sandbox/index.ts";
import { PrometheusSource } from "../../../src/telemetry/prometheus-source.ts";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

const NS = "hotel-reservation";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe("a real Prometheus scraping the sandbox", { timeout: 240_000 }, () => {
  let cluster: TestCluster;
  let prom: ChildProcess | undefined;
  let promLog = "";
  let dir: string;
  let source: PrometheusSource;

  before(async () => {
    const version = spawnSync("prometheus", ["--version"], { encoding: "utf8" });
    if (version.error || version.status !== 0) {
      throw new Error("prometheus is not on PATH: this test runs the real server. Install it with `apt-get update && apt-get install -y --no-install-recommends prometheus` (.ci/run does this)");
    }
    cluster = await startTestCluster({ clock: new RealClock(4), apps: [NS] });
    const status = await waitForApp(cluster.sandbox, getApp(NS), 300_000);
    assert.ok(status.ready, `app not up: ${status.waiting.join(", ")}`);

    dir = mkdtempSync(join(tmpdir(), "stratus-prom-"));
    const target = new URL(cluster.sandbox.url).host;
    writeFileSync(join(dir, "prometheus.yml"), [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "  evaluation_interval: 1s",
      "scrape_configs:",
      "  - job_name: sandbox",
      "    metrics_path: /metrics",
      "    static_configs:",
      `      - targets: ["${target}"]`,
      "",
    ].join("\n"));
    const port = await freePort();
    prom = spawn("prometheus", [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=1h",
      "--log.level=warn",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    prom.stdout?.on("data", (d) => (promLog += d));
    prom.stderr?.on("data", (d) => (promLog = (promLog + d).slice(-4000)));
    source = new PrometheusSource({ url: `http://127.0.0.1:${port}`, rateWindow: "15s" });
  });

  after(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((resolve) => prom!.once("exit", resolve));
      prom.kill("SIGTERM");
      await exited;
    }
    await cluster?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("scrapes the sandbox: `up` is 1 and the app's series are queryable", async () => {
    await eventually(async () => {
      const up = await source.query('up{job="sandbox"}');
      return up.length === 1 && up[0].value === 1;
    }, 60_000, `a sample of up{job="sandbox"} (prometheus log: ${promLog.slice(-500)})`);
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
