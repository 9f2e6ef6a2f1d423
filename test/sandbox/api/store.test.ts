/**
 * Unit tests of the ObjectStore on a VirtualClock: how it stamps metadata on create, update and
 * delete, that a no-op write is not a change, that spec and status are written separately, how
 * finalizers hold a deletion open, and how the bounded event history answers watches (410 when
 * too old). No HTTP here: this is the store's own contract.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createAdmission } from "../../../sandbox/api/admission.ts";
import { ApiError } from "../../../sandbox/api/errors.ts";
import { kindMap } from "../../../sandbox/api/kinds/index.ts";
import { ResourceRegistry, type ResourceType } from "../../../sandbox/api/resources.ts";
import { ObjectStore } from "../../../sandbox/api/store.ts";
import type { KObject, StoreEvent } from "../../../sandbox/api/types.ts";
import { VirtualClock } from "../../../sandbox/clock.ts";

const START = Date.parse("2026-01-01T00:00:00Z");

function setup(historySize?: number) {
  const clock = new VirtualClock(START);
  const registry = new ResourceRegistry();
  const store = new ObjectStore({ clock, registry, admission: createAdmission(kindMap()), historySize, random: seeded(7) });
  const rt = (group: string, plural: string): ResourceType => {
    const found = registry.all().find((t) => t.group === group && t.plural === plural);
    assert.ok(found, `no resource type ${group}/${plural}`);
    return found;
  };
  const ns = rt("", "namespaces");
  const cm = rt("", "configmaps");
  const deploy = rt("apps", "deployments");
  store.create(ns, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
  const events: StoreEvent[] = [];
  store.onEvent((e) => events.push(e));
  return { clock, store, ns, cm, deploy, events };
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const configMap = (name: string, data: Record<string, string> = { k: "v" }): KObject => ({
  apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data,
});

const deployment = (name: string, image = "nginx:1.27"): KObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "default", labels: { app: name } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "main", image }] } },
  },
});

const isApiError = (code: number, reason: string) => (e: unknown) => {
  assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
  assert.equal(e.code, code);
  assert.equal(e.reason, reason);
  return true;
};

describe("ObjectStore create", () => {
  it("stamps uid, resourceVersion and creationTimestamp from the clock, and emits ADDED", () => {
    const { store, cm, events, clock } = setup();
    clock.advance(90_500);
    const before = store.currentRv();
    const obj = store.create(cm, configMap("a"));
    assert.match(obj.metadata.uid!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(obj.metadata.resourceVersion, String(before + 1));
    assert.equal(obj.metadata.creationTimestamp, "2026-01-01T00:01:30Z");
    assert.equal(obj.metadata.generation, undefined, "core kinds keep no generation");
    assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name, e.rv]), [["ADDED", "a", before + 1]]);
    assert.deepEqual(store.get(cm, "default", "a"), obj);
  });

  it("ignores client-sent uid, resourceVersion and deletionTimestamp, and defaults the namespace", () => {
    const { store, cm } = setup();
    const obj = store.create(cm, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", uid: "mine", resourceVersion: "999", deletionTimestamp: "2020-01-01T00:00:00Z" } });
    assert.notEqual(obj.metadata.uid, "mine");
    assert.notEqual(obj.metadata.resourceVersion, "999");
    assert.equal(obj.metadata.deletionTimestamp, undefined);
    assert.equal(obj.metadata.namespace, "default");
  });

  it("starts generation at 1 for grouped kinds", () => {
    const { store, deploy } = setup();
    assert.equal(store.create(deploy, deployment("web")).metadata.generation, 1);
  });

  it("fills generateName with a random suffix", () => {
    const { store, cm } = setup();
    const obj = store.create(cm, { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "job-" } });
    assert.match(obj.metadata.name!, /^job-[a-z0-9]{5}$/);
  });

  it("refuses a duplicate with 409 AlreadyExists and a missing namespace with 404", () => {
    const { store, cm } = setup();
    store.create(cm, configMap("a"));
    assert.throws(() => store.create(cm, configMap("a")), isApiError(409, "AlreadyExists"));
    assert.throws(() => store.create(cm, { ...configMap("x"), metadata: { name: "x", namespace: "nowhere" } }), isApiError(404, "NotFound"));
  });

  it("dry-run admits and answers but stores nothing and emits nothing", () => {
    const { store, cm, events } = setup();
    const rv = store.currentRv();
    const obj = store.create(cm, configMap("dry"), { dryRun: true });
    assert.equal(obj.metadata.name, "dry");
    assert.equal(store.get(cm, "default", "dry"), undefined);
    assert.equal(store.currentRv(), rv);
    assert.equal(events.length, 0);
  });

  it("rejects invalid metadata with 422 Invalid and field causes", () => {
    const { store, cm } = setup();
    assert.throws(() => store.create(cm, configMap("Bad_Name")), (e: unknown) => {
      isApiError(422, "Invalid")(e);
      assert.equal((e as ApiError).details?.causes?.[0].field, "metadata.name");
      return true;
    });
  });
});

describe("ObjectStore update", () => {
  it("bumps resourceVersion, keeps uid and creationTimestamp, and emits MODIFIED with the old object", () => {
    const { store, cm, events, clock } = setup();
    const a = store.create(cm, configMap("a"));
    clock.advance(60_000);
    const next = structuredClone(a);
    next.data = { k: "changed" };
    next.metadata.creationTimestamp = "1999-01-01T00:00:00Z";
    next.metadata.uid = undefined;
    const b = store.update(cm, next);
    assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
    assert.equal(b.metadata.uid, a.metadata.uid);
    assert.equal(b.metadata.creationTimestamp, a.metadata.creationTimestamp);
    assert.equal(b.data.k, "changed");
    const last = events.at(-1)!;
    assert.equal(last.type, "MODIFIED");
    assert.equal(last.old?.data.k, "v");
  });

  it("answers a no-op update with the stored object: same resourceVersion, no event", () => {
    const { store, cm, events } = setup();
    const a = store.create(cm, configMap("a", { x: "1", y: "2" }));
    const count = events.length;
    const same = store.mutate(cm, "default", "a", () => {});
    assert.equal(same.metadata.resourceVersion, a.metadata.resourceVersion);
    // The same content with keys in another order is still no change.
    const reordered = { data: { y: "2", x: "1" }, metadata: { ...a.metadata }, kind: "ConfigMap", apiVersion: "v1" } as KObject;
    assert.equal(store.update(cm, reordered).metadata.resourceVersion, a.metadata.resourceVersion);
    assert.equal(events.length, count);
  });

  it("refuses a stale resourceVersion with 409 Conflict and a wrong uid with 409", () => {
    const { store, cm } = setup();
    const a = store.create(cm, configMap("a"));
    store.mutate(cm, "default", "a", (o) => { o.data.k = "v2"; });
    assert.throws(() => store.update(cm, { ...a, data: { k: "v3" } }), isApiError(409, "Conflict"));
    assert.throws(() => store.update(cm, { ...a, metadata: { ...a.metadata, resourceVersion: undefined, uid: "other" } }), isApiError(409, "Conflict"));
    assert.throws(() => store.update(cm, configMap("missing")), isApiError(404, "NotFound"));
  });

  it("bumps generation on a spec change but not on a label change", () => {
    const { store, deploy } = setup();
    store.create(deploy, deployment("web"));
    const labelled = store.mutate(deploy, "default", "web", (o) => { o.metadata.labels!.tier = "front"; });
    assert.equal(labelled.metadata.generation, 1);
    const scaled = store.mutate(deploy, "default", "web", (o) => { o.spec.replicas = 3; });
    assert.equal(scaled.metadata.generation, 2);
  });

  it("keeps status out of a main update and spec out of a status update", () => {
    const { store, deploy } = setup();
    store.create(deploy, deployment("web"));
    const withStatus = store.mutate(deploy, "default", "web", (o) => { o.status = { replicas: 1, readyReplicas: 1 }; }, { subresource: "status" });
    assert.deepEqual(withStatus.status, { replicas: 1, readyReplicas: 1 });
    assert.equal(withStatus.metadata.generation, 1, "a status write is not a spec change");

    const main = store.mutate(deploy, "default", "web", (o) => { o.spec.replicas = 5; o.status = { replicas: 99 }; });
    assert.equal(main.spec.replicas, 5);
    assert.deepEqual(main.status, { replicas: 1, readyReplicas: 1 }, "the main resource cannot write status");

    const status = store.mutate(deploy, "default", "web", (o) => { o.spec.replicas = 0; o.metadata.labels = { hacked: "yes" }; o.status = { replicas: 5 }; }, { subresource: "status" });
    assert.equal(status.spec.replicas, 5, "the status subresource cannot write spec");
    assert.equal(status.metadata.labels?.hacked, undefined, "nor metadata");
    assert.deepEqual(status.status, { replicas: 5 });
  });

  it("dry-run update answers the new object but stores nothing", () => {
    const { store, cm } = setup();
    const a = store.create(cm, configMap("a"));
    const answered = store.update(cm, { ...a, data: { k: "dry" } }, { dryRun: true });
    assert.equal(answered.data.k, "dry");
    assert.equal(store.require(cm, "default", "a").data.k, "v");
    assert.equal(store.currentRv(), Number(a.metadata.resourceVersion));
  });
});

describe("ObjectStore delete", () => {
  it("removes the object and emits DELETED with a new resourceVersion", () => {
    const { store, cm, events } = setup();
    const a = store.create(cm, configMap("a"));
    const gone = store.delete(cm, "default", "a");
    assert.equal(store.get(cm, "default", "a"), undefined);
    const last = events.at(-1)!;
    assert.equal(last.type, "DELETED");
    assert.ok(Number(gone.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
    assert.throws(() => store.delete(cm, "default", "a"), isApiError(404, "NotFound"));
  });

  it("honours preconditions and dry-run", () => {
    const { store, cm } = setup();
    store.create(cm, configMap("a"));
    assert.throws(() => store.delete(cm, "default", "a", { preconditions: { uid: "nope" } }), isApiError(409, "Conflict"));
    assert.throws(() => store.delete(cm, "default", "a", { preconditions: { resourceVersion: "1" } }), isApiError(409, "Conflict"));
    store.delete(cm, "default", "a", { dryRun: true });
    assert.ok(store.get(cm, "default", "a"));
  });

  it("holds an object with finalizers open with a deletionTimestamp until the last finalizer goes", () => {
    const { store, cm, events, clock } = setup();
    store.create(cm, { ...configMap("f"), metadata: { name: "f", namespace: "default", finalizers: ["a.example.com/x", "b.example.com/y"] } });
    clock.advance(5_000);
    const marked = store.delete(cm, "default", "f");
    assert.equal(marked.metadata.deletionTimestamp, "2026-01-01T00:00:05Z");
    assert.ok(store.get(cm, "default", "f"), "still there while finalizers remain");
    assert.equal(events.at(-1)!.type, "MODIFIED");
    // A second delete changes nothing.
    assert.equal(store.delete(cm, "default", "f").metadata.resourceVersion, marked.metadata.resourceVersion);

    store.mutate(cm, "default", "f", (o) => { o.metadata.finalizers = ["b.example.com/y"]; });
    assert.ok(store.get(cm, "default", "f"));
    store.mutate(cm, "default", "f", (o) => { o.metadata.finalizers = []; });
    assert.equal(store.get(cm, "default", "f"), undefined, "removing the last finalizer completes the delete");
    assert.deepEqual(events.slice(-2).map((e) => e.type), ["MODIFIED", "DELETED"]);
  });

  it("deletes dependents with the owner, or orphans them and strips the reference", () => {
    const { store, cm } = setup();
    const owner = store.create(cm, configMap("owner"));
    const ref = { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid! };
    store.create(cm, { ...configMap("dep"), metadata: { name: "dep", namespace: "default", ownerReferences: [ref] } });
    store.delete(cm, "default", "owner");
    assert.equal(store.get(cm, "default", "dep"), undefined);

    const owner2 = store.create(cm, configMap("owner2"));
    const ref2 = { apiVersion: "v1", kind: "ConfigMap", name: "owner2", uid: owner2.metadata.uid! };
    store.create(cm, { ...configMap("dep2"), metadata: { name: "dep2", namespace: "default", ownerReferences: [ref2] } });
    store.delete(cm, "default", "owner2", { propagationPolicy: "Orphan" });
    const kept = store.require(cm, "default", "dep2");
    assert.equal(kept.metadata.ownerReferences, undefined);
  });

  it("deleting a namespace deletes what is in it", () => {
    const { store, ns, cm } = setup();
    store.create(ns, { apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
    store.create(cm, { ...configMap("x"), metadata: { name: "x", namespace: "team" } });
    store.create(cm, configMap("stays"));
    store.delete(ns, undefined, "team");
    assert.equal(store.list(cm, "team").length, 0);
    assert.ok(store.get(cm, "default", "stays"));
  });
});

describe("ObjectStore event history", () => {
  it("replays the events after a resourceVersion, in order", () => {
    const { store, cm } = setup();
    const from = store.currentRv();
    store.create(cm, configMap("a"));
    store.mutate(cm, "default", "a", (o) => { o.data.k = "2"; });
    store.delete(cm, "default", "a");
    const events = store.eventsSince(from);
    assert.deepEqual(events.map((e) => e.type), ["ADDED", "MODIFIED", "DELETED"]);
    assert.deepEqual(events.map((e) => e.rv), [from + 1, from + 2, from + 3]);
    assert.deepEqual(store.eventsSince(from + 2).map((e) => e.type), ["DELETED"]);
    assert.deepEqual(store.eventsSince(store.currentRv()), []);
  });

  it("answers a version older than the history with 410 Expired", () => {
    const { store, cm } = setup(10);
    const from = store.currentRv();
    for (let i = 0; i < 30; i++) store.create(cm, configMap(`c${i}`));
    assert.throws(() => store.eventsSince(from), (e: unknown) => {
      isApiError(410, "Expired")(e);
      assert.match((e as ApiError).message, /too old resource version/);
      return true;
    });
    // The newest versions are still served.
    assert.equal(store.eventsSince(store.currentRv() - 5).length, 5);
  });

  it("counts listeners and forgets one that unsubscribes", () => {
    const { store } = setup();
    const base = store.listenerCount();
    const off = store.onEvent(() => {});
    assert.equal(store.listenerCount(), base + 1);
    off();
    assert.equal(store.listenerCount(), base);
  });
});
