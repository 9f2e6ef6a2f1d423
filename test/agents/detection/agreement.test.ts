/**
 * Detection and verification disagree nowhere. For every registered health check: a world in
 * which that check fails makes the detector open an incident naming the check's key; the health
 * measurement the transaction takes (same registry, same defaults) fails every key the incident
 * names; the fix clears them, and the transaction's verdict on before/after is Successful (severity
 * strictly improved); after the incident closes, the fixed world raises nothing. And an incident
 * is only ever opened on failing results of the report it was judged from.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../../src/kube/types.ts";
import { HEALTH_CHECKS } from "../../../src/telemetry/checks/index.ts";
import type { HealthCheck } from "../../../src/telemetry/health-check.ts";
import { result } from "../../../src/telemetry/health-check.ts";
import { judge } from "../../../src/core/verdict.ts";
import { deployment, edge, endpoints, exited, NOW, pending, pod, replicaSet, running, service, stats, waiting } from "../fixtures.ts";
import { world, type World } from "./world.ts";

/** ms before NOW of a moment `ago` ms before the world's clock `at`: what the fixtures' iso() takes. */
const ago = (at: number, ms: number) => NOW - at + ms;

/** geo: a Deployment with one running pod behind Service geo:8080, serving 5 req/s without errors. */
function geo() {
  const d = deployment("geo");
  const rs = replicaSet(d, 1);
  const objects: KubeObject[] = [d, rs, service("geo", 8080), endpoints("geo", 1, 8080), pod(rs, "a", running("geo"))];
  return { d, rs, objects };
}

const find = (w: World, kind: string, name: string) => w.cluster.objects.find((o) => o.kind === kind && o.metadata.name === name)!;
const setPod = (w: World, p: KubeObject | undefined) => {
  w.cluster.objects = [...w.cluster.objects.filter((o) => o.kind !== "Pod"), ...(p ? [p] : [])];
};
const setEndpoints = (w: World, ready: number) => {
  if (!w.cluster.objects.some((o) => o.kind === "Service")) return;
  w.cluster.objects = [...w.cluster.objects.filter((o) => o.kind !== "Endpoints"), endpoints("geo", ready, 8080)];
};
const setAvailable = (d: KubeObject, available: number) => {
  d.status = { ...d.status, availableReplicas: available };
};

type Case = {
  check: string;
  key: string;
  /** Healthy observations before the fault (what the detector learns from). */
  healthy?: number;
  /** Puts the fault in place; called before every observation until an incident opens. */
  breakIt: (w: World, g: ReturnType<typeof geo>, i: number, at: number) => void;
  fix: (w: World, g: ReturnType<typeof geo>) => void;
  /** Replicas before the incident, as the loop gives the transaction. */
  baseline?: Map<string, number>;
  /** geo is a worker: no Service in front of it. */
  worker?: boolean;
};

