/**
 * @kubernetes/client-node 2.0, unchanged, against the sandbox API server: the typed APIs Stratus's
 * kube layer uses (core, apps, coordination, networking, custom objects), selectors, every write
 * verb and patch type, the errors a real server gives (Conflict, AlreadyExists, NotFound), dry-run,
 * metadata stamping, garbage collection, informers, Lease leader election and pagination.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

const CHAOS = { group: "chaos-mesh.org", version: "v1alpha1", plural: "networkchaos" };
const MERGE = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
const STRATEGIC = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch);

type Failure = { code: number; status: { kind: string; code: number; reason: string; message: string } };

/** Awaits a call that must fail and returns its HTTP code and the Status body. */
async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof k8s.ApiException)) throw e;
    const body = typeof e.body === "string" ? JSON.parse(e.body) : e.body;
    return { code: e.code, status: body };
  }
  return assert.fail("expected the call to fail");
}

/** client-go's RetryOnConflict: re-run a read-modify-write that lost a race. */
async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof k8s.ApiException) || e.code !== 409 || i >= attempts) throw e;
    }
  }
}

const names = (list: { items: Array<{ metadata?: { name?: string } }> }) => list.items.map((i) => i.metadata!.name!).sort();
const rvOf = (o: { metadata?: { resourceVersion?: string } }) => BigInt(o.metadata!.resourceVersion!);

function deployment(name: string, containers = [{ name: "main", image: "nginx:1.27" }]): k8s.V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  };
}

