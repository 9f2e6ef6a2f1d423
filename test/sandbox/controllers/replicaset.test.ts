/**
 * The ReplicaSet controller on a VirtualClock: pods created from the template with owner references
 * and events, replacement and deletion of pods, ready/available counts against minReadySeconds, pods
 * being deleted, cascade on delete; and the pure rules for readiness and for which pods go first.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Sandbox, VirtualClock } from "../../../sandbox/index.ts";
import type { KObject } from "../../../sandbox/api/types.ts";
import { isPodActive, isPodAvailable } from "../../../sandbox/controllers/pod-readiness.ts";
import { podsToDelete } from "../../../sandbox/controllers/replicaset.ts";

function replicaSet(name: string, replicas: number, extra: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "default", labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, tier: "web" }, annotations: { "example.com/note": "kept" } },
        spec: { containers: [{ name: "web", image: "nginx:1.25" }] },
      },
      ...extra,
    },
  };
}

describe("ReplicaSet controller", () => {
  let clock: VirtualClock;
  let sandbox: Sandbox;
  const rt = (kind: string) => sandbox.context.rt(kind);
  const podsOf = (rs: string) =>
    sandbox.store.list(rt("Pod"), "default").filter((p) => p.metadata.ownerReferences?.[0]?.name === rs);
  const rsNamed = (name: string) => sandbox.store.require(rt("ReplicaSet"), "default", name);
  const eventsFor = (name: string, reason: string) =>
    sandbox.store.list(rt("Event"), "default").filter((e) => e.involvedObject.name === name && e.reason === reason);

  before(async () => {
    clock = new VirtualClock();
    sandbox = await Sandbox.start({ clock });
  });
  after(() => sandbox.close());

  it("creates pods from the template, owned by the ReplicaSet, with SuccessfulCreate events", () => {
    sandbox.store.create(rt("ReplicaSet"), replicaSet("alpha", 3));
    clock.advance(10);
    const pods = podsOf("alpha");
    assert.equal(pods.length, 3);
    const rs = rsNamed("alpha");
    for (const pod of pods) {
      assert.match(pod.metadata.name!, /^alpha-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.equal(pod.metadata.generateName, "alpha-");
      assert.deepEqual(pod.metadata.labels, { app: "alpha", tier: "web" });
      assert.equal(pod.metadata.annotations?.["example.com/note"], "kept");
      assert.deepEqual(pod.metadata.ownerReferences, [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "alpha", uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
      assert.equal(pod.spec.containers[0].image, "nginx:1.25");
    }
    const created = eventsFor("alpha", "SuccessfulCreate");
    assert.equal(created.length, 3);
    assert.deepEqual(created.map((e) => e.message).sort(), pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    assert.equal(created[0].source.component, "replicaset-controller");
    assert.equal(rs.status.replicas, 3);
    assert.equal(rs.status.fullyLabeledReplicas, 3);
    assert.equal(rs.status.observedGeneration, 1);
    assert.equal(rs.status.readyReplicas, undefined, "no pod is ready yet");
  });

  it("replaces a deleted pod and deletes extras with SuccessfulDelete events", () => {
    const [victim] = podsOf("alpha");
    sandbox.store.delete(rt("Pod"), "default", victim.metadata.name!);
    clock.advance(10);
    assert.equal(podsOf("alpha").length, 3);
    assert.ok(!podsOf("alpha").some((p) => p.metadata.name === victim.metadata.name));

    sandbox.store.mutate(rt("ReplicaSet"), "default", "alpha", (o) => { o.spec.replicas = 1; });
    clock.advance(10);
    assert.equal(podsOf("alpha").length, 1);
    assert.equal(eventsFor("alpha", "SuccessfulDelete").length, 2);
    assert.match(eventsFor("alpha", "SuccessfulDelete")[0].message, /^Deleted pod: alpha-/);
    const rs = rsNamed("alpha");
    assert.equal(rs.status.replicas, 1);
    assert.equal(rs.status.observedGeneration, 2);
  });

  it("counts ready pods at once and available ones only after minReadySeconds", () => {
    // The sandbox's scheduler and kubelet run the nginx pods; they are Ready within seconds.
    sandbox.store.create(rt("ReplicaSet"), replicaSet("beta", 2, { minReadySeconds: 30 }));
    for (let waited = 0; (rsNamed("beta").status.readyReplicas ?? 0) < 2; waited += 500) {
      assert.ok(waited < 30_000, "pods never became ready");
      clock.advance(500);
    }
    assert.equal(rsNamed("beta").status.availableReplicas, undefined);
    clock.advance(20_000);
    assert.equal(rsNamed("beta").status.availableReplicas, undefined, "20 s is short of minReadySeconds");
    clock.advance(15_000);
    const rs = rsNamed("beta");
    assert.equal(rs.status.availableReplicas, 2);
    assert.equal(rs.status.readyReplicas, 2);
  });

  it("replaces a pod that is being deleted and stops counting it", () => {
    sandbox.store.create(rt("ReplicaSet"), replicaSet("gamma", 2));
    clock.advance(10);
    const [held] = podsOf("gamma");
    const name = held.metadata.name!;
    sandbox.store.mutate(rt("Pod"), "default", name, (p) => { p.metadata.finalizers = ["example.com/hold"]; });
    sandbox.store.delete(rt("Pod"), "default", name);
    clock.advance(10);
    assert.ok(sandbox.store.get(rt("Pod"), "default", name)?.metadata.deletionTimestamp, "the finalizer keeps it");
    assert.equal(podsOf("gamma").filter((p) => !p.metadata.deletionTimestamp).length, 2, "a replacement was created");
    assert.equal(rsNamed("gamma").status.replicas, 2);
    sandbox.store.mutate(rt("Pod"), "default", name, (p) => { p.metadata.finalizers = []; });
    clock.advance(10);
    assert.equal(podsOf("gamma").length, 2);
  });

  it("goes away with its pods when deleted", () => {
    sandbox.store.create(rt("ReplicaSet"), replicaSet("delta", 2));
    clock.advance(10);
    assert.equal(podsOf("delta").length, 2);
    sandbox.store.delete(rt("ReplicaSet"), "default", "delta");
    clock.advance(10);
    assert.equal(podsOf("delta").length, 0);
  });
});

describe("pod readiness", () => {
  const at = (s: number) => Date.UTC(2026, 0, 1, 0, 0, s);
  const pod = (status: Record<string, unknown>, deleting = false): KObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
    status,
  });
  const ready = pod({ phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2026-01-01T00:00:10Z" }] });

  it("is available only strictly after minReadySeconds of readiness", () => {
    assert.ok(isPodAvailable(ready, 0, at(10)));
    assert.ok(!isPodAvailable(ready, 5, at(15)));
    assert.ok(isPodAvailable(ready, 5, at(16)));
    assert.ok(!isPodAvailable(pod({ phase: "Running", conditions: [{ type: "Ready", status: "False" }] }), 0, at(20)));
  });

  it("treats finished and terminating pods as inactive", () => {
    assert.ok(isPodActive(ready));
    assert.ok(!isPodActive(pod({ phase: "Failed" })));
    assert.ok(!isPodActive(pod({ phase: "Succeeded" })));
    assert.ok(!isPodActive(pod({ phase: "Running" }, true)));
  });
});

describe("podsToDelete", () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString().replace(".000Z", "Z");
  const pod = (name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: number; created?: number; restarts?: number }): KObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, creationTimestamp: t(o.created ?? 0) },
    spec: { ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? "Running",
      conditions: o.ready ? [{ type: "Ready", status: "True", lastTransitionTime: t(o.readySince ?? 0) }] : [],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  });
  const names = (pods: KObject[]) => pods.map((p) => p.metadata.name);

  it("prefers unscheduled, then pending, then not ready pods", () => {
    const pods = [
      pod("ready", { node: "node-1", ready: true }),
      pod("unready", { node: "node-2" }),
      pod("pending", { node: "node-3", phase: "Pending" }),
      pod("unscheduled", { phase: "Pending" }),
    ];
    assert.deepEqual(names(podsToDelete(pods, 3)), ["unscheduled", "pending", "unready"]);
  });

  it("among ready pods prefers doubled-up nodes, then the most recently ready, then restarts, then the newest", () => {
    const pods = [
      pod("alone", { node: "node-1", ready: true, readySince: 50 }),
      pod("crowded-a", { node: "node-2", ready: true, readySince: 10 }),
      pod("crowded-b", { node: "node-2", ready: true, readySince: 20 }),
    ];
    assert.deepEqual(names(podsToDelete(pods, 2)), ["crowded-b", "crowded-a"]);
    const same = [
      pod("old", { node: "node-1", ready: true, created: 1 }),
      pod("new", { node: "node-2", ready: true, created: 9 }),
      pod("flaky", { node: "node-3", ready: true, created: 0, restarts: 4 }),
    ];
    assert.deepEqual(names(podsToDelete(same, 2)), ["flaky", "new"]);
  });
});