const CASES: Case[] = [
  {
    check: "deployments-available",
    key: "deployments-available:hr/geo",
    healthy: 3,
    worker: true,
    baseline: new Map([["hr/geo", 1]]),
    breakIt: (w, g) => {
      g.d.spec.replicas = 0;
      g.d.status = { replicas: 0, availableReplicas: 0 };
      setPod(w, undefined);
      setEndpoints(w, 0);
    },
    fix: (w, g) => {
      g.d.spec.replicas = 1;
      g.d.status = { replicas: 1, availableReplicas: 1 };
      setPod(w, pod(g.rs, "b", running("geo", { startedMsAgo: ago(w.now(), 30_000) }), ago(w.now(), 40_000)));
      setEndpoints(w, 1);
    },
  },
  {
    check: "container-states",
    key: "container-states:hr/geo",
    breakIt: (w, g) => {
      find(w, "Pod", `${g.rs.metadata.name}-a`).status = waiting("geo", "ImagePullBackOff", "Back-off pulling image \"example/app:9.9.9\"");
      setAvailable(g.d, 0);
      setEndpoints(w, 0);
    },
    fix: (w, g) => {
      find(w, "Pod", `${g.rs.metadata.name}-a`).status = running("geo", { startedMsAgo: ago(w.now(), 20_000) });
      setAvailable(g.d, 1);
      setEndpoints(w, 1);
    },
  },
  {
    check: "restarts",
    key: "restarts:hr/geo",
    // The container exits cleanly each time: no reason `container-states` judges (it would confirm
    // first, on its shorter hold), only the growth of restarts shows.
    breakIt: (w, g, i, at) => {
      find(w, "Pod", `${g.rs.metadata.name}-a`).status = running("geo", { restarts: 2 * (i + 1), startedMsAgo: ago(at, 2_000), last: exited("Completed", 0, ago(at, 3_000)) });
    },
    // A rollout replaces the pod: the new one has not restarted.
    fix: (w, g) => setPod(w, pod(g.rs, "b", running("geo", { startedMsAgo: ago(w.now(), 20_000) }), ago(w.now(), 30_000))),
  },
  {
    check: "pods-pending",
    key: "pods-pending:hr/geo",
    breakIt: (w, g) => {
      setPod(w, pod(g.rs, "a", pending("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."), 120_000));
      setAvailable(g.d, 0);
      setEndpoints(w, 0);
    },
    fix: (w, g) => {
      setPod(w, pod(g.rs, "b", running("geo", { startedMsAgo: ago(w.now(), 20_000) }), ago(w.now(), 30_000)));
      setAvailable(g.d, 1);
      setEndpoints(w, 1);
    },
  },
  {
    check: "pods-ready",
    key: "pods-ready:hr/geo",
    breakIt: (w, g) => {
      find(w, "Pod", `${g.rs.metadata.name}-a`).status = running("geo", { ready: false, startedMsAgo: 120_000 });
      setAvailable(g.d, 0);
      setEndpoints(w, 0);
    },
    fix: (w, g) => {
      find(w, "Pod", `${g.rs.metadata.name}-a`).status = running("geo", { startedMsAgo: 120_000 });
      setAvailable(g.d, 1);
      setEndpoints(w, 1);
    },
  },
  {
    check: "service-slo",
    key: "service-slo:hr/geo",
    breakIt: (w) => w.metrics.stats.set("geo", stats(0.4)),
    fix: (w) => w.metrics.stats.set("geo", stats(0)),
  },
  {
    check: "firing-alerts",
    key: "firing-alerts:GeoErrors{namespace=hr,service=geo}",
    breakIt: (w) => {
      w.metrics.alerts = [{ name: "GeoErrors", state: "firing", labels: { namespace: "hr", service: "geo", severity: "critical" }, annotations: { summary: "geo answers errors" }, source: "prometheus" }];
    },
    fix: (w) => {
      w.metrics.alerts = [];
    },
  },
  {
    check: "endpoints-ready",
    key: "endpoints-ready:hr/geo",
    breakIt: (w) => {
      find(w, "Service", "geo").spec.selector = { app: "gep" };
      setEndpoints(w, 0);
    },
    fix: (w) => {
      find(w, "Service", "geo").spec.selector = { app: "geo" };
      setEndpoints(w, 1);
    },
  },
  {
    check: "service-ports",
    key: "service-ports:hr/geo",
    breakIt: (w) => {
      find(w, "Service", "geo").spec.ports[0].targetPort = 9999;
    },
    fix: (w) => {
      find(w, "Service", "geo").spec.ports[0].targetPort = 8080;
    },
  },
  {
    check: "rollouts-progressing",
    key: "rollouts-progressing:hr/geo",
    breakIt: (_w, g) => {
      g.d.status.conditions = [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: 'ReplicaSet "geo-r2" has timed out progressing.' }];
    },
    fix: (_w, g) => {
      g.d.status.conditions = [{ type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: 'ReplicaSet "geo-r1" has successfully progressed.' }];
    },
  },
  {
    check: "call-errors",
    key: "call-errors:hr/geo",
    breakIt: (w) => {
      w.metrics.edges = [edge("frontend", "geo", 0.3)];
    },
    fix: (w) => {
      w.metrics.edges = [edge("frontend", "geo", 0)];
    },
  },
];

function healthyWorld(worker = false) {
  const g = geo();
  const w = world(worker ? g.objects.filter((o) => o.kind !== "Service" && o.kind !== "Endpoints") : g.objects);
  w.metrics.stats.set("geo", stats(0));
  return { g, w };
}

