/**
 * What Stratus's writes leave behind on a cluster, checked on the sandbox over HTTP with real
 * kubectl: every write carries the field manager "stratus" (managedFields say who wrote what), and
 * a transaction's Events carry the touched object's uid, so `kubectl describe` shows them beside
 * the cluster's own.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parsePlan } from "../../src/core/plan.ts";
import { runTransaction } from "../../src/core/transaction.ts";
import { EVENT_SOURCE } from "../../src/kube/events.ts";
import { FIELD_MANAGER } from "../../src/kube/kube-client.ts";
import type { KubeObject } from "../../src/kube/types.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { deployment, deploymentRef } from "../graph/harness.ts";

const managers = (o: KubeObject | undefined) => ((o?.metadata.managedFields ?? []) as Array<{ manager: string; operation: string }>).map((m) => `${m.manager}:${m.operation}`);

describe("writes and Events on the sandbox", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  it("create, merge, strategic and JSON patches, and replace all write as field manager stratus", async () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "flags", namespace: "default" }, data: { a: "1" } };
    const ref = { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "flags" };
    await f.client.create(cm);
    assert.deepEqual(managers(await f.client.read(ref)), [`${FIELD_MANAGER}:Update`]);
    // Someone else writes a field; each Stratus write after that is recorded as Stratus's own.
    const { stdout } = await f.cluster.kubectl(["patch", "configmap", "flags", "-n", "default", "--type", "merge", "-p", '{"data":{"b":"2"}}']);
    assert.match(stdout, /patched/);
    await f.client.patch(ref, { data: { c: "3" } }, "merge");
    await f.client.patch(ref, [{ op: "add", path: "/data/d", value: "4" }], "json");
    const current = (await f.client.read(ref))!;
    await f.client.replace({ ...current, data: { ...current.data, e: "5" } });
    const after = (await f.client.read(ref))!;
    assert.ok(managers(after).includes(`${FIELD_MANAGER}:Update`), managers(after).join(", "));
    assert.ok(managers(after).some((m) => m.startsWith("kubectl")), "kubectl's own write is told apart");
    assert.ok(!managers(after).some((m) => m.startsWith("kubernetes-client-javascript")), "never client-node's default name");
  });

  it("a committed transaction's Events name the Deployment by uid: kubectl describe shows StratusApplied and StratusCommitted", async () => {
    await f.client.create(deployment("web", "nginx:1.27", 1));
    await eventually(async () => (await f.client.read(deploymentRef("web")))?.status?.availableReplicas === 1, 30_000, "web available");
    const plan = parsePlan({ steps: [{ id: "more", action: { type: "scale", params: { namespace: "default", name: "web", replicas: 2 } } }] });
    const res = await runTransaction({ plan, kind: "change", actor: "agent:test" }, f.deps());
    assert.equal(res.outcome, "committed", res.reason);

    const web = (await f.client.read(deploymentRef("web")))!;
    assert.ok(managers(web).includes(`${FIELD_MANAGER}:Update`), `the scale was written as stratus: ${managers(web).join(", ")}`);
    const events = await f.client.list("v1", "Event", { namespace: "default", fieldSelector: `involvedObject.uid=${web.metadata.uid},reportingComponent=${EVENT_SOURCE}` });
    assert.deepEqual(events.map((e) => e.reason).sort(), ["StratusApplied", "StratusCommitted"]);
    for (const e of events) {
      assert.deepEqual(e.involvedObject, { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "default", uid: web.metadata.uid });
      assert.equal(e.source.component, EVENT_SOURCE);
      assert.match(e.message, new RegExp(res.txId));
    }
    const described = await f.cluster.kubectl(["describe", "deployment", "web", "-n", "default"]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /Normal\s+StratusApplied\s+.*stratus\s+Stratus transaction \S+ applied step more: scale Deployment default\/web 1 → 2/);
    assert.match(described.stdout, /Normal\s+StratusCommitted\s+.*stratus\s+Stratus transaction \S+ committed/);
  });
});
