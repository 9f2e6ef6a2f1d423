/**
 * Step 8 of the TNR protocol: on start, every transaction the ledger shows begun but not final is
 * rolled back from its stored snapshots — as a transaction like any other, because the ledger is
 * evidence read from a file, not an instruction. First the chain and its head anchor are verified
 * (a tampered, truncated or re-hashed ledger stops recovery with RecoveryError before anything is
 * written). Then each snapshot goes through recovery-check.ts: the guard (plan targets, watched
 * namespaces, policy scope and built-in rules), then ownership (an object someone else changed since
 * Stratus last wrote it is escalated, not overwritten). Only then, holding the writer lock, are the
 * allowed restores written, newest snapshot first. Snapshots whose credentials are sealed are opened
 * with the ledger's data key; without it recovery refuses (RecoveryError) rather than restore a
 * Secret without its data. With `dryRun` nothing is written anywhere — no
 * Lease, no ledger entry, no object — and the report says what recovery would do. A transaction is
 * final once it has a commit, an abort that wrote nothing, or a completed undo.
 */
import { readPayloads } from "./ledger/payload.ts";
import { TX } from "./transaction-records.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";
import { formatRef } from "../kube/types.ts";
import type { Clock } from "../base/clock.ts";
import { isKubeApiError, StratusError } from "../base/errors.ts";
import { isLedgerError, type HeadAnchor, type LedgerEntry, type LedgerStore, type VerifyResult } from "./ledger/index.ts";
import type { WriterLock } from "./lock.ts";
import { DEFAULT_POLICY, type Policy } from "./policy.ts";
import { decideRestore, lastWrites, restoreChecked, type ObjectDecision } from "./recovery-check.ts";
import type { RestoreOutcome } from "./snapshot.ts";
import { snapshotsOf } from "./transaction.ts";
import * as D from "./transaction-defaults.ts";

export type { ObjectDecision } from "./recovery-check.ts";

const ACTOR = "core:recovery";

export type RecoveryOutcome = "rolled-back" | "escalated" | "would-roll-back" | "would-escalate";

export type RecoveryReport = {
  txId: string;
  outcome: RecoveryOutcome;
  problems: string[];
  /** One decision per snapshot, newest first (the order restores run in). */
  objects: ObjectDecision[];
  /** Restores performed (empty in a dry run). */
  restored: RestoreOutcome[];
}[];

/** Recovery refused to act: the ledger does not verify. Nothing was written. */
export class RecoveryError extends StratusError {
  constructor(message: string, readonly verify: VerifyResult) {
    super("LEDGER", message, verify.ok ? {} : { problem: verify.firstBad.problem, seq: verify.firstBad.seq });
    this.name = "RecoveryError";
  }
}

export const isRecoveryError = (e: unknown): e is RecoveryError => e instanceof RecoveryError;

export type RecoveryDeps = {
  client: ClusterClient;
  clock: Clock;
  ledger: LedgerStore;
  lock: WriterLock;
  lockWaitMs?: number;
  /** The guard every restore passes (its scope and built-in rules); default DEFAULT_POLICY. */
  policy?: Policy;
  /** The watched namespaces (`-n`): restores outside them are refused. */
  namespaces?: readonly string[];
  /** Write nothing (no Lease, no ledger entry, no object); report what would be done. */
  dryRun?: boolean;
  /** Head anchors beyond the ledger's own (e.g. a ConfigMap), checked before anything else. */
  anchors?: readonly HeadAnchor[];
  /** Verification warnings (an unkeyed prefix, a lagging head) go here. */
  log?: (line: string) => void;
};

export function unfinishedTransactions(ledger: LedgerStore): string[] {
  const begun = readPayloads(ledger.byKind("transaction"), TX.intent).map(({ entry }) => entry.txId).filter((t): t is string => !!t);
  return begun.filter((txId) => !isFinal(ledger.byTransaction(txId)));
}

