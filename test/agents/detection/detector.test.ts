/**
 * The detection reasoner's windows and hysteresis, on an in-memory cluster and metric source with a
 * hand-moved clock: one restart, a 20-second error spike and a healthy rollout raise nothing; a
 * persistent failure raises exactly one incident (with the onset it began at), and after it is
 * closed what remains must hold again before a new one opens.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../../src/kube/types.ts";
import type { CallEdge, MetricSource, ServiceStats } from "../../../src/telemetry/metric-source.ts";
import { EmbeddedDetectionAgent } from "../../../agents/detection/detector.ts";
import { DEFAULT_DETECTION } from "../../../agents/detection/defaults.ts";
import type { AgentContext } from "../../../src/incident/agent.ts";
import type { Incident } from "../../../src/incident/types.ts";
import { FakeCluster } from "../../telemetry/fake-cluster.ts";
import { deployment, endpoints, exited, iso, NOW, NS, pod, replicaSet, running, service, waiting } from "../fixtures.ts";

class FakeMetrics implements MetricSource {
  readonly name = "fake metrics";
  stats = new Map<string, ServiceStats>();
  edges: CallEdge[] = [];
  async serviceStats() {
    return new Map(this.stats);
  }
  async callEdges() {
    return [...this.edges];
  }
  async firingAlerts() {
    return [];
  }
}

/** A world whose objects and metrics a test rewrites between observations taken every `stepMs`. */
function world(objects: KubeObject[]) {
  let t = NOW;
  const cluster = new FakeCluster(objects);
  const metrics = new FakeMetrics();
  metrics.stats.set("geo", { requestRate: 5, errorRatio: 0, p99Seconds: 0.05 });
  const clock = { now: () => t, sleep: async (ms: number) => void (t += ms) };
  const ctx: AgentContext = { client: cluster, clock, namespaces: [NS], metrics };
  const agent = new EmbeddedDetectionAgent();
  const incidents: Incident[] = [];
  return {
    cluster, metrics, agent, incidents, ctx,
    now: () => t,
    /** Observes `n` times, `stepMs` apart, calling `change(i, t)` before each. */
    async run(n: number, change: (i: number, at: number) => void = () => {}, stepMs = 10_000) {
      for (let i = 0; i < n; i++) {
        change(i, t);
        const inc = await agent.observe(ctx);
        if (inc) incidents.push(inc);
        t += stepMs;
      }
    },
  };
}

const geo = () => {
  const d = deployment("geo");
  const rs = replicaSet(d, 1);
  return { d, rs, objects: [d, rs, service("geo", 8080), endpoints("geo", 1, 8080)] };
};

