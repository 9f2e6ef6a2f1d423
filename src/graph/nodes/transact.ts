/**
 * transact: runs the approved, guarded plan as a TNR transaction — the only place the graph writes
 * to the cluster. The transaction records itself in the ledger (lock, baseline, intent, snapshots,
 * actions, verify, commit or abort and undo). Transaction ids are derived from the incident and the
 * attempt, so a thread resumed after a crash can tell from the ledger what happened: a transaction
 * of this attempt that committed is not run again; one that recovery rolled back is run afresh.
 * Before the transaction it records what the plan's targets look like; a transaction that finds
 * them changed once it holds the Lease returns "stale", and the plan is proposed again (not counted
 * as an attempt, at most DEFAULT_MAX_STALE_REPLANS times in a row).
 */
import { readPayloads } from "../../core/ledger/payload.ts";
import { parsePlan, planTargets } from "../../core/plan.ts";
import { TX } from "../../core/transaction-records.ts";
import { observeTargets } from "../../core/plan-freshness.ts";
import { runTransaction, type TransactionResult } from "../../core/transaction.ts";
import { ACTORS, DEFAULT_MAX_STALE_REPLANS } from "../defaults.ts";
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
  const stale = staleRunsOf(deps, incident.id, base);
  const txId = `${base}${previous.length ? `-r${previous.length}` : ""}${stale ? `-s${stale}` : ""}`;
  if (previous.length) {
    deps.ledger.append({ kind: "note", actor: ACTORS.graph, incidentId: incident.id, payload: { phase: "resumed", attempt: p.attempt, reason: `transaction ${previous.at(-1)!.txId} was interrupted and rolled back on restart; running attempt ${p.attempt} again as ${txId}` } });
  }

  // What the targets look like now: under the Lease (after any wait) the transaction insists they
  // still do, or the plan is stale and proposed again. Unreadable now = not checked.
  const plan = parsePlanOrUndefined(p.plan);
  const observed = plan ? await observeTargets(deps.client, plan).catch(() => undefined) : undefined;

  let result: TransactionResult;
  try {
    result = await runTransaction(
      {
        plan: parsePlan(p.plan),
        kind: "mitigation",
        actor: ACTORS.mitigation,
        incidentId: incident.id,
        ...(incident.checks?.length ? { incidentChecks: incident.checks } : {}),
        origin: { ...(p.origin ?? {}), attempt: p.attempt, hypothesis: p.hypothesis.summary },
        policy: deps.policy,
        ...(observed ? { observed } : {}),
        ...(s.decision?.approved ? { approval: { by: s.decision.by, digest: s.decision.digest, ...(s.decision.note ? { note: s.decision.note } : {}) } } : {}),
      },
      {
        client: deps.client,
        ledger: deps.ledger,
        clock: deps.clock,
        lock: deps.lock,
        health: deps.health(incident, baselineOf(s), plan ? planTargets(plan) : []),
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
  if (result.outcome === "stale" && stale + 1 >= DEFAULT_MAX_STALE_REPLANS) {
    result = { ...result, outcome: "aborted", reason: `${result.reason} (stale ${stale + 1} times for this attempt: counted as a failed attempt)` };
  }
  if (result.verdict) deps.onEvent?.({ type: "verified", incidentId: incident.id, txId, ok: result.verdict.phase === "Successful", reason: result.verdict.reason });
  deps.onEvent?.({ type: "transaction", incidentId: incident.id, result });
  // A stale plan wrote nothing and failed at nothing: it goes back to plan, not counted as an attempt.
  return { result, failure: result.outcome === "committed" || result.outcome === "stale" ? null : { outcome: result.outcome, reason: result.reason } };
};

/** Transactions this attempt already ran (by id prefix), with whether each committed. */
function transactionsOf(deps: GraphDeps, incidentId: string, base: string): Array<{ txId: string; committed: boolean; reason: string }> {
  const out: Array<{ txId: string; committed: boolean; reason: string }> = [];
  for (const { entry: e } of readPayloads(deps.ledger.byIncident(incidentId), TX.intent)) {
    if (!e.txId || (e.txId !== base && !e.txId.startsWith(`${base}-`))) continue;
    const commit = readPayloads(deps.ledger.byTransaction(e.txId), TX.commit)[0]?.payload;
    out.push({ txId: e.txId, committed: !!commit, reason: commit ? commit.verdict.reason : "" });
  }
  return out;
}

/** Transactions of this attempt that found their plan stale (and wrote nothing). */
function staleRunsOf(deps: GraphDeps, incidentId: string, base: string): number {
  return readPayloads(deps.ledger.byIncident(incidentId), TX.abort).filter(({ entry, payload }) => payload.phase === "stale" && !!entry.txId && (entry.txId === base || entry.txId.startsWith(`${base}-`))).length;
}

function parsePlanOrUndefined(plan: unknown) {
  try {
    return parsePlan(plan);
  } catch {
    return undefined;
  }
}

export const routeAfterTransact = (s: IncidentState) => {
  const r = s.result!;
  if (r.outcome === "committed") return "resolve";
  if (r.outcome === "stale") return "plan";
  if (r.outcome === "refused" || r.outcome === "needs-approval") return "reflect";
  // Nothing written (a dry run failed, the lock was not free): nothing to undo or review.
  return r.steps.length || r.restored.length || r.outcome === "escalated" ? "undo" : "reflect";
};
