/**
 * The watchdog stopped in the middle of an incident, in its own process, then started again.
 * Killed with SIGKILL right after its transaction applied the fix: core recovery rolls the
 * unfinished transaction back, the incident's graph thread resumes where it stopped (same incident,
 * no new one), runs the plan again and commits, and the ledger verifies. Sent SIGTERM at the same
 * point: it lets the transaction commit, parks the thread, exits 0, and the next start closes it.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RealClock } from "../../sandbox/index.ts";
import { openLedger } from "../../src/core/ledger/index.ts";
import { unfinishedTransactions } from "../../src/core/recovery.ts";
import { openIncidents } from "../../src/graph/index.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";
import { deployment, deploymentRef } from "../graph/harness.ts";

const CHILD = join(import.meta.dirname, "fixtures/watchdog-child.ts");
const SPEED = 20;

function runChild(input: Record<string, unknown>): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(input)], { timeout: 120_000 }, (_e, stdout, stderr) => {
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
    });
  });
}

describe("watchdog crash, shutdown and restart", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  before(async () => {
    const clock = new RealClock(SPEED);
    cluster = await startTestCluster({ clock });
    client = new KubeClient(cluster.kc, { clock, retryBaseMs: 20 });
  });
  after(async () => { await cluster.close(); });

  it("resumes the incident's thread after a SIGKILL mid-transaction, and the ledger verifies", async () => {
    await brokenRelease(client, "shop");

    const ledgerPath = join(mkdtempSync(join(tmpdir(), "stratus-watch-crash-")), "ledger.db");
    const common = { kubeconfig: cluster.kubeconfigFile, ledger: ledgerPath, speed: SPEED, identity: "watchdog-crash-test", deployment: "shop" };

    const first = await runChild({ ...common, crashAt: "action:set-image" });
    assert.equal(first.signal, "SIGKILL", `the first watchdog should die mid-transaction: ${first.stderr}`);
    assert.match(first.stdout, /detected INC-shop-/);
    assert.match(first.stdout, /plan: set-image/);
    let incidentId: string;
    {
      const ledger = openLedger({ path: ledgerPath });
      try {
        const open = openIncidents(ledger);
        assert.equal(open.length, 1, "the incident is open");
        incidentId = open[0].incident.id;
        assert.equal(unfinishedTransactions(ledger).length, 1, "its transaction is unfinished");
        assert.ok(ledger.byIncident(incidentId).some((e) => e.kind === "action"), "the fix was applied before the crash");
      } finally {
        ledger.close();
      }
    }

    const second = await runChild({ ...common, once: { quietMs: 20_000, timeoutMs: 600_000 } });
    assert.equal(second.code, 0, `the restarted watchdog fixes it and exits 0:\n${second.stdout}\n${second.stderr}`);
    assert.match(second.stderr, /recovery: transaction \S+ was unfinished at start; rolled-back/);
    assert.match(second.stderr, new RegExp(`resuming ${incidentId}`));
    assert.match(second.stdout, new RegExp(`resolved ${incidentId}`));
    assert.doesNotMatch(second.stdout, /detected /, "no new incident: the same thread went on");

    const ledger = openLedger({ path: ledgerPath });
    try {
      const entries = ledger.byIncident(incidentId);
      assert.equal(entries.filter((e) => e.kind === "incident").length, 1);
      const txs = [...new Set(entries.filter((e) => e.kind === "transaction").map((e) => e.txId!))];
      assert.deepEqual(txs, [`${incidentId}-tx1`, `${incidentId}-tx1-r1`]);
      assert.ok(ledger.byTransaction(txs[0]).some((e) => e.actor === "core:recovery" && e.kind === "undo" && e.payload.final === true), "recovery rolled the first back");
      assert.ok(ledger.byTransaction(txs[1]).some((e) => e.kind === "commit"), "the rerun committed");
      assert.ok(entries.some((e) => e.payload.phase === "resumed"));
      assert.ok(entries.some((e) => e.payload.phase === "closed" && e.payload.status === "resolved"));
      assert.deepEqual(unfinishedTransactions(ledger), []);
      assert.equal(ledger.verify().ok, true);
    } finally {
      ledger.close();
    }
    assert.equal((await client.read(deploymentRef("shop")))!.spec.template.spec.containers[0].image, "nginx:1.27");
  });

  it("on SIGTERM mid-transaction lets it commit, parks the thread, exits 0; the next start closes the incident", async () => {
    await brokenRelease(client, "cart");
    const ledgerPath = join(mkdtempSync(join(tmpdir(), "stratus-watch-term-")), "ledger.db");
    const common = { kubeconfig: cluster.kubeconfigFile, ledger: ledgerPath, speed: SPEED, identity: "watchdog-term-test", deployment: "cart" };
    const first = await runChild({ ...common, termAt: "action:set-image" });
    assert.equal(first.code, 0, `graceful stop exits 0:\n${first.stdout}\n${first.stderr}`);
    assert.match(first.stderr, /stopping: letting the running transaction commit or roll back/);
    assert.match(first.stdout, /^committed$/m);
    assert.doesNotMatch(first.stdout, /^resolved /m, "stopped before the incident was closed");
    let incidentId: string;
    {
      const ledger = openLedger({ path: ledgerPath });
      try {
        assert.deepEqual(unfinishedTransactions(ledger), [], "nothing left half-done");
        const open = openIncidents(ledger);
        assert.equal(open.length, 1);
        incidentId = open[0].incident.id;
      } finally {
        ledger.close();
      }
    }
    const second = await runChild({ ...common, once: { quietMs: 20_000, timeoutMs: 600_000 } });
    assert.equal(second.code, 0, `${second.stdout}\n${second.stderr}`);
    assert.doesNotMatch(second.stderr, /recovery: /, "nothing to recover");
    assert.match(second.stdout, new RegExp(`^resolved ${incidentId}$`, "m"));
    const ledger = openLedger({ path: ledgerPath });
    try {
      assert.equal(ledger.byIncident(incidentId).filter((e) => e.kind === "transaction").length, 1, "the committed transaction is not run again");
      assert.equal(ledger.verify().ok, true);
    } finally {
      ledger.close();
    }
  });
});

async function brokenRelease(client: KubeClient, name: string): Promise<void> {
  await client.create(deployment(name));
  await eventually(async () => (await client.read(deploymentRef(name)))?.status?.availableReplicas === 2, 30_000, `${name} available`);
  await client.patch(deploymentRef(name), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.9" }] } } } }, "strategic");
  await eventually(async () => (await client.list("v1", "Pod", { namespace: "default", labelSelector: `app=${name}` })).some((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff"), 30_000, `${name} ImagePullBackOff`);
}
