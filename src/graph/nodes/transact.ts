/**
 * transact: runs the approved, guarded plan as a TNR transaction — the only place the graph writes
 * to the cluster. The transaction records itself in the ledger (lock, baseline, intent, snapshots,
 * actions, verify, commit or abort and undo). Transaction ids are derived from the incident and the
 * attempt, so a thread resumed after a crash can tell from the ledger what happened: a transaction
 * of this attempt that committed is not run again; one that recovery rolled back is run afresh.
 */
import { readPayloads } from "../../core/ledger/payload.ts";
import { parsePlan } from "../../core/plan.ts";
import { TX } from "../../core/transaction-records.ts";
import { runTransaction, type TransactionResult } from "../../core/transaction.ts";
import { ACTORS } from "../defaults.ts";
import type { GraphDeps } from "../deps.ts";
import type { IncidentState, IncidentUpdate } from "../state.ts";
import { baselineOf, checkStop, errorText, incidentOf } from "./common.ts";

export const transactNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "transact");
  const incident = incidentOf(s);
  const p = s.proposal!;
  const base = `${incident.id}-tx${p.attempt}`;
  const previous = transactionsOf(deps, incident.id, base);
  const committed = previous.find((t) => t.committed);
  if (committed) {
    const result: TransactionResult = { txId: committed.txId, outcome: "committed", reason: committed.reason, steps: [], restored: [] };
    return { result, failure: null };
  }
  const txId = previous.length ? `${base}-r${previous.length}` : base;
  if (previous.length) {
    deps.ledger.append({ kind: "note", actor: ACTORS.graph, incidentId: incident.id, payload: { phase: "resumed", attempt: p.attempt, reason: `transaction ${previous.at(-1)!.txId} was interrupted and rolled back on restart; running attempt ${p.attempt} again as ${txId}` } });
  }

  let result: TransactionResult;
  try {
    result = await runTransaction(
      {
        plan: parsePlan(p.plan),
        kind: "mitigation",
        actor: ACTORS.mitigation,
        incidentId: incident.id,
        origin: { ...(p.origin ?? {}), attempt: p.attempt, hypothesis: p.hypothesis.summary },
        policy: deps.policy,
        ...(s.decision?.approved ? { approval: { by: s.decision.by, digest: s.decision.digest, ...(s.decision.note ? { note: s.decision.note } : {}) } } : {}),
      },
      {
        client: deps.client,
        ledger: deps.ledger,
        clock: deps.clock,
        lock: deps.lock,
        health: deps.health(incident, baselineOf(s)),
        newId: () => txId,
        settings: deps.transactionSettings,
        onStep: (step) => deps.onTransactionStep?.(step, txId),
        onProgress: (progress) => {
          if (progress.type === "applied") deps.onEvent?.({ type: "applied", incidentId: incident.id, txId, summary: progress.record.summary });
        },
      },
    );
  } catch (e) {
    // Only a plan that fails to compile throws; it counts as a failed attempt, not a crash.
    result = { txId, outcome: "aborted", reason: `the plan could not run: ${errorText(e)}`, steps: [], restored: [] };
  }
  if (result.verdict) deps.onEvent?.({ type: "verified", incidentId: incident.id, txId, ok: result.verdict.phase === "Successful", reason: result.verdict.reason });
  deps.onEvent?.({ type: "transaction", incidentId: incident.id, result });
  return { result, failure: result.outcome === "committed" ? null : { outcome: result.outcome, reason: result.reason } };
};

/** Transactions this attempt already ran (by id prefix), with whether each committed. */
function transactionsOf(deps: GraphDeps, incidentId: string, base: string): Array<{ txId: string; committed: boolean; reason: string }> {
  const out: Array<{ txId: string; committed: boolean; reason: string }> = [];
  for (const { entry: e } of readPayloads(deps.ledger.byIncident(incidentId), TX.intent)) {
    if (!e.txId || (e.txId !== base && !e.txId.startsWith(`${base}-r`))) continue;
    const commit = readPayloads(deps.ledger.byTransaction(e.txId), TX.commit)[0]?.payload;
    out.push({ txId: e.txId, committed: !!commit, reason: commit ? commit.verdict.reason : "" });
  }
  return out;
}

export const routeAfterTransact = (s: IncidentState) => {
  const r = s.result!;
  if (r.outcome === "committed") return "resolve";
  if (r.outcome === "refused" || r.outcome === "needs-approval") return "reflect";
  // Nothing written (a dry run failed, the lock was not free): nothing to undo or review.
  return r.steps.length || r.restored.length || r.outcome === "escalated" ? "undo" : "reflect";
};