describe("detection hysteresis", () => {
  it("a single container restart is not an incident", async () => {
    const { rs, objects } = geo();
    const p = pod(rs, "a", running("geo"));
    const w = world([...objects, p]);
    await w.run(12, (i, at) => {
      if (i === 3) p.status = running("geo", { restarts: 1, startedMsAgo: NOW - at, last: exited("Error", 137, NOW - at) });
    });
    assert.equal(w.incidents.length, 0);
  });

  it("a 20-second burst of errors is not an incident; the same errors persisting are", async () => {
    const { rs, objects } = geo();
    const w = world([...objects, pod(rs, "a", running("geo"))]);
    await w.run(12, (i) => w.metrics.stats.set("geo", { requestRate: 5, errorRatio: i === 4 || i === 5 ? 0.4 : 0, p99Seconds: 0.05 }));
    assert.equal(w.incidents.length, 0, "spike");
    await w.run(10, () => w.metrics.stats.set("geo", { requestRate: 5, errorRatio: 0.4, p99Seconds: 0.05 }));
    assert.equal(w.incidents.length, 1, "persistent");
    assert.match(w.incidents[0].symptoms[0], /^service-slo:hr\/geo: service hr\/geo: 5.00 req\/s, 40.00% errors/);
    assert.deepEqual(w.incidents[0].checks, ["service-slo:hr/geo"]);
  });

  it("a healthy rollout (new pod starting, then Ready, old one gone) is not an incident", async () => {
    const { d, rs, objects } = geo();
    const old = pod(rs, "a", running("geo"));
    const w = world([...objects, old]);
    const rs2 = replicaSet(d, 2, d.spec.template, 0);
    await w.run(12, (i, at) => {
      if (i === 2) {
        w.cluster.objects.push(rs2, pod(rs2, "b", { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }] }, NOW - at));
        d.status = { replicas: 2, availableReplicas: 1, updatedReplicas: 1 };
      }
      if (i === 3) w.cluster.objects.find((o) => o.metadata.name === `${rs2.metadata.name}-b`)!.status = running("geo", { ready: false, startedMsAgo: NOW - at });
      if (i === 5) {
        w.cluster.objects.find((o) => o.metadata.name === `${rs2.metadata.name}-b`)!.status = running("geo", { startedMsAgo: NOW - at + 20_000 });
        w.cluster.objects = w.cluster.objects.filter((o) => o !== old);
        d.status = { replicas: 1, availableReplicas: 1, updatedReplicas: 1 };
      }
    });
    assert.equal(w.incidents.length, 0);
  });

  it("a persistent crash loop opens one incident, not two, dated to its first failing sample", async () => {
    const { d, rs, objects } = geo();
    const p = pod(rs, "a", running("geo"));
    const w = world([...objects, p]);
    let failedAt = 0;
    await w.run(15, (i, at) => {
      if (i < 3) return;
      if (i === 3) failedAt = at;
      p.status = waiting("geo", "CrashLoopBackOff", "back-off 40s restarting failed container", { restarts: i - 1, last: exited("Error", 2, 5_000 - (at - NOW)) });
      d.status = { replicas: 1, availableReplicas: 0 };
    });
    assert.equal(w.incidents.length, 1);
    const inc = w.incidents[0];
    assert.equal(inc.namespace, NS);
    assert.equal(inc.severity, "critical");
    assert.ok(inc.affected.includes("geo"));
    assert.ok(inc.symptoms.some((s) => s.startsWith("container-states:hr/geo")), inc.symptoms.join("\n"));
    assert.ok(Date.parse(inc.openedAt) - failedAt >= DEFAULT_DETECTION.holdMsByCheck["container-states"], "held for its check's hold");
    assert.ok(Date.parse(inc.openedAt) - failedAt >= (DEFAULT_DETECTION.minObservations - 1) * 10_000, "seen in enough observations");
    assert.ok(Date.parse(inc.onsetAt) <= failedAt && Date.parse(inc.onsetAt) > failedAt - 10_000, `onset ${inc.onsetAt} vs first failing sample ${iso(NOW - failedAt)}`);
    assert.deepEqual(w.agent.openIncidents().map((x) => x.id), [inc.id]);
  });

  it("after close, what remains must hold again before a new incident opens", async () => {
    const { rs, objects } = geo();
    const w = world([...objects, pod(rs, "a", waiting("geo", "ImagePullBackOff", "Back-off pulling image"))]);
    await w.run(5);
    assert.equal(w.incidents.length, 1);
    w.agent.close(w.incidents[0].id);
    const closedAt = w.now();
    await w.run(2);
    assert.equal(w.incidents.length, 1, "not re-opened at once");
    await w.run(4);
    assert.equal(w.incidents.length, 2, "re-opened after holding again");
    assert.ok(Date.parse(w.incidents[1].openedAt) - closedAt >= Math.max(DEFAULT_DETECTION.holdMsByCheck["container-states"], (DEFAULT_DETECTION.minObservations - 1) * 10_000));
    assert.notEqual(w.incidents[1].id, w.incidents[0].id);
  });

  /** Observations, 5 s apart, after which a failure seen from the first of them is confirmed. */
  const toConfirm = (holdMs: number) => Math.max(DEFAULT_DETECTION.minObservations, Math.ceil(holdMs / 5_000) + 1);

  it("the kubelet saying a container cannot run opens on its own short hold; errors read from metrics wait the longer metric hold", async () => {
    const a = geo();
    const pulling = world([...a.objects, pod(a.rs, "a", waiting("geo", "ImagePullBackOff", "Back-off pulling image"))]);
    const n = toConfirm(DEFAULT_DETECTION.holdMsByCheck["container-states"]);
    await pulling.run(n - 1, undefined, 5_000);
    assert.equal(pulling.incidents.length, 0, "not before its hold");
    await pulling.run(1, undefined, 5_000);
    assert.equal(pulling.incidents.length, 1, "confirmed after its hold");

    const b = geo();
    const erroring = world([...b.objects, pod(b.rs, "a", running("geo"))]);
    const m = toConfirm(DEFAULT_DETECTION.metricHoldMs);
    assert.ok(m > n, "a metric failure holds longer than the kubelet's verdict");
    const errors = () => erroring.metrics.stats.set("geo", { requestRate: 5, errorRatio: 0.4, p99Seconds: 0.05 });
    await erroring.run(m - 1, errors, 5_000);
    assert.equal(erroring.incidents.length, 0, "not before the metric hold");
    await erroring.run(1, errors, 5_000);
    assert.equal(erroring.incidents.length, 1, "confirmed after the metric hold");
  });

  it("a pod Pending past its grace period opens after the observation count alone: the grace was its hold", async () => {
    const { rs, objects } = geo();
    const stuck = pod(rs, "a", { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] }, 90_000);
    const w = world([...objects, stuck]);
    await w.run(DEFAULT_DETECTION.minObservations - 1, undefined, 5_000);
    assert.equal(w.incidents.length, 0);
    await w.run(1, undefined, 5_000);
    assert.equal(w.incidents.length, 1);
    assert.ok(w.incidents[0].checks?.includes("pods-pending:hr/geo"), w.incidents[0].symptoms.join("\n"));
  });

  it("never throws: an unreadable kind is named in the evidence, the rest still judged", async () => {
    const { rs, objects } = geo();
    const w = world([...objects, pod(rs, "a", waiting("geo", "ImagePullBackOff", "Back-off pulling image"))]);
    w.cluster.failKind = "Endpoints";
    await w.run(5);
    assert.equal(w.incidents.length, 1);
    assert.ok(w.incidents[0].evidence.some((e) => /not observed: check endpoints-ready could not run: list Endpoints/.test(e.fact)), JSON.stringify(w.incidents[0].evidence));
  });
});
