/**
 * Leader election against the sandbox's Lease API: the election itself (take, renew, a 409 on a
 * stale resourceVersion when someone else wrote the Lease → not leader, takeover only after the
 * holder's renewTime + duration, leaseTransitions, release), then two watchdogs with their own
 * ledgers on one cluster: exactly one acts on a broken Deployment, the other stands by (ready,
 * naming the leader, refusing approvals); when the leader stops, the standby takes over within one
 * lease duration and fixes the next fault.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RealClock } from "../../sandbox/index.ts";
import { openLedger, type LedgerStore } from "../../src/core/ledger/index.ts";
import { parsePolicy } from "../../src/core/policy.ts";
import { closeCheckpointer, openCheckpointer } from "../../src/graph/index.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { AlertStore, StratusMetrics } from "../../src/server/index.ts";
import { Watchdog } from "../../src/watchdog/index.ts";
import { LeaderElector } from "../../src/watchdog/leader.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";
import { deployment, deploymentRef } from "../graph/harness.ts";
import { setImage, stubAgents } from "../graph/stub-agents.ts";

const SPEED = 20;

describe("leader election", () => {
  let cluster: TestCluster;
  let clock: RealClock;
  let client: KubeClient;
  before(async () => {
    clock = new RealClock(SPEED);
    cluster = await startTestCluster({ clock });
    client = new KubeClient(cluster.kc, { clock, retryBaseMs: 20 });
  });
  after(async () => { await cluster.close(); });

  it("takes the Lease, loses it on a 409 to another holder, takes over only after expiry, and releases", async () => {
    const opts = { client, clock, namespace: "default", name: "unit-leader", leaseDurationSeconds: 30 };
    const a = new LeaderElector({ ...opts, identity: "a" });
    const b = new LeaderElector({ ...opts, identity: "b" });
    const ref = a.ref;

    assert.equal(await a.tryAcquireOrRenew(), true, "the first one creates the Lease");
    assert.equal(await b.tryAcquireOrRenew(), false, "the Lease is held and fresh");
    assert.equal(b.leader, "a");
    assert.equal(await a.tryAcquireOrRenew(), true, "the leader renews");
    const renewed = (await client.read(ref))!;
    assert.equal(renewed.spec.holderIdentity, "a");
    assert.equal(renewed.spec.leaseTransitions, 0);

    // Someone else writes the Lease: the leader's renewal carries a stale resourceVersion (409).
    await client.replace({ ...renewed, spec: { ...renewed.spec, holderIdentity: "intruder", renewTime: new Date(clock.now()).toISOString() } });
    assert.equal(await a.tryAcquireOrRenew(), false, "a 409 to another holder ends the leadership");
    assert.equal(a.leading, false);
    assert.equal(a.leader, "intruder");

    // The intruder never renews: b takes over once its renewTime + 30 s has passed, not before.
    assert.equal(await b.tryAcquireOrRenew(), false);
    await eventually(() => b.tryAcquireOrRenew(), 30_000 / SPEED + 10_000, "b to take the expired Lease");
    const taken = (await client.read(ref))!;
    assert.equal(taken.spec.holderIdentity, "b");
    assert.equal(taken.spec.leaseTransitions, 1, "a takeover is a transition");
    assert.ok(Date.parse(taken.spec.renewTime) - Date.parse(renewed.spec.renewTime) >= 30_000, "not before the intruder's Lease expired");

    // A clean stop releases: a takes it at its next try, without waiting for the duration.
    await b.stop();
    assert.equal((await client.read(ref))!.spec.holderIdentity, "");
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal((await client.read(ref))!.spec.leaseTransitions, 2);
    await a.stop();

    // A Lease it cannot write (here: its namespace does not exist) is a problem it names, not a leader.
    const lost = new LeaderElector({ ...opts, namespace: "no-such-namespace", identity: "c" });
    assert.equal(await lost.tryAcquireOrRenew(), false);
    assert.match(lost.problem ?? "", /^cannot take or renew the leader Lease no-such-namespace\/unit-leader: .*not found/i);
  });

  it("a watchdog that loses the Lease to another holder stands by, and leads again once it is free", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-leader-lose-"));
    const ledger = openLedger({ path: join(dir, "ledger.db"), now: () => clock.now() });
    const checkpointer = openCheckpointer(join(dir, "ledger.checkpoints.db"));
    const metrics = new StratusMetrics(() => clock.now(), { processMetrics: false });
    const logs: string[] = [];
    const wd = new Watchdog({
      kubeConfig: cluster.kc, client, clock, namespaces: ["default"], ledger, checkpointer,
      policy: parsePolicy("requireApproval: [high]\n"), agents: stubAgents([]), metrics, alerts: new AlertStore(() => clock.now()),
      identity: "wd-lose", leaderElection: { name: "lose-leader", leaseDurationSeconds: 60, retryPeriodMs: 5_000 }, log: (l) => logs.push(l),
    });
    const done = wd.run();
    const gauge = async () => (await metrics.registry.getSingleMetricAsString("stratus_leader")).match(/^stratus_leader (\d)$/m)?.[1];
    try {
      await eventually(() => wd.elector!.leading && wd.readiness().ready, 30_000, "it to lead and be ready");
      assert.deepEqual(wd.readiness().reasons, []);
      const ref = wd.elector!.ref;
      // The watchdog renews all the while: read and replace until our write is not the one answered 409.
      const overwrite = (spec: Record<string, unknown>) => eventually(async () => {
        const current = (await client.read(ref))!;
        return client.replace({ ...current, spec: { ...current.spec, ...spec } });
      }, 10_000, "the Lease to be overwritten");
      const held = await overwrite({ holderIdentity: "intruder", renewTime: new Date(clock.now()).toISOString() });
      await eventually(() => !wd.elector!.leading, 30_000, "it to notice at its next renewal").catch((e) => assert.fail(`${e.message}\n${logs.join("\n")}`));
      assert.deepEqual(wd.readiness(), { ready: true, reasons: ["standby: leader is intruder"] });
      assert.equal(await gauge(), "0");

      await overwrite({ holderIdentity: "" });
      await eventually(() => wd.elector!.leading, 30_000, "it to lead again once the Lease is free");
      assert.equal(await gauge(), "1");
      assert.equal((await client.read(ref))!.spec.leaseTransitions, held.spec.leaseTransitions + 1, "retaking it from another holder is a transition");
      assert.ok(logs.some((l) => l.includes("standby: the leader is intruder")), logs.join("\n"));
    } finally {
      await wd.stop();
      assert.equal(await done, 0);
      assert.equal((await client.read(wd.elector!.ref))!.spec.holderIdentity, "", "released on stop");
      ledger.close();
      await closeCheckpointer(checkpointer);
    }
  });

  it("two watchdogs: exactly one acts; after the leader stops, the standby takes over and fixes the next fault", async () => {
    await client.create(deployment("shop"));
    await eventually(async () => (await client.read(deploymentRef("shop")))?.status?.availableReplicas === 2, 30_000, "shop available");

    const leaseDurationSeconds = 60;
    const replicas = ["wd-a", "wd-b"].map((identity) => {
      const dir = mkdtempSync(join(tmpdir(), `stratus-leader-${identity}-`));
      const ledger = openLedger({ path: join(dir, "ledger.db"), now: () => clock.now() });
      const checkpointer = openCheckpointer(join(dir, "ledger.checkpoints.db"));
      const metrics = new StratusMetrics(() => clock.now(), { processMetrics: false });
      const logs: string[] = [];
      const fix = (incident: { namespace: string; affected: string[] }) => setImage(incident.namespace, incident.affected[0], "nginx:1.27");
      const wd = new Watchdog({
        kubeConfig: cluster.kc, client: new KubeClient(cluster.kc, { clock, retryBaseMs: 20 }), clock, namespaces: ["default"], ledger, checkpointer,
        policy: parsePolicy("requireApproval: [high]\n"), agents: stubAgents([fix, fix, fix]), metrics, alerts: new AlertStore(() => clock.now()),
        identity, leaderElection: { leaseDurationSeconds, retryPeriodMs: 5_000 }, log: (l) => logs.push(l),
      });
      return { identity, wd, ledger, checkpointer, metrics, logs, done: wd.run() };
    });
    const commits = (l: LedgerStore) => l.byKind("commit").length;
    const dump = () => replicas.map((r) => `${r.identity}:\n${r.logs.join("\n")}`).join("\n");
    try {
      const leader = await eventually(() => replicas.find((r) => r.wd.elector!.leading), 30_000, "a leader").catch((e) => assert.fail(`${e.message}\n${dump()}`));
      const standby = replicas.find((r) => r !== leader)!;
      await eventually(() => standby.wd.elector!.leader === leader.identity && standby.wd.readiness().ready, 30_000, "the standby to see the leader and be ready");
      assert.deepEqual(standby.wd.readiness(), { ready: true, reasons: [`standby: leader is ${leader.identity}`] });
      await assert.rejects(standby.wd.approve("INC-x", { by: "someone", reject: false }), new RegExp(`standby; the leader is ${leader.identity}`));
      assert.match(await leader.metrics.registry.getSingleMetricAsString("stratus_leader"), /stratus_leader 1$/m);
      assert.match(await standby.metrics.registry.getSingleMetricAsString("stratus_leader"), /stratus_leader 0$/m);

      // A broken release: only the leader fixes it; the standby's ledger stays empty.
      await client.patch(deploymentRef("shop"), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.9" }] } } } }, "strategic");
      await eventually(() => commits(leader.ledger) >= 1, 120_000, "the leader to commit a fix").catch((e) => assert.fail(`${e.message}\n${dump()}`));
      await eventually(async () => (await client.read(deploymentRef("shop")))?.status?.availableReplicas === 2, 60_000, "shop available again");
      assert.equal(standby.ledger.count(), 0, "the standby wrote nothing to its ledger");
      assert.equal(standby.wd.book.all().length, 0, "the standby opened no incident");
      const leaderCommits = commits(leader.ledger);

      // The leader stops (SIGTERM): it releases the Lease; the standby leads within one lease duration.
      await leader.wd.stop();
      assert.equal(await leader.done, 0);
      await eventually(() => standby.wd.elector!.leading, (leaseDurationSeconds * 1000) / SPEED, "the standby to take over within one lease duration").catch((e) => assert.fail(`${e.message}\n${dump()}`));
      const lease = (await client.read(standby.wd.elector!.ref))!;
      assert.equal(lease.spec.holderIdentity, standby.identity);
      assert.ok(lease.spec.leaseTransitions >= 1);

      // The next fault is the new leader's.
      await client.patch(deploymentRef("shop"), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.8" }] } } } }, "strategic");
      await eventually(() => commits(standby.ledger) >= 1, 120_000, "the new leader to commit a fix").catch((e) => assert.fail(`${e.message}\n${dump()}`));
      await eventually(async () => (await client.read(deploymentRef("shop")))?.status?.availableReplicas === 2, 60_000, "shop available again");
      assert.equal(commits(leader.ledger), leaderCommits, "the stopped replica did not act again");
    } finally {
      for (const r of replicas) await r.wd.stop();
      await Promise.allSettled(replicas.map((r) => r.done));
      for (const r of replicas) {
        r.ledger.close();
        await closeCheckpointer(r.checkpointer);
      }
    }
  });
});