/** A transaction is final once it committed, aborted before writing, or completed its undo (entries parsed, not cast). */
const isFinal = (entries: LedgerEntry[]) =>
  readPayloads(entries, TX.commit).length > 0 ||
  readPayloads(entries, TX.undoComplete).length > 0 ||
  readPayloads(entries, TX.abort).some(({ payload }) => payload.final === true);

/** Verifies the chain and every anchor; throws RecoveryError naming what was found when it does not verify. */
export async function verifyBeforeRecovery(ledger: LedgerStore, anchors: readonly HeadAnchor[] = []): Promise<VerifyResult> {
  const result = await ledger.verifyAnchored(anchors);
  if (!result.ok) {
    const bad = result.firstBad;
    throw new RecoveryError(
      `recovery refused: the ledger does not verify (${bad.problem} at seq=${bad.seq} id=${bad.id}): ${bad.message}. Nothing was written; run 'stratus ledger verify' for details`,
      result,
    );
  }
  return result;
}

type TxPlan = { txId: string; incidentId: string | null; decisions: { snap: ReturnType<typeof snapshotsOf>[number]; d: Awaited<ReturnType<typeof decideRestore>> }[] };

/**
 * A transaction's snapshots, opened. A snapshot sealed with a data key this process lacks stops
 * recovery before anything is written: restoring a Secret without its data would write a
 * placeholder into the cluster, and marking the transaction final would lose the chance to restore
 * it once the key is back.
 */
function openedSnapshots(deps: RecoveryDeps, txId: string, verified: VerifyResult): ReturnType<typeof snapshotsOf> {
  try {
    return snapshotsOf(deps.ledger, txId);
  } catch (e) {
    if (!isLedgerError(e) || e.code !== "LEDGER_SEALED") throw e;
    throw new RecoveryError(`recovery refused: ${e.message}. Nothing was written and transaction ${txId} stays unfinished; restart with the data key to roll it back`, verified);
  }
}

/** Reads only: every unfinished transaction and what to do with each of its snapshots. */
async function planRecovery(deps: RecoveryDeps, pending: string[], verified: VerifyResult): Promise<TxPlan[]> {
  const plans: TxPlan[] = [];
  for (const txId of pending) {
    const entries = deps.ledger.byTransaction(txId);
    const intent = readPayloads(entries, TX.intent)[0]?.entry;
    const guard = { policy: deps.policy ?? DEFAULT_POLICY, targets: intent?.objectRefs ?? [], namespaces: deps.namespaces };
    const writes = lastWrites(entries);
    const decisions: TxPlan["decisions"] = [];
    for (const snap of [...openedSnapshots(deps, txId, verified)].reverse()) {
      decisions.push({ snap, d: await decideRestore(deps.client, snap, writes.get(formatRef(snap.ref)), guard) });
    }
    plans.push({ txId, incidentId: entries[0]?.incidentId ?? null, decisions });
  }
  return plans;
}

const publicDecision = ({ current: _c, ...d }: Awaited<ReturnType<typeof decideRestore>>): ObjectDecision => d;
const problemOf = (d: ObjectDecision) => (d.decision === "refused" ? `restore of ${formatRef(d.ref)} refused by the guard: ${d.reason}` : d.reason);

