/**
 * The ablation variants against a real transaction: with `naive`, a change that makes health worse
 * is *not* undone — the object keeps the failed attempt's spec, the core does not escalate the
 * rollback it was told to skip, the undo review says nothing was undone and lets the graph retry,
 * and the ledger says the rollback was skipped; with `stratus` the same change is rolled back.
 * `single` allows one attempt.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createEmbeddedAgents } from "../../../agents/index.ts";
import { parsePlan } from "../../../src/core/plan.ts";
import { runTransaction } from "../../../src/core/transaction.ts";
import { setupVariant } from "../../../evals/runner/variants.ts";
import { eventually } from "../../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../../helpers/tnr.ts";

const web = (name: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "default", labels: { app: name } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] } },
  },
});
const ref = (name: string) => ({ apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name });
const badImage = (name: string) => parsePlan({ steps: [{ id: "bad", action: { type: "set-image", params: { namespace: "default", name, container: "nginx", image: "nginx:0.0.0-missing" } } }] });

describe("agent variants (the paper's ablations)", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  async function ready(name: string) {
    await f.client.create(web(name));
    await eventually(async () => (await f.client.read(ref(name)))?.status?.availableReplicas === 1, 20_000, `${name} available`);
  }

  it("naive leaves a failed attempt in place and lets the graph retry", async () => {
    await ready("naive-web");
    const v = setupVariant("naive", { agents: createEmbeddedAgents(), ledger: f.ledger, attempts: 5 });
    const deps = f.deps();
    const res = await runTransaction({ plan: badImage("naive-web"), kind: "change", actor: "agent:test" }, { ...deps, ledger: v.ledger, health: v.wrapHealth(deps.health) });
    assert.equal(res.outcome, "rolled-back", res.reason);
    assert.deepEqual(res.restored, [], "nothing was restored");
    const now = await f.client.read(ref("naive-web"));
    assert.equal(now!.spec.template.spec.containers[0].image, "nginx:0.0.0-missing", "the failed attempt is still in place");
    const review = await v.agents.undo.review(res, { client: f.client, clock: f.clock, namespaces: ["default"] });
    assert.match(review.summary, /nothing was undone/);
    assert.equal(res.restoration?.restored, true, "nothing to restore: the transaction does not escalate the skipped rollback");
    assert.ok(f.ledger.byTransaction(res.txId).some((e) => e.kind === "note" && e.payload.phase === "rollback-skipped"));
    assert.equal(v.maxAttempts, 5);
    assert.equal(f.ledger.verify().ok, true);
  });

  it("stratus rolls the same attempt back; single allows one attempt", async () => {
    await ready("full-web");
    const v = setupVariant("stratus", { agents: createEmbeddedAgents(), ledger: f.ledger, attempts: 5 });
    const deps = f.deps();
    const res = await runTransaction({ plan: badImage("full-web"), kind: "change", actor: "agent:test" }, { ...deps, ledger: v.ledger, health: v.wrapHealth(deps.health) });
    assert.equal(res.outcome, "rolled-back", res.reason);
    assert.ok(res.restored.length > 0 && res.restored.every((r) => r.matches));
    assert.equal((await f.client.read(ref("full-web")))!.spec.template.spec.containers[0].image, "nginx:1.27");
    assert.equal(setupVariant("single", { agents: createEmbeddedAgents(), ledger: f.ledger, attempts: 5 }).maxAttempts, 1);
  });
});
