/**
 * The fault catalog as data: every kind the issue names is registered once, its ground truth has
 * the right shape (noise is benign), params are validated (unknown ones refused by name, wrong
 * values explained), and targets are checked before any write — in a plain sandbox, no app needed.
 * Also the chaos daemon's container-kill: one restart, exit 137, and the pod runs on.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { RealClock } from "../../../sandbox/index.ts";
import { createFaultContext, FAULT_KINDS, FAULTS, faultByKind, FaultError, isNoise, type FaultContext } from "../../../sandbox/faults/index.ts";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

const ISSUE_KINDS = [
  "service-target-port", "service-selector", "scale-zero", "node-selector", "image-missing", "image-buggy", "wrong-command",
  "env-override", "readiness-probe", "memory-limit", "db-auth-revoked", "db-user-dropped", "config-corrupt", "pvc-unbound",
  "network-policy-deny", "network-delay", "network-loss", "cpu-stress", "pod-kill",
];
const NOISE_KINDS = ["noise-restart", "noise-traffic-spike", "noise-rollout"];
const target = { kind: "Deployment", name: "web", namespace: "default" };

describe("fault catalog", () => {
  it("registers every kind of the issue once, with kebab-case names, targets and a one-line summary", () => {
    assert.equal(new Set(FAULT_KINDS).size, FAULT_KINDS.length, "no duplicates");
    for (const k of ISSUE_KINDS) assert.ok(FAULT_KINDS.includes(k), `${k} registered`);
    for (const f of FAULTS) {
      assert.match(f.spec.kind, /^[a-z]+(-[a-z0-9]+)*$/);
      assert.ok(f.spec.targetKinds.length > 0);
      assert.ok(f.spec.summary.length > 10 && !f.spec.summary.includes("\n"));
    }
    for (const k of FAULT_KINDS.filter((k) => k.startsWith("noise-"))) assert.ok(NOISE_KINDS.includes(k), `${k} is a known noise kind`);
  });

  it("gives a root cause (entity, layer, type) for faults and says noise is benign", () => {
    for (const f of FAULTS) {
      const t = { kind: f.spec.targetKinds[0], name: "x", namespace: "ns" };
      const truth = f.groundTruth(t, minimalParams(f.spec.kind));
      assert.deepEqual(truth.entity, { kind: t.kind, namespace: "ns", name: "x" });
      if (isNoise(f)) {
        assert.equal(truth.benign, true, f.spec.kind);
      } else {
        assert.equal(truth.benign, false, f.spec.kind);
        if (!truth.benign) {
          assert.ok(["application", "virtualization", "network", "storage"].includes(truth.layer));
          assert.ok(["misconfiguration", "operation-error", "authentication", "dependency", "code-defect", "resource"].includes(truth.type));
        }
      }
    }
    assert.deepEqual(faultByKind("service-target-port").groundTruth({ kind: "Service", name: "rate", namespace: "hotel-reservation" }), {
      benign: false, entity: { kind: "Service", namespace: "hotel-reservation", name: "rate" }, layer: "virtualization", type: "misconfiguration",
    });
  });

  it("refuses unknown kinds, listing the kinds there are", () => {
    assert.throws(() => faultByKind("target-port"), (e: unknown) => e instanceof FaultError && e.code === "unknown-kind" && /kinds: service-target-port, /.test(e.message));
  });

  it("refuses unknown params by name and bad values with what was expected; defaults need no params", () => {
    const port = faultByKind("service-target-port");
    assert.throws(() => port.groundTruth(target, { prot: 1, colour: "red" }), /unknown params prot, colour for service-target-port \(known: port, index\)/);
    assert.throws(() => port.groundTruth(target, { port: "http" }), (e: unknown) => e instanceof FaultError && e.code === "bad-params" && /param port/.test(e.message));
    assert.throws(() => faultByKind("scale-zero").groundTruth(target, { replicas: 0 }), /unknown param replicas for scale-zero \(scale-zero takes no params\)/);
    assert.throws(() => faultByKind("memory-limit").groundTruth(target, { limit: "lots" }), /expected a memory quantity/);
    // CLI params arrive as strings: numbers are coerced.
    assert.doesNotThrow(() => port.groundTruth(target, { port: "9999" }));
    for (const f of FAULTS) assert.doesNotThrow(() => f.groundTruth({ ...target, kind: f.spec.targetKinds[0] }, minimalParams(f.spec.kind)), f.spec.kind);
    // The generic kind has no default change: it says which param is missing.
    assert.throws(() => faultByKind("api-change").groundTruth(target), /params\.op: must be one of json-patch, merge-patch, delete, create/);
  });

  describe("against a plain cluster", () => {
    let cluster: TestCluster;
    let ctx: FaultContext;
    before(async () => {
      cluster = await startTestCluster({ clock: new RealClock(20) });
      ctx = createFaultContext({ kubeconfig: cluster.kc, workload: { successRatio: async () => 1 } });
      const deploy = {
        apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default", labels: { app: "web" } },
        spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.25", ports: [{ containerPort: 80 }] }] } } },
      };
      await ctx.kube.create(deploy);
    });
    after(async () => {
      await cluster.close();
    });

    it("checks the target before any write: a kind the fault does not take, an object that does not exist", async () => {
      const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" };
      const before = await ctx.kube.require(ref);
      await assert.rejects(faultByKind("service-selector").inject(ctx, target), (e: unknown) => e instanceof FaultError && e.code === "bad-target" && /targets a Service, not a Deployment/.test(e.message));
      await assert.rejects(faultByKind("scale-zero").inject(ctx, { ...target, name: "nope" }), (e: unknown) => e instanceof FaultError && e.code === "target-missing" && /Deployment nope not found in namespace default/.test(e.message));
      await assert.rejects(faultByKind("db-user-dropped").inject(ctx, target), (e: unknown) => e instanceof FaultError && e.code === "bad-target" && /not a database/.test(e.message));
      const after = await ctx.kube.require(ref);
      // Controllers keep writing status; the spec is what an injection would have changed.
      assert.equal(after.metadata.generation, before.metadata.generation, "nothing written");
      assert.deepEqual(after.spec, before.spec);
      assert.equal((await ctx.kube.list("v1", "Secret", "default")).length, 0);
    });

    it("noise-restart: the container is killed once (exit 137), restarts, and the pod is Ready again", async () => {
      const pods = () => ctx.kube.list("v1", "Pod", "default", { labelSelector: "app=web" });
      const ready = (p: any) => p.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");
      await eventually(async () => (await pods()).some(ready), 20_000, "web Ready");
      const rec = await faultByKind("noise-restart").inject(ctx, target);
      assert.equal(rec.changes[0].verb, "signal");
      const p = await eventually(async () => (await pods()).find((x) => ready(x) && x.status.containerStatuses[0].restartCount === 1), 20_000, "restarted once and Ready");
      assert.equal(p.status.containerStatuses[0].lastState.terminated.exitCode, 137);
      const out = await cluster.kubectl(["get", "pods", "-l", "app=web", "--no-headers"]);
      assert.match(out.stdout, /web-\S+\s+1\/1\s+Running\s+1 \(\S+ ago\)/);
      assert.deepEqual(await faultByKind("noise-restart").oracle(ctx, target), { ok: true, reasons: [] });
    });

    it("records the pre-injection replica count: scaling back is needed for the oracle to pass", async () => {
      const rec = await faultByKind("scale-zero").inject(ctx, target);
      assert.equal(ctx.baseline.get("default/web"), 1);
      assert.deepEqual(rec.changes.map((c) => c.detail), ["spec.replicas 1 -> 0"]);
      const failed = await faultByKind("scale-zero").oracle(ctx, target);
      assert.equal(failed.ok, false);
      assert.ok(failed.reasons.some((r) => /asks for 0 replica\(s\), fewer than the 1/.test(r)), failed.reasons.join("; "));
      await ctx.kube.patch({ apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" }, { spec: { replicas: 1 } });
      await eventually(async () => (await faultByKind("scale-zero").oracle(ctx, target)).ok, 20_000, "oracle passes after scaling back");
    });
  });
});

/** The params a kind needs at the least: none, except the generic api-change's op. */
function minimalParams(kind: string): Record<string, unknown> | undefined {
  return kind === "api-change" ? { op: "delete" } : undefined;
}
