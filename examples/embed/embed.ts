/**
 * Stratus embedded in another program, through its public entry points only: start a simulated
 * cluster running hotel-reservation, break one Deployment the way a bad release does (an image tag
 * that was never published), fix it with one TNR transaction — guarded, snapshotted, dry-run,
 * verified, rolled back if health did not improve — and read the ledger back, verified.
 *   npm install && npm start          (after `npm run build` in the stratus repository)
 * The last line printed is a JSON summary (the repository's test/lib/embed.test.ts reads it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { action, checkPlan, DEFAULT_POLICY, parsePlan, runTransaction } from "stratus";
import { openLedgerReader } from "stratus/ledger";
import { startSandbox } from "stratus/sandbox";

const NAMESPACE = "hotel-reservation";
const target = { kind: "Deployment", namespace: NAMESPACE, name: "geo" };

const dir = mkdtempSync(join(tmpdir(), "stratus-embed-"));
const kubeconfig = join(dir, "kubeconfig");
const ledgerFile = join(dir, "ledger.db");
// Simulated time runs 40 times faster than wall time: waits and stabilization take seconds.
const sandbox = await startSandbox({ apps: ["hotel-reservation"], seed: 7, speed: 40 });
try {
  sandbox.writeKubeconfig(kubeconfig);
  const up = await sandbox.waitForApp("hotel-reservation");
  if (!up.ready) throw new Error(`hotel-reservation did not come up: waiting for ${up.waiting.join(", ")}`);
  console.log(`sandbox up at ${sandbox.server}; hotel-reservation is ready`);

  const injected = await sandbox.injectFault("image-missing", target);
  for (const change of injected.changes) console.log(`injected: ${change}`);
  // Wait until the symptom shows: the new pods cannot pull their image.
  for (let i = 0; ; i++) {
    const state = await sandbox.faultCleared("image-missing", target);
    if (state.reasons.some((r) => r.includes("cannot pull"))) break;
    if (i > 200) throw new Error(`the fault never showed: ${state.reasons.join("; ") || "the oracle passes"}`);
    await sandbox.clock.sleep(2_000);
  }
  console.log("symptom: the new geo pods are in ImagePullBackOff");

  // The fix, in the typed vocabulary; the guard's verdict can be asked before anything runs.
  const plan = parsePlan({ id: "undo-geo", steps: [{ id: "undo", action: action("rollout-undo", { namespace: NAMESPACE, name: "geo" }) }] });
  const decision = checkPlan(DEFAULT_POLICY, plan);
  console.log(`guard: ${decision.allowed ? "allowed" : "refused"}${decision.needsApproval.length ? ", needs approval" : ""}`);

  const report = await runTransaction(plan, {
    kubeconfig, ledger: ledgerFile, namespaces: [NAMESPACE], clock: sandbox.clock,
    actor: "controller:embed-example", kind: "mitigation",
  });
  console.log(`transaction ${report.txId}: ${report.outcome} (${report.reason})`);
  for (const s of report.steps) console.log(`  ${s.stepId}: ${s.summary}`);

  // Read the ledger back, as an auditor would: verify the chain, then the transaction's record.
  const ledger = openLedgerReader(ledgerFile);
  try {
    const verified = ledger.verify();
    const tx = ledger.transaction(report.txId);
    console.log(`ledger: ${ledger.count()} entries, chain ${verified.ok ? "intact" : "BROKEN"}; transaction ${tx?.outcome}, snapshots ${tx?.snapshots.map((s) => `${s.kind}/${s.name}`).join(", ")}`);
    let cleared = await sandbox.faultCleared("image-missing", target);
    for (let i = 0; !cleared.ok && i < 60; i++) {
      await sandbox.clock.sleep(5_000);
      cleared = await sandbox.faultCleared("image-missing", target);
    }
    console.log(JSON.stringify({
      outcome: report.outcome, before: report.before?.severity, after: report.after?.severity,
      ledgerOk: verified.ok, entries: ledger.count(), recorded: tx?.outcome, kinds: ledger.byTransaction(report.txId).map((e) => e.kind),
      snapshots: tx?.snapshots.map((s) => `${s.kind}/${s.namespace}/${s.name}`), cleared: cleared.ok, reasons: cleared.reasons,
    }));
  } finally {
    ledger.close();
  }
} finally {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
