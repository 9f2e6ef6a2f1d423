/**
 * Step 8 of the TNR protocol: on start, every transaction the ledger shows begun but not final is
 * rolled back from its stored snapshots. A crash — after the intent, mid-apply, during verify —
 * therefore never leaves a half-applied plan behind. A transaction is final once it has a commit,
 * an abort that wrote nothing, or a completed undo.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { Clock } from "../base/clock.ts";
import type { LedgerEntry, LedgerStore } from "./ledger/index.ts";
import type { WriterLock } from "./lock.ts";
import { snapshotsOf, undoSnapshots } from "./transaction.ts";

const ACTOR = "core:recovery";

export type RecoveryReport = { txId: string; outcome: "rolled-back" | "escalated"; problems: string[] }[];

export function unfinishedTransactions(ledger: LedgerStore): string[] {
  const begun = ledger.byKind("transaction").filter((e) => e.payload.phase === "intent").map((e) => e.txId!);
  return begun.filter((txId) => !isFinal(ledger.byTransaction(txId)));
}

const isFinal = (entries: LedgerEntry[]) =>
  entries.some((e) => e.kind === "commit" || ((e.kind === "abort" || e.kind === "undo") && e.payload.final === true));

/** Rolls back every unfinished transaction, holding the writer lock while it does. */
export async function recoverTransactions(deps: { client: ClusterClient; clock: Clock; ledger: LedgerStore; lock: WriterLock; lockWaitMs?: number }): Promise<RecoveryReport> {
  const pending = unfinishedTransactions(deps.ledger);
  if (!pending.length) return [];
  // The Lease may still name our previous (crashed) life; waiting out its duration is the safe path.
  const lock = await deps.lock.acquire(deps.lockWaitMs ?? 60_000);
  const report: RecoveryReport = [];
  try {
    for (const txId of pending) {
      const incidentId = deps.ledger.byTransaction(txId)[0]?.incidentId ?? null;
      deps.ledger.append({ kind: "abort", actor: ACTOR, txId, incidentId, payload: { phase: "recovery", reason: "found unfinished at start (the process stopped mid-transaction); rolling back from its snapshots" } });
      const undo = await undoSnapshots(snapshotsOf(deps.ledger, txId), { ...deps, txId, incidentId, actor: ACTOR });
      deps.ledger.append({ kind: "undo", actor: ACTOR, txId, incidentId, payload: { phase: "complete", final: true, recovered: true, restored: undo.problems.length === 0, problems: undo.problems } });
      if (undo.problems.length) {
        deps.ledger.append({ kind: "escalation", actor: ACTOR, txId, incidentId, payload: { severity: "critical", reason: `recovery of ${txId} could not restore: ${undo.problems.join("; ")}` } });
      }
      report.push({ txId, outcome: undo.problems.length ? "escalated" : "rolled-back", problems: undo.problems });
    }
  } finally {
    await lock.release();
  }
  return report;
}
