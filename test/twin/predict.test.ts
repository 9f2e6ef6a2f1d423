/**
 * predictPlan against a real sandbox as the live cluster and twins reached over HTTP: a plan that
 * clears the incident is predicted to work, one that does not (or cannot apply, or cannot roll out)
 * is predicted to fail, and the live cluster is never written.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parsePlan } from "../../src/core/plan.ts";
import { measureHealth } from "../../src/telemetry/index.ts";
import { systemClock } from "../../src/base/clock.ts";
import { predictPlan } from "../../src/twin/predict.ts";
import { InProcessTwinLauncher, startLiveShop, type LiveShop } from "./fixture.ts";

const plan = (steps: unknown[]) => parsePlan({ steps });

describe("predictPlan", () => {
  let shop: LiveShop;
  const launcher = new InProcessTwinLauncher();
  before(async () => {
    shop = await startLiveShop();
  });
  after(async () => {
    await shop?.close();
  });

  it("predicts a harmless scale-up works on a copy and leaves the live cluster alone", async () => {
    const before = await shop.client.read({ apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" });
    const p = await predictPlan({ plan: plan([{ id: "scale", action: { type: "scale", params: { namespace: "shop", name: "web", replicas: 2 } } }]), live: shop.client, launcher });
    assert.deepEqual(p.steps.map((s) => s.ok), [true], JSON.stringify(p.steps));
    assert.equal(p.rollouts[0]?.completed, true, JSON.stringify(p.rollouts));
    assert.deepEqual(p.regressions, []);
    assert.notEqual(p.verdict, "fails", p.reasons.join("; "));
    assert.equal(p.seed.copied.Deployment, 2);
    assert.equal(p.seed.copied.Secret, 1);
    assert.ok(p.seed.copied.Node >= 1, "nodes are copied");
    const now = await shop.client.read({ apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" });
    assert.equal(now?.metadata.resourceVersion, before?.metadata.resourceVersion, "the live Deployment was not written");
  });

  it("predicts an image that does not exist never rolls out", async () => {
    const p = await predictPlan({
      plan: plan([{ id: "img", action: { type: "set-image", params: { namespace: "shop", name: "web", container: "web", image: "nginx:0.0.0-nope" } } }]),
      live: shop.client, launcher, settings: { rolloutBoundMs: 60_000 },
    });
    assert.equal(p.verdict, "fails", p.reasons.join("; "));
    assert.equal(p.rollouts[0]?.completed, false);
    assert.match(p.reasons.join("\n"), /rollout of shop\/web would not complete/);
  });

  it("predicts which candidate clears a broken Service: the restart does not, the port fix does", async () => {
    // The incident: Service web targets a port no pod serves.
    await shop.client.patch({ apiVersion: "v1", kind: "Service", namespace: "shop", name: "web" }, { spec: { ports: [{ port: 80, targetPort: 81 }] } }, "merge");
    try {
      const health = await measureHealth({ cluster: shop.client, namespaces: ["shop"], clock: systemClock });
      const incidentChecks = health.failing.filter((k) => k.startsWith("service-ports:"));
      assert.deepEqual(incidentChecks, ["service-ports:shop/web"], health.failing.join(", "));

      const restart = await predictPlan({ plan: plan([{ id: "restart", action: { type: "rollout-restart", params: { namespace: "shop", name: "web" } } }]), live: shop.client, launcher, incidentChecks });
      assert.equal(restart.verdict, "fails", restart.reasons.join("; "));
      assert.deepEqual(restart.checks, [{ key: "service-ports:shop/web", outcome: "persists" }]);
      assert.equal(restart.rollouts[0]?.completed, true, "the restart itself rolls out");
      assert.ok(restart.waits[0] && restart.waits[0].timeoutMs >= 15_000, JSON.stringify(restart.waits));

      const fix = await predictPlan({ plan: plan([{ id: "port", action: { type: "update-service", params: { namespace: "shop", name: "web", ports: [{ port: 80, targetPort: 80 }] } } }]), live: shop.client, launcher, incidentChecks });
      assert.equal(fix.verdict, "works", fix.reasons.join("; "));
      assert.deepEqual(fix.checks, [{ key: "service-ports:shop/web", outcome: "clears" }]);
    } finally {
      await shop.client.patch({ apiVersion: "v1", kind: "Service", namespace: "shop", name: "web" }, { spec: { ports: [{ port: 80, targetPort: 80 }] } }, "merge");
    }
  });

  it("measures the blast radius of scaling a called service to zero, callers included", async () => {
    const p = await predictPlan({
      plan: plan([{ id: "zero", action: { type: "scale", params: { namespace: "shop", name: "api", replicas: 0 } } }]),
      live: shop.client, launcher, callers: (s) => (s.name === "api" ? ["shop/web"] : []),
      settings: { stabilizationMs: 10_000 },
    });
    const api = p.blastRadius.services.find((s) => s.service === "shop/api");
    assert.ok(api && api.via === "endpoints" && api.interruptedMs >= 10_000, JSON.stringify(p.blastRadius));
    assert.deepEqual(p.blastRadius.services.find((s) => s.service === "shop/web")?.via, "caller");
    assert.equal(p.blastRadius.size, 2);
  });

  it("carries the ReplicaSet history over: a rollout-undo finds the previous revision on the twin", async () => {
    const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "api" };
    await shop.client.patch(ref, { spec: { template: { spec: { containers: [{ name: "api", image: "busybox:0.0.0-missing" }] } } } }, "strategic");
    try {
      const p = await predictPlan({ plan: plan([{ id: "undo", action: { type: "rollout-undo", params: { namespace: "shop", name: "api" } } }]), live: shop.client, launcher, incidentChecks: ["container-states:shop/api"] });
      assert.deepEqual(p.steps.map((s) => [s.ok, s.error ?? ""]), [[true, ""]]);
      assert.match(p.steps[0].summary, /revision 2 → 1/);
      assert.equal(p.rollouts[0]?.completed, true, JSON.stringify(p.rollouts));
      assert.equal(p.verdict, "works", p.reasons.join("; "));
      assert.ok((p.seed.copied.ReplicaSet ?? 0) >= 3, JSON.stringify(p.seed.copied));
    } finally {
      await shop.client.patch(ref, { spec: { template: { spec: { containers: [{ name: "api", image: "busybox:1.36" }] } } } }, "strategic");
    }
  });

  it("says a twin that cannot start gives no prediction rather than a block", async () => {
    const p = await predictPlan({ plan: plan([{ id: "s", action: { type: "scale", params: { namespace: "shop", name: "web", replicas: 2 } } }]), live: shop.client, launcher: { start: () => Promise.reject(new Error("no room")) } });
    assert.equal(p.verdict, "uncertain");
    assert.match(p.reasons[0], /twin did not start \(no room\)/);
  });
});
