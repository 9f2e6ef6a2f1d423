/**
 * The TNR transaction against the sandbox, as stories: a fix that works commits; a "fix" that makes
 * health worse is rolled back and every touched object is back as its snapshot; a plan whose dry
 * run fails never writes; and the ledger verifies after each.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { digestOf, runTransaction } from "../../src/core/transaction.ts";
import { parsePlan } from "../../src/core/plan.ts";
import { sameDesiredState } from "../../src/core/snapshot.ts";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";

const web = (name: string, image = "nginx:1.27", replicas = 2) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "default", labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image, ports: [{ containerPort: 80 }] }] } },
  },
});

const ref = (name: string) => ({ apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name });

async function available(f: TnrFixture, name: string, n: number) {
  await eventually(async () => (await f.client.read(ref(name)))?.status?.availableReplicas === n, 20_000, `${name} to have ${n} available`);
}

describe("TNR transaction", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  it("commits a rollout-undo that fixes a bad release", async () => {
    await f.client.create(web("shop"));
    await available(f, "shop", 2);
    // The incident: a release with an image tag that does not exist.
    await f.client.patch(ref("shop"), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.9" }] } } } }, "strategic");
    await eventually(async () => {
      const pods = await f.client.list("v1", "Pod", { namespace: "default", labelSelector: "app=shop" });
      return pods.some((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff");
    }, 20_000, "ImagePullBackOff");

    const plan = parsePlan({ steps: [{ id: "undo", action: { type: "rollout-undo", params: { namespace: "default", name: "shop" } } }] });
    const res = await runTransaction({ plan, kind: "mitigation", actor: "agent:test", incidentId: "inc-1" }, f.deps());
    assert.equal(res.outcome, "committed", res.reason);
    assert.ok(res.baseline!.severity > res.after!.severity, "severity fell");
    const d = await f.client.read(ref("shop"));
    assert.equal(d!.spec.template.spec.containers[0].image, "nginx:1.27");
    const kinds = f.ledger.byTransaction(res.txId).map((e) => e.kind);
    assert.deepEqual(kinds.filter((k) => k !== "health"), ["lock", "transaction", "snapshot", "action", "commit"]);
    assert.equal(f.ledger.verify().ok, true);
  });

  it("rolls back a change that makes health worse, restoring every touched object", async () => {
    await f.client.create(web("cart"));
    await available(f, "cart", 2);
    const before = (await f.client.read(ref("cart")))!;
    // A "fix" that breaks a healthy Deployment: the verify step must catch it.
    const plan = parsePlan({ steps: [
      { id: "bad-image", action: { type: "set-image", params: { namespace: "default", name: "cart", container: "nginx", image: "nginx:0.0.0-missing" } } },
    ] });
    const res = await runTransaction({ plan, kind: "change", actor: "agent:test" }, f.deps());
    assert.equal(res.outcome, "rolled-back", res.reason);
    assert.equal(res.verdict?.phase, "Failed");
    assert.match(res.reason, /regressed/);
    const now = (await f.client.read(ref("cart")))!;
    assert.ok(sameDesiredState(now, before), "spec equals its snapshot after rollback");
    assert.ok(res.restored.every((r) => r.matches));
    const entries = f.ledger.byTransaction(res.txId);
    assert.ok(entries.some((e) => e.kind === "undo" && e.payload.phase === "complete" && e.payload.restored === true));
    assert.equal(f.ledger.verify().ok, true);
  });

  it("aborts before any write when a dry run fails", async () => {
    await f.client.create(web("api", "nginx:1.27", 1));
    await available(f, "api", 1);
    const rv = (await f.client.read(ref("api")))!.metadata.resourceVersion;
    const plan = parsePlan({ steps: [
      { id: "scale", action: { type: "scale", params: { namespace: "default", name: "api", replicas: 3 } } },
      { id: "img", after: ["scale"], action: { type: "set-image", params: { namespace: "default", name: "api", container: "no-such-container", image: "nginx:1.27" } } },
    ] });
    const res = await runTransaction({ plan, kind: "change", actor: "agent:test" }, f.deps());
    assert.equal(res.outcome, "aborted");
    assert.match(res.reason, /dry run of step img/);
    assert.equal((await f.client.read(ref("api")))!.metadata.resourceVersion, rv, "nothing was written");
    assert.ok(!f.ledger.byTransaction(res.txId).some((e) => e.kind === "action"));
  });
});

describe("TNR transaction and the policy guard", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  it("refuses a forbidden action before locking or writing, and records why", async () => {
    await f.client.create({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data", namespace: "default" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
    const plan = parsePlan({ steps: [{ id: "drop", action: { type: "delete-object", params: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: "default", name: "data" } } }] });
    const res = await runTransaction({ plan, kind: "mitigation", actor: "agent:test", policy: DEFAULT_POLICY, approval: { by: "alice", digest: digestOf(plan) } }, f.deps());
    assert.equal(res.outcome, "refused");
    assert.match(res.reason, /PersistentVolumeClaim/);
    const entries = f.ledger.byTransaction(res.txId);
    assert.deepEqual(entries.map((e) => e.kind), ["refusal"]);
    assert.ok(await f.client.read({ apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: "default", name: "data" }), "the PVC is still there");
  });

  it("asks for a person when a high-risk action has no approval, and runs it once approved", async () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "flags", namespace: "default" }, data: { a: "1" } };
    await f.client.create(cm);
    const plan = parsePlan({ steps: [{ id: "p", action: { type: "patch", params: { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "flags", patchType: "merge", patch: { data: { a: "2" } } } } }] });
    const waiting = await runTransaction({ plan, kind: "change", actor: "agent:test", policy: DEFAULT_POLICY }, f.deps());
    assert.equal(waiting.outcome, "needs-approval");
    assert.equal((await f.client.read({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "flags" }))!.data.a, "1");
    const approved = await runTransaction({ plan, kind: "change", actor: "agent:test", policy: DEFAULT_POLICY, approval: { by: "alice", digest: digestOf(plan) } }, f.deps());
    assert.equal(approved.outcome, "committed", approved.reason);
    assert.ok(f.ledger.byTransaction(approved.txId).some((e) => e.kind === "approval" && e.actor === "person:alice"));
  });
});
