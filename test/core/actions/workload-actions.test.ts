/**
 * The Deployment-editing actions against the sandbox over HTTP: each is dry-run first (nothing
 * changes, not even the resourceVersion) and then applied for real (the template says what the
 * action said). A missing Deployment or container is a clear error, and a change made between an
 * action's read and its write surfaces as 409 Conflict rather than being overwritten. The
 * sandbox runs on a VirtualClock that is never advanced, so no controller writes during a test.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { applyAction, parseAction } from "../../../src/core/actions/registry.ts";
import { isConflict, isNotFound, isValidationError } from "../../../src/base/errors.ts";
import { KubeClient } from "../../../src/kube/kube-client.ts";
import { VirtualClock } from "../../../sandbox/index.ts";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";
import { containerOf, deployment, deploymentRef, dryThenReal, namespace, NS, racingClient } from "./fixtures.ts";

describe("Deployment actions against the sandbox", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  const make = async (name: string, extra: Record<string, unknown> = {}) => client.create(deployment(name, extra));

  before(async () => {
    cluster = await startTestCluster({ clock: new VirtualClock() });
    client = new KubeClient(cluster.kc);
    await client.create(namespace());
  });
  after(() => cluster.close());

  it("scale: dry run changes nothing; applied, the Deployment has 3 replicas", async () => {
    await make("scale-me");
    const r = await dryThenReal(client, "scale", { namespace: NS, name: "scale-me", replicas: 3 }, deploymentRef("scale-me"));
    assert.equal(r.dry.results[0].spec.replicas, 3, "the server's dry-run answer shows the change");
    assert.equal(r.after?.spec.replicas, 3);
    assert.notEqual(r.after?.metadata.resourceVersion, r.before?.metadata.resourceVersion);
    assert.equal(r.real.summary, `scale Deployment ${NS}/scale-me 1 → 3`);
  });

  it("scale to the current count writes nothing and says so", async () => {
    const d = await make("same-scale");
    const out = await applyAction(parseAction({ type: "scale", params: { namespace: NS, name: "same-scale", replicas: 1 } }), { client, dryRun: false });
    assert.match(out.summary, /1 → 1 \(no change\)$/);
    assert.equal((await client.read(deploymentRef("same-scale")))?.metadata.resourceVersion, d.metadata.resourceVersion);
  });

  it("set-image changes one container's image", async () => {
    await make("img");
    const r = await dryThenReal(client, "set-image", { namespace: NS, name: "img", container: "app", image: "nginx:1.27" }, deploymentRef("img"));
    assert.equal(containerOf(r.after, "app").image, "nginx:1.27");
    assert.equal(containerOf(r.after, "sidecar").image, "busybox:1.36");
    assert.equal(r.real.summary, `set-image Deployment ${NS}/img container app "nginx:1.25" → "nginx:1.27"`);
  });

  it("set-command sets command and args; an empty list removes the field", async () => {
    await make("cmd");
    const r = await dryThenReal(client, "set-command", { namespace: NS, name: "cmd", container: "sidecar", command: ["sh", "-c"], args: ["sleep 60"] }, deploymentRef("cmd"));
    assert.deepEqual(containerOf(r.after, "sidecar").command, ["sh", "-c"]);
    assert.deepEqual(containerOf(r.after, "sidecar").args, ["sleep 60"]);
    const cleared = await dryThenReal(client, "set-command", { namespace: NS, name: "cmd", container: "sidecar", command: [] }, deploymentRef("cmd"));
    assert.equal(containerOf(cleared.after, "sidecar").command, undefined);
    assert.deepEqual(containerOf(cleared.after, "sidecar").args, ["sleep 60"]);
  });

  it("set-env sets, adds and removes variables, keeping the order of the rest", async () => {
    await make("env");
    const r = await dryThenReal(client, "set-env", { namespace: NS, name: "env", container: "app", env: { MODE: "safe", NEW: "x", KEEP: null } }, deploymentRef("env"));
    assert.deepEqual(containerOf(r.after, "app").env, [{ name: "MODE", value: "safe" }, { name: "NEW", value: "x" }]);
    assert.match(r.real.summary, /MODE "fast" → "safe", NEW \(absent\) → "x", KEEP "1" → \(absent\)/);
  });

  it("set-resources sets limits and requests", async () => {
    await make("res");
    const r = await dryThenReal(client, "set-resources", { namespace: NS, name: "res", container: "app", limits: { memory: "512Mi" }, requests: { cpu: "250m", memory: "128Mi" } }, deploymentRef("res"));
    const res = containerOf(r.after, "app").resources as Record<string, Record<string, string>>;
    assert.deepEqual(res.limits, { memory: "512Mi" });
    assert.deepEqual(res.requests, { cpu: "250m", memory: "128Mi" });
  });

  it("set-probe sets a readiness probe and removes it again", async () => {
    await make("probe");
    const spec = { httpGet: { path: "/", port: 80 }, periodSeconds: 5 };
    const r = await dryThenReal(client, "set-probe", { namespace: NS, name: "probe", container: "app", probe: "readiness", spec }, deploymentRef("probe"));
    const probe = containerOf(r.after, "app").readinessProbe as Record<string, unknown>;
    assert.equal((probe.httpGet as { path: string }).path, "/");
    assert.equal(probe.periodSeconds, 5);
    const removed = await dryThenReal(client, "set-probe", { namespace: NS, name: "probe", container: "app", probe: "readiness", spec: null }, deploymentRef("probe"));
    assert.equal(containerOf(removed.after, "app").readinessProbe, undefined);
  });

  it("set-node-selector merges keys; remove-node-selector drops named keys, then all", async () => {
    await make("sel", { nodeSelector: { disktype: "ssd" } });
    const set = await dryThenReal(client, "set-node-selector", { namespace: NS, name: "sel", nodeSelector: { "kubernetes.io/hostname": "node-2" } }, deploymentRef("sel"));
    assert.deepEqual(set.after?.spec.template.spec.nodeSelector, { disktype: "ssd", "kubernetes.io/hostname": "node-2" });
    const one = await dryThenReal(client, "remove-node-selector", { namespace: NS, name: "sel", keys: ["disktype"] }, deploymentRef("sel"));
    assert.deepEqual(one.after?.spec.template.spec.nodeSelector, { "kubernetes.io/hostname": "node-2" });
    const all = await dryThenReal(client, "remove-node-selector", { namespace: NS, name: "sel" }, deploymentRef("sel"));
    assert.equal(all.after?.spec.template.spec.nodeSelector, undefined);
  });

  it("rollout-restart stamps the pod template with restartedAt from the context's clock", async () => {
    await make("restart");
    const r = await dryThenReal(client, "rollout-restart", { namespace: NS, name: "restart" }, deploymentRef("restart"));
    assert.equal(r.after?.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"], "2026-01-01T00:00:00Z");
    assert.ok(r.after!.metadata.generation! > r.before!.metadata.generation!, "a template change is a new generation");
  });

  it("a missing Deployment is a 404 that names it", async () => {
    const action = parseAction({ type: "set-image", params: { namespace: NS, name: "ghost", container: "app", image: "x:1" } });
    await assert.rejects(applyAction(action, { client, dryRun: true }), (e) => isNotFound(e) && /Deployment shop\/ghost not found/.test((e as Error).message));
  });

  it("a missing container is refused, listing the containers that exist", async () => {
    await make("containers");
    const action = parseAction({ type: "set-env", params: { namespace: NS, name: "containers", container: "web", env: { A: "1" } } });
    await assert.rejects(applyAction(action, { client, dryRun: false }), (e) => isValidationError(e) && /has no container "web"; its containers are: app, sidecar/.test(e.message));
  });

  it("a change between the action's read and its write surfaces as 409 Conflict", async () => {
    await make("race");
    const racing = racingClient(client, (ref) => client.patch(ref, { metadata: { annotations: { "someone/else": "was-here" } } }, "merge"));
    const action = parseAction({ type: "scale", params: { namespace: NS, name: "race", replicas: 4 } });
    await assert.rejects(applyAction(action, { client: racing, dryRun: false }), (e) => isConflict(e));
    const now = await client.read(deploymentRef("race"));
    assert.equal(now?.spec.replicas, 1, "the stale write did not land");
    assert.equal(now?.metadata.annotations?.["someone/else"], "was-here", "the other change survived");
  });

  it("a merge patch carries the resourceVersion it read, so it conflicts too", async () => {
    await make("race-patch");
    const racing = racingClient(client, (ref) => client.patch(ref, { metadata: { labels: { touched: "yes" } } }, "merge"));
    const action = parseAction({ type: "patch", params: { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "race-patch", patchType: "merge", patch: { spec: { replicas: 2 } } } });
    await assert.rejects(applyAction(action, { client: racing, dryRun: false }), (e) => isConflict(e));
  });
});