describe("detection and verification disagree nowhere", () => {
  it("every registered check has a case below", () => {
    assert.deepEqual(CASES.map((c) => c.check).sort(), HEALTH_CHECKS.map((c) => c.name).sort());
  });

  for (const c of CASES) {
    it(`${c.check}: detection opens on it, the transaction weighs it, a fix that clears it is Successful`, async () => {
      const { g, w } = healthyWorld(c.worker);
      await w.run(c.healthy ?? 1);
      assert.equal(w.incidents.length, 0, "the healthy world raises nothing");

      const inc = await w.untilIncident(30, (i, at) => c.breakIt(w, g, i, at));
      assert.ok(inc, `no incident opened on ${c.key}; last failing: ${w.agent.last?.report.failing.join(", ")}`);
      assert.ok(inc.checks?.includes(c.key), `incident opened on ${inc.checks?.join(", ")}, not on ${c.key}`);
      for (const k of inc.checks!) assert.ok(w.agent.last!.report.failing.includes(k), `${k} is not failing in the report it was judged from`);
      assert.ok(inc.symptoms.some((s) => s.startsWith(`${c.key}: `)), inc.symptoms.join("\n"));

      const h0 = await w.measure({ baselineReplicas: c.baseline });
      for (const k of inc.checks!) assert.ok(h0.failing.includes(k), `verification does not weigh ${k}: H0 fails ${h0.failing.join(", ")}`);

      c.fix(w, g);
      await w.clock.sleep(10_000);
      const h1 = await w.measure({ baselineReplicas: c.baseline, previous: h0 });
      for (const k of inc.checks!) assert.ok(!h1.failing.includes(k), `${k} still fails after the fix: ${h1.results.find((r) => `${r.check}:${r.entity}` === k)?.evidence.join("; ")}`);
      assert.deepEqual(h1.failing, [], "the fix leaves nothing failing");
      const verdict = judge(h0, h1, "mitigation");
      assert.equal(verdict.phase, "Successful", verdict.reason);
      assert.ok(h1.severity < h0.severity);

      w.agent.close(inc.id);
      await w.run(20);
      assert.equal(w.incidents.length, 1, `the fixed world opened ${w.incidents.slice(1).map((i) => i.checks?.join(",")).join("; ")}`);
    });
  }
});

describe("detection opens incidents on failing check results only", () => {
  it("with every fault at once, each incident names only keys the report it was judged from fails, and its symptoms only those it fails now", async () => {
    const { g, w } = healthyWorld();
    await w.run(3);
    const reports: string[][] = [];
    for (let i = 0; i < 12; i++) {
      for (const c of CASES) if (c.check !== "deployments-available" && c.check !== "pods-pending") c.breakIt(w, g, i, w.now());
      const inc = await w.agent.observe(w.ctx);
      const failing = w.agent.last!.report.failing;
      reports.push(failing);
      if (inc) {
        w.incidents.push(inc);
        assert.ok(inc.checks!.length > 0);
        for (const k of inc.checks!) assert.ok(failing.includes(k), `${k} not in ${failing.join(", ")}`);
        for (const s of inc.symptoms) assert.ok(failing.includes(s.split(": ")[0]), `symptom ${s} is not a failing result`);
      }
      await w.clock.sleep(10_000);
    }
    assert.equal(w.incidents.length, 1, "one namespace, one open incident");
    // The alert has held in its source and opens the incident at once; the rest ride along as symptoms.
    assert.deepEqual(w.incidents[0].checks, ["firing-alerts:GeoErrors{namespace=hr,service=geo}"]);
    assert.ok(w.incidents[0].symptoms.length >= 5, w.incidents[0].symptoms.join("\n"));
  });

  it("a check that only errors or skips never opens an incident, and its error is evidence, not a symptom", async () => {
    const flaky: HealthCheck = {
      name: "flaky",
      weight: 5,
      async evaluate() {
        return [result("flaky", "hr/geo", "skipped", null, ["nothing to judge"]), result("flaky", "hr/db", "error", null, ["cannot reach the database"])];
      },
    };
    const broken: HealthCheck = {
      name: "broken",
      weight: 5,
      async evaluate() {
        throw new Error("the check itself is broken");
      },
    };
    const { w } = ((): { w: World } => {
      const g = geo();
      return { w: world(g.objects, { checks: [flaky, broken] }) };
    })();
    await w.run(20);
    assert.equal(w.incidents.length, 0);
    assert.deepEqual(w.agent.last!.report.failing, []);
    assert.ok(w.agent.last!.problems.some((p) => /broken could not run/.test(p)), w.agent.last!.problems.join("; "));
  });
});
