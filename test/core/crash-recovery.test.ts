/**
 * Crash recovery and writer exclusivity across processes. A child process running a transaction is
 * SIGKILLed after each protocol step in turn; on restart, recovery rolls the transaction back (or
 * finds it committed), never leaving a half-applied plan, and the ledger verifies. Two processes
 * racing for the writer Lease: exactly one writes, and the ledger says who gave up.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { openLedger } from "../../src/core/ledger/index.ts";
import { WriterLock } from "../../src/core/lock.ts";
import { recoverTransactions, unfinishedTransactions } from "../../src/core/recovery.ts";
import { sameDesiredState } from "../../src/core/snapshot.ts";
import { systemClock } from "../../src/base/clock.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { RealClock } from "../../sandbox/index.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

const CHILD = join(import.meta.dirname, "fixtures/tx-child.ts");
const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" };

function runChild(input: Record<string, unknown>): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(input)], { timeout: 60_000 }, (_err, stdout, stderr) => {
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
    });
  });
}

const plan = {
  steps: [
    { id: "scale", action: { type: "scale", params: { namespace: "default", name: "web", replicas: 3 } } },
    { id: "env", after: ["scale"], action: { type: "set-env", params: { namespace: "default", name: "web", container: "nginx", env: { MODE: "canary" } } } },
  ],
};

describe("crash recovery", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  before(async () => {
    cluster = await startTestCluster({ clock: new RealClock(10) });
    client = new KubeClient(cluster.kc, { retryBaseMs: 20 });
    await client.create({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default" },
      spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
    });
    await eventually(async () => (await client.read(ref))?.status?.availableReplicas === 2, 20_000, "web available");
  });
  after(async () => { await cluster.close(); });

  for (const crashAt of ["intent", "snapshot", "dry-run", "action:scale", "action:env", "verify"]) {
    it(`a process killed after "${crashAt}" is rolled back on restart and the ledger verifies`, async () => {
      const original = (await client.read(ref))!;
      const ledgerPath = join(mkdtempSync(join(tmpdir(), "stratus-crash-")), "ledger.db");
      const child = await runChild({ kubeconfig: cluster.kubeconfigFile, ledger: ledgerPath, identity: "watchdog-1", plan, crashAt, stabilizationMs: 500 });
      assert.equal(child.signal, "SIGKILL", `child should have died at ${crashAt}: ${child.stderr}`);

      const ledger = openLedger({ path: ledgerPath });
      try {
        const pending = unfinishedTransactions(ledger);
        assert.equal(pending.length, 1, "the killed transaction is unfinished");
        // The restarted watchdog has the same identity, so it may take its own Lease back at once.
        const report = await recoverTransactions({ client, clock: systemClock, ledger, lock: new WriterLock({ client, clock: systemClock, identity: "watchdog-1" }) });
        assert.deepEqual(report.map((r) => r.outcome), ["rolled-back"]);
        assert.deepEqual(unfinishedTransactions(ledger), []);
        const now = (await client.read(ref))!;
        assert.ok(sameDesiredState(now, original), `Deployment back to its snapshot after a crash at ${crashAt}`);
        assert.equal(ledger.verify().ok, true);
      } finally {
        ledger.close();
      }
    });
  }
});

describe("writer lock across processes", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ clock: new RealClock(10) });
    const client = new KubeClient(cluster.kc);
    await client.create({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default" },
      spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
    });
  });
  after(async () => { await cluster.close(); });

  it("two processes race: exactly one writes, the other gives up and the ledger says so", async () => {
    const ledgerPath = join(mkdtempSync(join(tmpdir(), "stratus-race-")), "ledger.db");
    const base = { kubeconfig: cluster.kubeconfigFile, ledger: ledgerPath, plan: { steps: [plan.steps[0]] }, stabilizationMs: 3000, lockWaitMs: 0 };
    const [a, b] = await Promise.all([runChild({ ...base, identity: "watchdog-a" }), runChild({ ...base, identity: "watchdog-b" })]);
    for (const r of [a, b]) assert.equal(r.code, 0, `a racing process failed: ${r.stderr}`);
    const results = [a, b].map((r) => JSON.parse(r.stdout.trim().split("\n").pop()!));
    const gaveUp = results.filter((r) => r.outcome === "aborted" && /held by/.test(r.reason));
    const wrote = results.filter((r) => r.outcome !== "aborted");
    assert.equal(gaveUp.length, 1, JSON.stringify(results));
    assert.equal(wrote.length, 1, JSON.stringify(results));
    const ledger = openLedger({ path: ledgerPath });
    try {
      const locks = ledger.byKind("lock").map((e) => e.payload.outcome);
      assert.deepEqual(locks.sort(), ["acquired", "gave-up"]);
      const actions = ledger.byKind("action");
      assert.equal(new Set(actions.map((e) => e.txId)).size, 1, "only one transaction wrote");
      assert.equal(ledger.verify().ok, true);
    } finally {
      ledger.close();
    }
  });
});
