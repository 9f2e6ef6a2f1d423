/**
 * One writer, fresh plans. Two watchdog processes sharing one ledger path get two Lease identities,
 * so only one holds the Lease (they used to share `stratus@HOST/<hash>` and both wrote). A writer
 * that loses its Lease mid-transaction writes nothing more — its rollback included — and escalates.
 * A plan whose target changed while its transaction waited for the Lease is not applied: the
 * outcome is "stale", nothing is written, and the graph sends it back to be planned again.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { identityFor } from "../../src/cli/commands/watch.ts";
import { microTime, WriterLock } from "../../src/core/lock.ts";
import { observeTargets } from "../../src/core/plan-freshness.ts";
import { parsePlan } from "../../src/core/plan.ts";
import { runTransaction } from "../../src/core/transaction.ts";
import { routeAfterTransact } from "../../src/graph/nodes/transact.ts";
import type { IncidentState } from "../../src/graph/state.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";

const CHILD = join(import.meta.dirname, "fixtures/lease-child.ts");
const LEASE = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "default", name: "stratus-writer" };
const web = (name: string, replicas = 2) => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "default", labels: { app: name } },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
});
const ref = (name: string) => ({ apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name });

function child(input: object): Promise<{ identity: string; outcome: string; holder?: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(input)], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout));
    });
  });
}

describe("one writer, fresh plans", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  it("two processes sharing a ledger path get distinct identities, and only one holds the Lease", async () => {
    const ledger = "shared-volume/ledger.db";
    const mine = new WriterLock({ client: f.client, clock: f.clock, identity: identityFor(ledger) });
    const handle = await mine.acquire(0);
    try {
      const other = await child({ kubeconfig: f.cluster.kubeconfigFile, ledger });
      assert.notEqual(other.identity, identityFor(ledger), "a process of its own, an identity of its own");
      assert.equal(other.outcome, "unavailable", "the second process does not write");
      assert.equal(other.holder, identityFor(ledger));
    } finally {
      await handle.release();
    }
  });

  it("a writer that loses its Lease during verification writes nothing more, rollback included, and escalates", async () => {
    await f.client.create(web("lossy"));
    await eventually(async () => (await f.client.read(ref("lossy")))?.status?.availableReplicas === 2, 20_000, "lossy available");
    const plan = parsePlan({ steps: [{ id: "img", action: { type: "set-image", params: { namespace: "default", name: "lossy", container: "nginx", image: "nginx:9.9.9" } } }] });
    const res = await runTransaction({ plan, kind: "change", actor: "agent:test" }, f.deps({
      onStep: async (step) => {
        if (step !== "verify") return;
        // Another writer takes the Lease over (ours looked expired to it) and keeps it renewed; our
        // renewal notices, and the rollback cannot regain it.
        const lease = (await f.client.read(LEASE))!;
        await f.client.replace({ ...lease, spec: { ...lease.spec, holderIdentity: "intruder", leaseDurationSeconds: 3600, renewTime: microTime(f.clock.now()) } });
        await f.clock.sleep(20_000); // four renewal periods: ours notices at the next one
      },
    }));
    assert.equal(res.outcome, "escalated", res.reason);
    assert.match(res.reason, /lost the writer Lease/);
    assert.equal((await f.client.read(ref("lossy")))!.spec.template.spec.containers[0].image, "nginx:9.9.9", "not restored: another writer owns the cluster now");
    const undo = f.ledger.byTransaction(res.txId).filter((e) => e.kind === "undo" && e.payload.ref);
    assert.ok(undo.length && undo.every((e) => e.payload.matches === false), "each object reported not restored");
    const lease = (await f.client.read(LEASE))!;
    await f.client.replace({ ...lease, spec: { ...lease.spec, holderIdentity: "" } });
  });

  it("a rollback whose Lease was marked lost only by failed renewals regains it (nobody else holds it) and restores", async () => {
    const lock = new WriterLock({ client: f.client, clock: f.clock, identity: "flaky-renewals" });
    const handle = await lock.acquire(0);
    try {
      // Renewals failing for a whole Lease duration mark the handle lost; the Lease still names us.
      f.cluster.sandbox.apiFaults.set({ error500: 1, resources: ["leases"] });
      await eventually(() => handle.lost, 20_000, "the handle to be marked lost");
      f.cluster.sandbox.apiFaults.set({ error500: 0 });
      assert.throws(() => handle.assertHeld(), /lost the writer Lease/);
      assert.equal(await handle.regain!(), true);
      handle.assertHeld();
      const renewed = (await f.client.read(LEASE))!.spec.renewTime;
      await eventually(async () => {
        const lease = (await f.client.read(LEASE))!;
        return lease.spec.holderIdentity === "flaky-renewals" && lease.spec.renewTime !== renewed;
      }, 20_000, "the regained Lease to be renewed again");
    } finally {
      f.cluster.sandbox.apiFaults.set({ error500: 0 });
      await handle.release();
    }
  });

  it("a plan whose target changed while it waited for the Lease is stale: nothing written, planned again", async () => {
    await f.client.create(web("busy"));
    await eventually(async () => (await f.client.read(ref("busy")))?.status?.availableReplicas === 2, 20_000, "busy available");
    const plan = parsePlan({ steps: [{ id: "scale", action: { type: "scale", params: { namespace: "default", name: "busy", replicas: 4 } } }] });
    const observed = await observeTargets(f.client, plan);
    // Another watchdog holds the Lease; while we wait, a person changes the target, then it lets go.
    const other = await new WriterLock({ client: f.client, clock: f.clock, identity: "other-watchdog" }).acquire(0);
    const waiting = runTransaction({ plan, kind: "mitigation", actor: "agent:test", incidentId: "inc-stale", observed }, f.deps({ settings: { stabilizationMs: 20_000, apiRetryBaseMs: 50, lockWaitMs: 120_000 } }));
    await f.client.patch(ref("busy"), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:1.28" }] } } } }, "strategic");
    await other.release();
    const res = await waiting;
    assert.equal(res.outcome, "stale", res.reason);
    assert.match(res.reason, /Deployment default\/busy was changed since the plan was proposed/);
    assert.equal((await f.client.read(ref("busy")))!.spec.replicas, 2, "the stale plan was not applied");
    const kinds = f.ledger.byTransaction(res.txId).map((e) => `${e.kind}${e.payload.phase ? `:${e.payload.phase}` : ""}`);
    assert.deepEqual(kinds, ["lock", "abort:stale"]);
    assert.equal(routeAfterTransact({ result: res } as IncidentState), "plan", "re-proposed, not counted as a failed attempt");
  });
});