describe("@kubernetes/client-node against the sandbox", () => {
  let cluster: TestCluster;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let coordination: k8s.CoordinationV1Api;
  let networking: k8s.NetworkingV1Api;
  let custom: k8s.CustomObjectsApi;

  before(async () => {
    cluster = await startTestCluster({ customResources: [{ ...CHAOS, kind: "NetworkChaos" }] });
    core = cluster.kc.makeApiClient(k8s.CoreV1Api);
    apps = cluster.kc.makeApiClient(k8s.AppsV1Api);
    coordination = cluster.kc.makeApiClient(k8s.CoordinationV1Api);
    networking = cluster.kc.makeApiClient(k8s.NetworkingV1Api);
    custom = cluster.kc.makeApiClient(k8s.CustomObjectsApi);
  });
  after(async () => {
    await cluster.close();
  });

  /** Each test works in a namespace of its own. */
  async function namespace(name: string): Promise<string> {
    await core.createNamespace({ body: { metadata: { name } } });
    return name;
  }

  it("lists with every label selector operator", async () => {
    const ns = await namespace("labels");
    const labelled: Record<string, Record<string, string>> = { a: { app: "web", tier: "front" }, b: { app: "web", tier: "back" }, c: { app: "db" }, d: {} };
    for (const [name, labels] of Object.entries(labelled)) {
      // "suite" keeps anything a cluster adds to new namespaces out of the answers.
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels: { ...labels, suite: "labels" } } } });
    }
    const select = async (labelSelector: string) => names(await core.listNamespacedConfigMap({ namespace: ns, labelSelector: `suite=labels,${labelSelector}` }));
    assert.deepEqual(await select("app=web"), ["a", "b"]);
    assert.deepEqual(await select("app!=web"), ["c", "d"], "!= also matches objects without the key");
    assert.deepEqual(await select("tier in (front,back)"), ["a", "b"]);
    assert.deepEqual(await select("app notin (web)"), ["c", "d"]);
    assert.deepEqual(await select("tier"), ["a", "b"]);
    assert.deepEqual(await select("!tier"), ["c", "d"]);
    assert.deepEqual(await select("app=web,tier!=back"), ["a"]);
  });

  it("lists with field selectors on names, namespaces, pod phase and node, and event subjects", async () => {
    const ns = await namespace("fields");
    for (const name of ["x", "y"]) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name } } });
    assert.deepEqual(names(await core.listNamespacedConfigMap({ namespace: ns, fieldSelector: "metadata.name=y" })), ["y"]);
    const all = await core.listConfigMapForAllNamespaces({ fieldSelector: `metadata.namespace=${ns}` });
    assert.ok(all.items.every((o) => o.metadata!.namespace === ns));
    assert.ok(["x", "y"].every((n) => names(all).includes(n)));
    const others = await core.listConfigMapForAllNamespaces({ fieldSelector: `metadata.namespace!=${ns}` });
    assert.ok(others.items.every((o) => o.metadata!.namespace !== ns));

    // Pods bound to nodes that do not exist: no simulated kubelet will touch their status.
    for (const [name, node, phase] of [["p1", "ghost-1", "Running"], ["p2", "ghost-2", "Succeeded"]]) {
      await core.createNamespacedPod({ namespace: ns, body: { metadata: { name }, spec: { nodeName: node, containers: [{ name: "main", image: "busybox:1.36" }] } } });
      await core.patchNamespacedPodStatus({ namespace: ns, name, body: { status: { phase } } }, MERGE);
    }
    const pods = (fieldSelector: string) => core.listNamespacedPod({ namespace: ns, fieldSelector }).then(names);
    assert.deepEqual(await pods("status.phase=Running"), ["p1"]);
    assert.deepEqual(await pods("status.phase!=Running"), ["p2"]);
    assert.deepEqual(await pods("spec.nodeName=ghost-2"), ["p2"]);
    assert.deepEqual(await pods("spec.nodeName=ghost-1,status.phase=Running"), ["p1"]);

    for (const [name, subject] of [["e1", "p1"], ["e2", "p2"], ["e3", "p1"]]) {
      await core.createNamespacedEvent({
        namespace: ns,
        body: {
          metadata: { name },
          involvedObject: { kind: "Pod", name: subject, namespace: ns, apiVersion: "v1" },
          reason: "Started", message: "Started container main", type: "Normal", count: 1,
          source: { component: "kubelet" },
        },
      });
    }
    assert.deepEqual(names(await core.listNamespacedEvent({ namespace: ns, fieldSelector: "involvedObject.name=p1" })), ["e1", "e3"]);
  });

  it("creates, gets, replaces, patches three ways and deletes", async () => {
    const ns = await namespace("crud");
    const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "cfg" }, data: { a: "1" } } });
    assert.ok(created.metadata!.uid);
    assert.ok(created.metadata!.creationTimestamp instanceof Date);
    const got = await core.readNamespacedConfigMap({ namespace: ns, name: "cfg" });
    assert.deepEqual(got.data, { a: "1" });

    got.data = { a: "2", b: "3" };
    const replaced = await core.replaceNamespacedConfigMap({ namespace: ns, name: "cfg", body: got });
    const jsonPatched = await core.patchNamespacedConfigMap({ namespace: ns, name: "cfg", body: [{ op: "remove", path: "/data/b" }, { op: "add", path: "/data/c", value: "4" }] });
    assert.deepEqual(jsonPatched.data, { a: "2", c: "4" });
    const merged = await core.patchNamespacedConfigMap({ namespace: ns, name: "cfg", body: { data: { a: null, d: "5" }, metadata: { labels: { merged: "yes" } } } }, MERGE);
    assert.deepEqual(merged.data, { c: "4", d: "5" });
    assert.equal(merged.metadata!.labels!.merged, "yes");

    // Versions strictly increase; uid and creationTimestamp never change.
    const versions = [created, replaced, jsonPatched, merged].map(rvOf);
    for (let i = 1; i < versions.length; i++) assert.ok(versions[i] > versions[i - 1], `rv ${versions[i]} after ${versions[i - 1]}`);
    for (const o of [replaced, jsonPatched, merged]) {
      assert.equal(o.metadata!.uid, created.metadata!.uid);
      assert.equal(o.metadata!.creationTimestamp!.toISOString(), created.metadata!.creationTimestamp!.toISOString());
    }

    // Strategic merge: containers merge by name, so only the named one changes.
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment("web", [{ name: "main", image: "nginx:1.27" }, { name: "sidecar", image: "envoy:1.30" }]) });
    const smp = await apps.patchNamespacedDeployment({ namespace: ns, name: "web", body: { spec: { template: { spec: { containers: [{ name: "sidecar", image: "envoy:1.31" }] } } } } }, STRATEGIC);
    assert.deepEqual(smp.spec!.template.spec!.containers.map((c) => `${c.name}=${c.image}`), ["main=nginx:1.27", "sidecar=envoy:1.31"]);

    await core.deleteNamespacedConfigMap({ namespace: ns, name: "cfg" });
    const missing = await failure(core.readNamespacedConfigMap({ namespace: ns, name: "cfg" }));
    assert.equal(missing.code, 404);
    assert.equal(missing.status.kind, "Status");
    assert.equal(missing.status.reason, "NotFound");
    assert.match(missing.status.message, /configmaps "cfg" not found/);
  });

  it("answers a stale replace with 409 Conflict and a second create with 409 AlreadyExists", async () => {
    const ns = await namespace("conflicts");
    const first = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "c" }, data: { v: "1" } } });
    await core.replaceNamespacedConfigMap({ namespace: ns, name: "c", body: { ...first, data: { v: "2" } } });
    const stale = await failure(core.replaceNamespacedConfigMap({ namespace: ns, name: "c", body: { ...first, data: { v: "3" } } }));
    assert.equal(stale.code, 409);
    assert.equal(stale.status.reason, "Conflict");
    assert.match(stale.status.message, /the object has been modified/);

    const dup = await failure(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "c" } } }));
    assert.equal(dup.code, 409);
    assert.equal(dup.status.reason, "AlreadyExists");
    assert.equal((await core.readNamespacedConfigMap({ namespace: ns, name: "c" })).data!.v, "2");
  });

  it("dryRun=All on create, replace, patch and delete answers but persists nothing", async () => {
    const ns = await namespace("dryrun");
    const dry = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "ghost" }, data: { a: "1" } }, dryRun: "All" });
    assert.equal(dry.metadata!.name, "ghost");
    assert.equal((await failure(core.readNamespacedConfigMap({ namespace: ns, name: "ghost" }))).code, 404);

    const real = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "real" }, data: { a: "1" } } });
    const replaced = await core.replaceNamespacedConfigMap({ namespace: ns, name: "real", body: { ...real, data: { a: "replaced" } }, dryRun: "All" });
    assert.equal(replaced.data!.a, "replaced");
    const patched = await core.patchNamespacedConfigMap({ namespace: ns, name: "real", body: { data: { a: "patched" } }, dryRun: "All" }, MERGE);
    assert.equal(patched.data!.a, "patched");
    await core.deleteNamespacedConfigMap({ namespace: ns, name: "real", dryRun: "All" });

    const after = await core.readNamespacedConfigMap({ namespace: ns, name: "real" });
    assert.deepEqual(after.data, { a: "1" });
    assert.equal(after.metadata!.resourceVersion, real.metadata!.resourceVersion);
  });

  it("bumps a Deployment's generation on a spec change but not on a label change", async () => {
    const ns = await namespace("generation");
    const d = await apps.createNamespacedDeployment({ namespace: ns, body: deployment("api") });
    assert.equal(d.metadata!.generation, 1);
    const labelled = await apps.patchNamespacedDeployment({ namespace: ns, name: "api", body: { metadata: { labels: { team: "sre" } } } }, MERGE);
    assert.equal(labelled.metadata!.generation, 1);
    assert.ok(rvOf(labelled) > rvOf(d));
    // Read-modify-replace retried on conflict, as clients do: a controller may write status between.
    const changed = await retryOnConflict(async () => {
      const current = await apps.readNamespacedDeployment({ namespace: ns, name: "api" });
      current.spec!.template.spec!.containers[0].image = "nginx:1.28";
      return apps.replaceNamespacedDeployment({ namespace: ns, name: "api", body: current });
    });
    assert.equal(changed.metadata!.generation, 2);
    const scaled = await apps.patchNamespacedDeployment({ namespace: ns, name: "api", body: [{ op: "replace", path: "/spec/replicas", value: 3 }] });
    assert.equal(scaled.metadata!.generation, 3);
    assert.equal(scaled.metadata!.uid, d.metadata!.uid);
  });

  it("garbage-collects dependents of a deleted owner, or orphans them on request", async () => {
    const ns = await namespace("gc");
    const ownedBy = (o: k8s.V1ConfigMap): k8s.V1OwnerReference[] => [{ apiVersion: "v1", kind: "ConfigMap", name: o.metadata!.name!, uid: o.metadata!.uid! }];
    const owner = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "owner" } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "dependent", ownerReferences: ownedBy(owner) } } });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: "owner" });
    await eventually(async () => (await failure(core.readNamespacedConfigMap({ namespace: ns, name: "dependent" }))).code === 404, 10_000, "dependent deleted");

    const owner2 = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "owner2" } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "orphan", ownerReferences: ownedBy(owner2) } } });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: "owner2", propagationPolicy: "Orphan" });
    const orphan = await eventually(async () => {
      const o = await core.readNamespacedConfigMap({ namespace: ns, name: "orphan" });
      return o.metadata!.ownerReferences?.length ? undefined : o;
    }, 10_000, "owner reference stripped");
    assert.equal(orphan.metadata!.name, "orphan");
    assert.equal((await failure(core.readNamespacedConfigMap({ namespace: ns, name: "owner2" }))).code, 404);
  });

  it("deleting a namespace deletes the objects in it", async () => {
    const ns = await namespace("doomed");
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "inside" } } });
    await networking.createNamespacedNetworkPolicy({ namespace: ns, body: { metadata: { name: "deny-all" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } } });
    await core.deleteNamespace({ name: ns });
    await eventually(async () => (await failure(core.readNamespace({ name: ns }))).code === 404, 10_000, "namespace gone");
    assert.equal((await failure(core.readNamespacedConfigMap({ namespace: ns, name: "inside" }))).code, 404);
    assert.equal((await failure(networking.readNamespacedNetworkPolicy({ namespace: ns, name: "deny-all" }))).code, 404);
  });

  it("serves NetworkPolicies through NetworkingV1Api", async () => {
    const ns = await namespace("netpol");
    await networking.createNamespacedNetworkPolicy({ namespace: ns, body: { metadata: { name: "allow-web", labels: { role: "web" } }, spec: { podSelector: { matchLabels: { app: "web" } }, ingress: [{ ports: [{ port: 80, protocol: "TCP" }] }] } } });
    const list = await networking.listNamespacedNetworkPolicy({ namespace: ns, labelSelector: "role=web" });
    assert.deepEqual(names(list), ["allow-web"]);
    const got = await networking.readNamespacedNetworkPolicy({ namespace: ns, name: "allow-web" });
    assert.equal(got.spec!.ingress![0].ports![0].port, 80);
    await networking.deleteNamespacedNetworkPolicy({ namespace: ns, name: "allow-web" });
    assert.equal((await failure(networking.readNamespacedNetworkPolicy({ namespace: ns, name: "allow-web" }))).code, 404);
  });

  it("an informer sees ADDED, MODIFIED and DELETED", async () => {
    const ns = await namespace("informed");
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "before" } } });
    const informer = k8s.makeInformer(cluster.kc, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns }));
    const seen: string[] = [];
    const mine = (o: k8s.V1ConfigMap) => ["before", "watched"].includes(o.metadata!.name!);
    informer.on("add", (o) => { if (mine(o)) seen.push(`ADDED ${o.metadata!.name}`); });
    informer.on("update", (o) => { if (mine(o)) seen.push(`MODIFIED ${o.metadata!.name} ${o.data?.k ?? ""}`); });
    informer.on("delete", (o) => { if (mine(o)) seen.push(`DELETED ${o.metadata!.name}`); });
    const errors: unknown[] = [];
    informer.on("error", (e) => errors.push(e));
    await informer.start();
    try {
      await eventually(() => seen.includes("ADDED before"), 10_000, "initial list");
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "watched" }, data: { k: "1" } } });
      await eventually(() => seen.includes("ADDED watched"), 10_000, "ADDED");
      await core.patchNamespacedConfigMap({ namespace: ns, name: "watched", body: { data: { k: "2" } } }, MERGE);
      await eventually(() => seen.includes("MODIFIED watched 2"), 10_000, "MODIFIED");
      await core.deleteNamespacedConfigMap({ namespace: ns, name: "watched" });
      await eventually(() => seen.includes("DELETED watched"), 10_000, "DELETED");
      assert.deepEqual(seen, ["ADDED before", "ADDED watched", "MODIFIED watched 2", "DELETED watched"]);
      assert.deepEqual(informer.list(ns).filter(mine).map((o) => o.metadata!.name), ["before"]);
      assert.deepEqual(errors, []);
    } finally {
      await informer.stop();
    }
  });

  it("a Lease is created, renewed, and taken over by another holder once it expires", async () => {
    const ns = await namespace("election");
    const DURATION = 2;
    const now = () => new k8s.V1MicroTime();
    const expired = (l: k8s.V1Lease) => Date.parse(String(l.spec!.renewTime)) + l.spec!.leaseDurationSeconds! * 1000 < Date.now();

    const created = await coordination.createNamespacedLease({
      namespace: ns,
      body: { metadata: { name: "stratus-writer" }, spec: { holderIdentity: "A", leaseDurationSeconds: DURATION, acquireTime: now(), renewTime: now(), leaseTransitions: 0 } },
    });
    assert.equal(created.spec!.holderIdentity, "A");

    // A renews: replace with a fresh renewTime and the version it read.
    const read = await coordination.readNamespacedLease({ namespace: ns, name: "stratus-writer" });
    read.spec!.renewTime = now();
    const renewed = await coordination.replaceNamespacedLease({ namespace: ns, name: "stratus-writer", body: read });
    assert.ok(rvOf(renewed) > rvOf(created));
    assert.equal(renewed.spec!.holderIdentity, "A");

    // B looks while A's lease is fresh and leaves it alone.
    assert.equal(expired(await coordination.readNamespacedLease({ namespace: ns, name: "stratus-writer" })), false);

    // A stops renewing; B waits out the lease and takes it over with its own identity.
    const seenByB = await eventually(async () => {
      const l = await coordination.readNamespacedLease({ namespace: ns, name: "stratus-writer" });
      return expired(l) ? l : undefined;
    }, 15_000, "lease expiry");
    seenByB.spec = { ...seenByB.spec!, holderIdentity: "B", acquireTime: now(), renewTime: now(), leaseTransitions: (seenByB.spec!.leaseTransitions ?? 0) + 1 };
    const takenOver = await coordination.replaceNamespacedLease({ namespace: ns, name: "stratus-writer", body: seenByB });
    assert.equal(takenOver.spec!.holderIdentity, "B");
    assert.equal(takenOver.spec!.leaseTransitions, 1);

    // A wakes up and tries to renew from what it last wrote: the version is stale.
    renewed.spec!.renewTime = now();
    const stale = await failure(coordination.replaceNamespacedLease({ namespace: ns, name: "stratus-writer", body: renewed }));
    assert.equal(stale.code, 409);
    assert.equal(stale.status.reason, "Conflict");
    assert.equal((await coordination.readNamespacedLease({ namespace: ns, name: "stratus-writer" })).spec!.holderIdentity, "B");
  });

  it("serves a registered custom resource through CustomObjectsApi and discovery", async () => {
    const ns = await namespace("chaos");
    const body = {
      apiVersion: "chaos-mesh.org/v1alpha1",
      kind: "NetworkChaos",
      metadata: { name: "delay-frontend", labels: { experiment: "latency" } },
      spec: { action: "delay", mode: "all", selector: { labelSelectors: { app: "frontend" } }, delay: { latency: "100ms" } },
    };
    const params = { ...CHAOS, namespace: ns };
    const created = await custom.createNamespacedCustomObject({ ...params, body });
    assert.equal(created.metadata.name, "delay-frontend");
    assert.ok(created.metadata.uid);

    const got = await custom.getNamespacedCustomObject({ ...params, name: "delay-frontend" });
    assert.equal(got.spec.delay.latency, "100ms");
    const list = await custom.listNamespacedCustomObject({ ...params, labelSelector: "experiment=latency" });
    assert.equal(list.kind, "NetworkChaosList");
    assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name), ["delay-frontend"]);

    got.spec.delay.latency = "200ms";
    const replaced = await custom.replaceNamespacedCustomObject({ ...params, name: "delay-frontend", body: got });
    assert.equal(replaced.spec.delay.latency, "200ms");
    const stale = await failure(custom.replaceNamespacedCustomObject({ ...params, name: "delay-frontend", body: got }));
    assert.equal(stale.code, 409);
    const patched = await custom.patchNamespacedCustomObject({ ...params, name: "delay-frontend", body: { spec: { mode: "one" } } }, MERGE);
    assert.equal(patched.spec.mode, "one");
    assert.equal(patched.spec.action, "delay");

    const groups = await cluster.kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    const group = groups.groups.find((g) => g.name === "chaos-mesh.org");
    assert.ok(group, "the group is listed under /apis");
    assert.equal(group.preferredVersion?.groupVersion, "chaos-mesh.org/v1alpha1");
    const resources = await (await fetch(`${cluster.sandbox.url}/apis/chaos-mesh.org/v1alpha1`, { headers: cluster.auth })).json() as k8s.V1APIResourceList;
    const chaos = resources.resources.find((r) => r.name === "networkchaos");
    assert.ok(chaos, "discovery lists networkchaos");
    assert.equal(chaos.kind, "NetworkChaos");
    assert.equal(chaos.namespaced, true);
    assert.ok(chaos.verbs.includes("watch"));

    await custom.deleteNamespacedCustomObject({ ...params, name: "delay-frontend" });
    assert.equal((await failure(custom.getNamespacedCustomObject({ ...params, name: "delay-frontend" }))).code, 404);
  });

  it("pages a list with limit and continue, each item exactly once even when items go between pages", async () => {
    const ns = await namespace("paged");
    const want: string[] = [];
    for (let i = 0; i < 23; i++) {
      const name = `item-${String(i).padStart(2, "0")}`;
      want.push(name);
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels: { paged: "yes" } } } });
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "paged=yes", limit: 5, _continue: token });
      assert.ok(page.items.length <= 5);
      seen.push(...page.items.map((i) => i.metadata!.name!));
      token = page.metadata?._continue || undefined;
      if (token && pages === 0) assert.equal(page.metadata!.remainingItemCount, 18);
      // Writes between pages must not shift what is left: drop an item already served.
      if (pages === 0) await core.deleteNamespacedConfigMap({ namespace: ns, name: "item-00" });
      pages++;
    } while (token && pages < 20);
    assert.equal(pages, 5);
    assert.deepEqual([...seen].sort(), want);
    assert.equal(new Set(seen).size, seen.length, "no item twice");
  });
});
