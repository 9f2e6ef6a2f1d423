/**
 * The actions on Services, config, generic objects, pods and nodes against the sandbox over HTTP:
 * each dry-run first (nothing changes) and then applied for real. Secret values go in plain and are
 * stored base64-encoded, and never appear in a summary. chaos-mesh.org objects are created and
 * deleted like a chaos tool would. The VirtualClock is never advanced: no controller interferes.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { applyAction, parseAction } from "../../../src/core/actions/registry.ts";
import { isAlreadyExists, isNotFound } from "../../../src/base/errors.ts";
import { KubeClient } from "../../../src/kube/kube-client.ts";
import type { KubeObject, ObjectRef } from "../../../src/kube/types.ts";
import { VirtualClock } from "../../../sandbox/index.ts";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";
import { deployment, deploymentRef, dryThenReal, namespace, NS } from "./fixtures.ts";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const ref = (apiVersion: string, kind: string, name: string, ns: string | undefined = NS): ObjectRef => ({ apiVersion, kind, name, ...(ns ? { namespace: ns } : {}) });

const CHAOS = { group: "chaos-mesh.org", version: "v1alpha1", plural: "networkchaos", kind: "NetworkChaos" };
const netpol = (name: string): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace: NS },
  spec: { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress"] },
});

describe("object actions against the sandbox", () => {
  let cluster: TestCluster;
  let client: KubeClient;

  before(async () => {
    cluster = await startTestCluster({ clock: new VirtualClock(), customResources: [CHAOS] });
    client = new KubeClient(cluster.kc);
    await client.create(namespace());
    await client.create({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: NS }, spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] } });
    await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: NS }, data: { mode: "fast", stale: "1" } });
    await client.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: NS }, type: "Opaque", data: { password: b64("old-password"), token: b64("t") } });
  });
  after(() => cluster.close());

  it("update-service replaces the ports and the selector", async () => {
    const r = await dryThenReal(client, "update-service", { namespace: NS, name: "web", ports: [{ name: "http", port: 80, targetPort: 80 }], selector: { app: "web", tier: "front" } }, ref("v1", "Service", "web"));
    assert.deepEqual(r.after?.spec.ports.map((p: Record<string, unknown>) => [p.name, p.port, p.targetPort, p.protocol]), [["http", 80, 80, "TCP"]]);
    assert.deepEqual(r.after?.spec.selector, { app: "web", tier: "front" });
    assert.match(r.real.summary, /ports \[80→8080\/TCP\] → \[http:80→80\/TCP\]/);
  });

  it("set-config sets, adds and removes ConfigMap keys", async () => {
    const cm = ref("v1", "ConfigMap", "settings");
    const changed = await dryThenReal(client, "set-config", { namespace: NS, kind: "ConfigMap", name: "settings", key: "mode", value: "safe" }, cm);
    assert.equal(changed.after?.data.mode, "safe");
    assert.equal(changed.real.summary, `set-config ConfigMap ${NS}/settings key mode changed: "fast" → "safe"`);
    const removed = await dryThenReal(client, "set-config", { namespace: NS, kind: "ConfigMap", name: "settings", key: "stale", value: null }, cm);
    assert.deepEqual(removed.after?.data, { mode: "safe" });
  });

  it("set-config stores a Secret value base64-encoded and never prints it", async () => {
    const r = await dryThenReal(client, "set-config", { namespace: NS, kind: "Secret", name: "creds", key: "password", value: "n3w-pässword" }, ref("v1", "Secret", "creds"));
    assert.equal(r.after?.data.password, b64("n3w-pässword"));
    assert.equal(r.after?.data.token, b64("t"));
    for (const s of [r.dry.summary, r.real.summary]) assert.doesNotMatch(s, /pässword|old-password/);
    assert.match(r.real.summary, /key password changed: \(hidden\) → \(hidden\)/);
  });

  it("create-object creates a NetworkPolicy; creating it again is 409 AlreadyExists", async () => {
    const np = ref("networking.k8s.io/v1", "NetworkPolicy", "allow-web");
    const r = await dryThenReal(client, "create-object", { object: netpol("allow-web") }, np);
    assert.equal(r.before, undefined);
    assert.equal(r.dry.results[0].metadata.name, "allow-web", "the dry run answers the object it would create");
    assert.deepEqual(r.after?.spec.podSelector, { matchLabels: { app: "web" } });
    const again = parseAction({ type: "create-object", params: { object: netpol("allow-web") } });
    await assert.rejects(applyAction(again, { client, dryRun: true }), (e) => isAlreadyExists(e));
  });

  it("create-object and delete-object handle chaos-mesh.org objects", async () => {
    const chaos = ref("chaos-mesh.org/v1alpha1", "NetworkChaos", "delay-geo");
    const object = { apiVersion: "chaos-mesh.org/v1alpha1", kind: "NetworkChaos", metadata: { name: "delay-geo", namespace: NS }, spec: { action: "delay", mode: "all", delay: { latency: "200ms" } } };
    const created = await dryThenReal(client, "create-object", { object }, chaos);
    assert.equal(created.after?.spec.delay.latency, "200ms");
    const deleted = await dryThenReal(client, "delete-object", { apiVersion: chaos.apiVersion, kind: chaos.kind, namespace: NS, name: "delay-geo" }, chaos);
    assert.equal(deleted.after, undefined);
    assert.deepEqual(deleted.real.deleted, [chaos]);
  });

  it("delete-object deletes a NetworkPolicy; a missing one is a 404 that names it", async () => {
    await client.create(netpol("deny-all"));
    const np = ref("networking.k8s.io/v1", "NetworkPolicy", "deny-all");
    const r = await dryThenReal(client, "delete-object", { apiVersion: np.apiVersion, kind: np.kind, namespace: NS, name: "deny-all" }, np);
    assert.equal(r.after, undefined);
    const again = parseAction({ type: "delete-object", params: { apiVersion: np.apiVersion, kind: np.kind, namespace: NS, name: "deny-all" } });
    await assert.rejects(applyAction(again, { client, dryRun: false }), (e) => isNotFound(e) && /NetworkPolicy shop\/deny-all not found/.test((e as Error).message));
  });

  it("patch applies merge, strategic and json patches and summarizes the change", async () => {
    await client.create(deployment("patched"));
    const d = deploymentRef("patched");
    const base = { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "patched" };
    const merge = await dryThenReal(client, "patch", { ...base, patchType: "merge", patch: { spec: { replicas: 2 } } }, d);
    assert.equal(merge.after?.spec.replicas, 2);
    assert.match(merge.real.summary, /\(merge\): spec\.replicas: 1 → 2/);
    const strategic = await dryThenReal(client, "patch", { ...base, patchType: "strategic", patch: { spec: { template: { spec: { containers: [{ name: "app", image: "nginx:1.27" }] } } } } }, d);
    const images = strategic.after?.spec.template.spec.containers.map((c: { image: string }) => c.image);
    assert.deepEqual(images, ["nginx:1.27", "busybox:1.36"], "strategic merge keeps the other container");
    const json = await dryThenReal(client, "patch", { ...base, patchType: "json", patch: [{ op: "replace", path: "/spec/replicas", value: 0 }] }, d);
    assert.equal(json.after?.spec.replicas, 0);
  });

  it("delete-pod deletes the pod and says when nothing will bring it back", async () => {
    await client.create({ apiVersion: "v1", kind: "Pod", metadata: { name: "solo", namespace: NS }, spec: { containers: [{ name: "c", image: "busybox:1.36" }] } });
    const r = await dryThenReal(client, "delete-pod", { namespace: NS, name: "solo" }, ref("v1", "Pod", "solo"));
    assert.equal(r.after, undefined);
    assert.match(r.real.summary, /no controller owns it/);
  });

  it("cordon marks a node unschedulable; uncordon clears it", async () => {
    const node = ref("v1", "Node", "node-2", undefined);
    const c = await dryThenReal(client, "cordon", { node: "node-2" }, node);
    assert.equal(c.after?.spec.unschedulable, true);
    assert.equal(c.real.summary, "cordon Node node-2 unschedulable false → true");
    const u = await dryThenReal(client, "uncordon", { node: "node-2" }, node);
    assert.equal(u.after?.spec.unschedulable, undefined);
  });

  it("cordon of a node that does not exist is a 404", async () => {
    await assert.rejects(applyAction(parseAction({ type: "cordon", params: { node: "node-9" } }), { client, dryRun: true }), (e) => isNotFound(e) && /Node node-9 not found/.test((e as Error).message));
  });
});