/** Rolls back every unfinished transaction (see the module comment). Throws RecoveryError when the ledger does not verify. */
export async function recoverTransactions(deps: RecoveryDeps): Promise<RecoveryReport> {
  const verified = await verifyBeforeRecovery(deps.ledger, deps.anchors);
  for (const w of verified.warnings) deps.log?.(`ledger: ${w}`);
  const pending = unfinishedTransactions(deps.ledger);
  if (!pending.length) return [];
  const plans = await planRecovery(deps, pending, verified);
  if (deps.dryRun) {
    return plans.map(({ txId, decisions }) => {
      const objects = decisions.map(({ d }) => publicDecision(d));
      const problems = objects.filter((d) => d.decision === "refused" || d.decision === "changed-by-others").map(problemOf);
      return { txId, outcome: problems.length ? "would-escalate" : "would-roll-back", problems, objects, restored: [] };
    });
  }
  // The Lease may still name our previous (crashed) life; waiting out its duration is the safe path.
  const lock = await deps.lock.acquire(deps.lockWaitMs ?? 60_000);
  const report: RecoveryReport = [];
  try {
    for (const { txId, incidentId, decisions } of plans) {
      const append = (kind: "abort" | "undo" | "escalation" | "refusal", payload: Record<string, unknown>, ref?: ObjectDecision["ref"]) =>
        deps.ledger.append({ kind, actor: kind === "refusal" ? "core:policy" : ACTOR, txId, incidentId, payload, ...(ref ? { objectRefs: [ledgerRef(ref)] } : {}) });
      lock.assertHeld();
      append("abort", { phase: "recovery", reason: "found unfinished at start (the process stopped mid-transaction); rolling back from its snapshots after verifying the ledger" });
      const problems: string[] = [];
      const restored: RestoreOutcome[] = [];
      for (const { snap, d } of decisions) {
        if (d.decision === "refused") {
          append("refusal", { stepId: `recovery:${formatRef(d.ref)}`, action: "restore", reason: d.reason, ref: d.ref }, d.ref);
          append("escalation", { severity: "critical", reason: problemOf(d), ref: d.ref }, d.ref);
          problems.push(problemOf(d));
          continue;
        }
        if (d.decision === "changed-by-others") {
          append("escalation", { severity: "critical", reason: d.reason, ref: d.ref, changedBy: d.changedBy ?? [], expectedResourceVersion: d.expectedResourceVersion ?? null, currentResourceVersion: d.currentResourceVersion ?? null }, d.ref);
          problems.push(d.reason);
          continue;
        }
        if (d.decision === "unchanged") {
          append("undo", { ref: d.ref, action: "unchanged", matches: true, detail: d.reason }, d.ref);
          continue;
        }
        const o = await restoreWithRetries(deps, lock, snap, d);
        restored.push(o);
        append("undo", { ref: d.ref, action: o.action, matches: o.matches, ...(o.detail ? { detail: o.detail } : {}) }, d.ref);
        if (o.raced) append("escalation", { severity: "critical", reason: o.detail ?? "", ref: d.ref }, d.ref);
        if (!o.matches) problems.push(o.detail ?? `${formatRef(o.ref)} does not match its snapshot`);
      }
      append("undo", { phase: "complete", final: true, recovered: true, restored: problems.length === 0, problems });
      if (problems.length) append("escalation", { severity: "critical", reason: `recovery of ${txId} could not restore everything: ${problems.join("; ")}` });
      report.push({ txId, outcome: problems.length ? "escalated" : "rolled-back", problems, objects: decisions.map(({ d }) => publicDecision(d)), restored });
    }
  } finally {
    await lock.release();
  }
  return report;
}

/** A restore, retried on 5xx and no-answer with back-off; a conflict is reported at once (someone else wrote). */
async function restoreWithRetries(deps: RecoveryDeps, lock: { assertHeld(): void }, snap: TxPlan["decisions"][number]["snap"], d: TxPlan["decisions"][number]["d"]) {
  let lastError = "";
  for (let attempt = 0; attempt < D.DEFAULT_RESTORE_ATTEMPTS; attempt++) {
    lock.assertHeld();
    try {
      return await restoreChecked(deps.client, snap, d);
    } catch (e) {
      lastError = (e as Error).message;
      if (!isKubeApiError(e) || !e.retryable) break;
      await deps.clock.sleep(D.DEFAULT_API_RETRY_BASE_MS * 2 ** attempt);
    }
  }
  return { ref: snap.ref, action: "unchanged" as const, matches: false, detail: `could not restore ${formatRef(snap.ref)}: ${lastError}` };
}

const ledgerRef = (r: { kind: string; namespace?: string; name: string }) => ({ kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name });
