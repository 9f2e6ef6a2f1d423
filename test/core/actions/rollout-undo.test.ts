/**
 * rollout-undo against the sandbox's deployment controller, the way kubectl does it: given a
 * Deployment with two revisions (the second a bad image), when the action runs, the template is
 * revision 1's again (without the pod-template-hash label), and the controller then records it as
 * revision 3. A dry run changes nothing; an explicit revision that does not exist is refused,
 * listing the ones that do. The sandbox runs on a VirtualClock advanced by the test, so the
 * controller only acts between the test's steps.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { applyAction, parseAction } from "../../../src/core/actions/registry.ts";
import { isValidationError } from "../../../src/base/errors.ts";
import { KubeClient } from "../../../src/kube/kube-client.ts";
import type { KubeObject } from "../../../src/kube/types.ts";
import { VirtualClock } from "../../../sandbox/index.ts";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";
import type { ClusterClient } from "../../../src/kube/cluster-client.ts";
import { containerOf, deployment, deploymentRef, namespace, NS } from "./fixtures.ts";

const REVISION = "deployment.kubernetes.io/revision";
const revisionOf = (o: KubeObject | undefined) => o?.metadata.annotations?.[REVISION];

/** Passes every call through, noting each write. */
function countingClient(client: ClusterClient, writes: string[]): ClusterClient {
  return {
    server: client.server,
    read: (r) => client.read(r),
    list: (...a) => client.list(...a),
    create: (o, opts) => (writes.push(`create ${o.kind} ${o.metadata.name}`), client.create(o, opts)),
    replace: (o, opts) => (writes.push(`replace ${o.kind} ${o.metadata.name}`), client.replace(o, opts)),
    patch: (r, p, t, opts) => (writes.push(`patch ${r.kind} ${r.name}`), client.patch(r, p, t, opts)),
    delete: (r, opts) => (writes.push(`delete ${r.kind} ${r.name}`), client.delete(r, opts)),
    podLogs: (...a) => client.podLogs(...a),
  };
}

describe("rollout-undo against the deployment controller", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  let clock: VirtualClock;
  const ref = deploymentRef("geo");
  const replicaSets = async () =>
    (await client.list("apps/v1", "ReplicaSet", { namespace: NS })).filter((rs) => rs.metadata.ownerReferences?.some((o) => o.name === "geo"));
  const settle = async () => {
    // Let the controllers run: each advance drains their queues; the HTTP write is already stored.
    for (let i = 0; i < 5; i++) await clock.advanceAsync(1_000);
  };

  before(async () => {
    clock = new VirtualClock();
    cluster = await startTestCluster({ clock });
    client = new KubeClient(cluster.kc);
    await client.create(namespace());
    await client.create(deployment("geo"));
    await settle();
    const setImage = parseAction({ type: "set-image", params: { namespace: NS, name: "geo", container: "app", image: "nginx:does-not-exist" } });
    await applyAction(setImage, { client, dryRun: false });
    await settle();
  });
  after(() => cluster.close());

  it("given two revisions, the controller has labelled them 1 and 2", async () => {
    const revisions = (await replicaSets()).map(revisionOf).sort();
    assert.deepEqual(revisions, ["1", "2"]);
    assert.equal(revisionOf(await client.read(ref)), "2");
  });

  it("a dry run leaves the Deployment exactly as it was", async () => {
    const before = await client.read(ref);
    const out = await applyAction(parseAction({ type: "rollout-undo", params: { namespace: NS, name: "geo" } }), { client, dryRun: true });
    assert.equal(containerOf(out.results[0], "app").image, "nginx:1.25", "the server's dry-run answer has revision 1's template");
    const after = await client.read(ref);
    assert.equal(after?.metadata.resourceVersion, before?.metadata.resourceVersion);
    assert.deepEqual(after?.spec, before?.spec);
  });

  it("an unknown revision is refused, listing the revisions there are", async () => {
    const action = parseAction({ type: "rollout-undo", params: { namespace: NS, name: "geo", toRevision: 7 } });
    await assert.rejects(applyAction(action, { client, dryRun: true }), (e) => isValidationError(e) && /has no revision 7; its revisions are: 1, 2/.test(e.message));
  });

  it("rolls back to the previous revision in one write; the controller makes it revision 3", async () => {
    const writes: string[] = [];
    const counting = countingClient(client, writes);
    const out = await applyAction(parseAction({ type: "rollout-undo", params: { namespace: NS, name: "geo" } }), { client: counting, dryRun: false });
    assert.equal(out.summary, `rollout-undo Deployment ${NS}/geo revision 2 → 1`);
    assert.deepEqual(writes, [`replace Deployment geo`], "exactly one write: a replace of the Deployment");
    const after = await client.read(ref);
    assert.equal(containerOf(after, "app").image, "nginx:1.25");
    assert.equal(after?.spec.template.metadata.labels["pod-template-hash"], undefined, "the controller's hash label is not copied");
    await settle();
    const revisions = (await replicaSets()).map(revisionOf).sort();
    assert.deepEqual(revisions, ["2", "3"], "the old ReplicaSet is reused as revision 3, as on a real cluster");
    assert.equal(revisionOf(await client.read(ref)), "3");
  });

  it("undo again goes back to the bad image (revision 2), like kubectl's toggling undo", async () => {
    const out = await applyAction(parseAction({ type: "rollout-undo", params: { namespace: NS, name: "geo" } }), { client, dryRun: false });
    assert.equal(out.summary, `rollout-undo Deployment ${NS}/geo revision 3 → 2`);
    assert.equal(containerOf(await client.read(ref), "app").image, "nginx:does-not-exist");
  });

  it("to an explicit revision whose template is current: no write", async () => {
    await settle();
    const current = revisionOf(await client.read(ref));
    const before = await client.read(ref);
    const out = await applyAction(parseAction({ type: "rollout-undo", params: { namespace: NS, name: "geo", toRevision: Number(current) } }), { client, dryRun: false });
    assert.match(out.summary, /no change: the template already matches revision/);
    assert.equal((await client.read(ref))?.metadata.resourceVersion, before?.metadata.resourceVersion);
  });
});
