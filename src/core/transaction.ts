/**
 * The TNR transaction (ARCHITECTURE.md, steps 1–8): lock, baseline, intent, snapshot, dry-run,
 * staged apply, verify, then commit — or abort, which restores every snapshot in reverse order,
 * checks each restored object against its snapshot, re-measures health and escalates when the
 * cluster is not back where it was. Everything lands in the ledger before or as it happens, so a
 * crash at any point leaves enough to roll back on restart (see recovery.ts). A step that names
 * `compensate` actions is undone by running them (newest first, before the snapshot restores)
 * instead of restoring its targets' snapshots; the guard checks those actions like the plan's own.
 * Crash recovery knows only snapshots, so after a crash such a step is undone from its snapshot.
 */
import { createHash } from "node:crypto";
import type { ClusterClient } from "../kube/cluster-client.ts";
import { EVENT_REASONS, recordEvent } from "../kube/events.ts";
import { formatRef, type ObjectRef } from "../kube/types.ts";
import type { HealthReport } from "../telemetry/health-check.ts";
import { regressed } from "../telemetry/compare.ts";
import { actionTargets, applyAction, describeAction } from "./actions/registry.ts";
import type { Clock } from "../base/clock.ts";
import { isStratusError } from "../base/errors.ts";
import { z } from "zod";
import { canonicalJson } from "./ledger/canonical.ts";
import { appendPayload, readPayloads, type PayloadSpec } from "./ledger/payload.ts";
import { TX } from "./transaction-records.ts";
import type { LedgerStore } from "./ledger/index.ts";
import type { LockHandle, WriterLock } from "./lock.ts";
import { compilePlan, isActionStep, planTargets, refKey, type ActionStep, type Plan } from "./plan.ts";
import { checkPlan, type Policy, type PolicyDecision } from "./policy.ts";
import { withIncidentFailures } from "./incident-baseline.ts";
import { restoreSnapshot, takeSnapshot, type RestoreOutcome, type Snapshot } from "./snapshot.ts";
import { applyStages, runStep, withoutWrittenBodies, type StepRecord } from "./transaction-apply.ts";
import * as D from "./transaction-defaults.ts";
import { changedTargets, type ObservedTargets } from "./plan-freshness.ts";
import { DEFAULT_ALERT_BURST } from "./defaults.ts";
import { judge, type Verdict } from "./verdict.ts";

/** Measures cluster health; the transaction calls it for H0, H1 and H2. */
export interface HealthProbe {
  measure(phase: "baseline" | "verify" | "restored"): Promise<HealthReport>;
  /**
   * How many alerts in the incident's scope arrived at or after clock time `since` (the verify
   * step asks whether a burst arrived while it measured). Absent: no alert intake to ask.
   */
  alertsReceived?(since: number): number;
}

export type TransactionSettings = {
  stabilizationMs: number;
  maxConflictRetries: number;
  maxApiRetries: number;
  apiRetryBaseMs: number;
  lockWaitMs: number;
  maxActions?: number;
  /** Alerts arriving within one verification window at or above this count are a burst (Inconclusive). */
  alertBurst: number;
};

export type TransactionDeps = {
  client: ClusterClient;
  ledger: LedgerStore;
  clock: Clock;
  lock: WriterLock;
  health: HealthProbe;
  newId?: () => string;
  settings?: Partial<TransactionSettings>;
  /** Test seam: called after each protocol step by name (crash tests kill the process here). */
  onStep?: (step: string) => void | Promise<void>;
  /** Progress as it happens (an applied action, the verdict, the restoration). Must not throw. */
  onProgress?: (p: TransactionProgress) => void;
};

export type TransactionRequest = {
  plan: Plan;
  /** A mitigation must strictly improve health; a change must only not regress it. */
  kind: "mitigation" | "change";
  actor: string;
  incidentId?: string;
  /** The incident's failing checks ("check:namespace/name") as detection confirmed them: part of a mitigation's baseline. */
  incidentChecks?: string[];
  /** Where the plan came from (a playbook's name, version and digest), for the audit trail. */
  origin?: Record<string, unknown>;
  /** The guard. Checked before anything is locked or written; every refusal lands in the ledger. */
  policy?: Policy;
  /**
   * A person's approval, required when the guard says the plan needs one. It is bound to the plan
   * it was given for: `digest` must be the digest of this very plan (see digestOf).
   */
  approval?: { by: string; note?: string; digest: string };
  /**
   * The targets as the plan's proposer saw them (observeTargets). Checked once the Lease is held:
   * any change makes the outcome "stale" and nothing is written.
   */
  observed?: ObservedTargets;
};

/** "stale": nothing was written because the plan's targets changed since it was proposed; propose again (not a failed attempt). */
export type TransactionOutcome = "committed" | "rolled-back" | "aborted" | "escalated" | "refused" | "needs-approval" | "stale";

export type TransactionResult = {
  txId: string;
  outcome: TransactionOutcome;
  reason: string;
  verdict?: Verdict;
  baseline?: HealthReport;
  after?: HealthReport;
  restoredHealth?: HealthReport;
  steps: StepRecord[];
  restored: RestoreOutcome[];
  /**
   * The one restoration verdict, after an abort that wrote something: every object back as
   * snapshotted and health no worse than the baseline. `restored: false` means the transaction
   * escalated; nobody downstream judges the restoration again.
   */
  restoration?: { restored: boolean; problems: string[]; externalFailures?: string[] };
};

/** What the transaction tells its caller as it goes (typed; nobody reads the ledger to learn it). */
export type TransactionProgress =
  | { type: "applied"; record: StepRecord }
  | { type: "verified"; verdict: Verdict }
  | { type: "rolled-back"; restoration: NonNullable<TransactionResult["restoration"]> };

const ACTOR = "core:transaction";

/** The name an approval carries when a plan's gate answered by its own timeout (no person did). */
export const GATE_TIMEOUT_APPROVER = "gate-timeout";

export async function runTransaction(req: TransactionRequest, deps: TransactionDeps): Promise<TransactionResult> {
  const s: TransactionSettings = {
    stabilizationMs: D.DEFAULT_STABILIZATION_MS,
    maxConflictRetries: D.DEFAULT_MAX_CONFLICT_RETRIES,
    maxApiRetries: D.DEFAULT_MAX_API_RETRIES,
    apiRetryBaseMs: D.DEFAULT_API_RETRY_BASE_MS,
    lockWaitMs: D.DEFAULT_LOCK_WAIT_MS,
    alertBurst: DEFAULT_ALERT_BURST,
    ...deps.settings,
  };
  const { ledger, client, clock } = deps;
  const txId = (deps.newId ?? defaultTxId(clock))();
  const step = async (name: string) => deps.onStep?.(name);
  const incidentId = req.incidentId ?? null;
  // Every entry goes through its typed spec (transaction-records.ts): checked as written, parsed as read.
  const append = <S extends z.ZodType<Record<string, unknown>>>(spec: PayloadSpec<S>, payload: z.input<S>, objectRefs?: ObjectRef[], actor: string = ACTOR) =>
    appendPayload(ledger, spec, { actor, txId, incidentId, ...(objectRefs ? { objectRefs: objectRefs.map(ledgerRef) } : {}) }, payload);
  const result: TransactionResult = { txId, outcome: "aborted", reason: "", steps: [], restored: [] };

  // Validate before taking anything: a plan that cannot compile never locks or writes.
  const compiled = compilePlan(req.plan, { maxActions: s.maxActions ?? req.policy?.maxActionsPerTransaction });
  const targets = planTargets(req.plan);

  // The guard decides, not whoever proposed the plan. It is the same pure function the graph asked
  // before asking a person, so this is no second opinion: it only finds out whether the plan needs
  // a person, and then insists that the approval handed in was given for exactly this plan.
  if (req.policy) {
    const decision = checkPlan(req.policy, req.plan);
    const digest = digestOf(req.plan);
    for (const r of decision.refusals) {
      append(TX.refusal, { ...r, digest }, undefined, "core:policy");
    }
    if (!decision.allowed) return { ...result, outcome: "refused", reason: decision.refusals.map((r) => `${r.stepId}: ${r.reason}`).join("; ") };
    if (decision.needsApproval.length) {
      const unbound = approvalProblem(req, digest, decision);
      if (unbound) return { ...result, outcome: "needs-approval", reason: `${unbound}; needs approval: ${decision.needsApproval.map((n) => `${n.stepId}: ${n.reason}`).join("; ")}` };
      append(TX.approvalBound, { phase: "bound", steps: decision.needsApproval.map((n) => n.stepId), digest, ...(req.approval!.note ? { note: req.approval!.note } : {}) }, undefined, req.approval!.by === GATE_TIMEOUT_APPROVER ? "core:policy" : `person:${req.approval!.by}`);
    }
  }

  // 1. Lock.
  let lock: LockHandle;
  try {
    lock = await deps.lock.acquire(s.lockWaitMs);
  } catch (e) {
    append(TX.lock, { outcome: "gave-up", reason: (e as Error).message });
    return { ...result, reason: (e as Error).message };
  }
  append(TX.lock, { outcome: "acquired", identity: lock.identity });
  try {
    // 1b. Fresh plan: under the Lease (which may have taken a wait), the targets must still be as
    // the plan's proposer saw them; otherwise nothing is written and the plan is proposed again.
    if (req.observed) {
      const changed = await changedTargets(client, targets, req.observed);
      if (changed.length) {
        const reason = `the plan is stale: ${changed.join("; ")}`;
        append(TX.abort, { phase: "stale", final: true, reason, wrote: false, changed });
        return { ...result, outcome: "stale", reason };
      }
    }

    // 2. Baseline.
    const h0 = withIncidentFailures(await deps.health.measure("baseline"), req.kind === "mitigation" ? req.incidentChecks : undefined);
    result.baseline = h0;
    append(TX.health, { phase: "baseline", severity: h0.severity, failing: h0.failing, at: h0.at });
    await step("baseline");

    // 3. Intent: the plan, its digest and its targets, before any write.
    append(TX.intent, {
      phase: "intent",
      kind: req.kind,
      actor: req.actor,
      plan: req.plan as unknown as Record<string, unknown>,
      digest: digestOf(req.plan),
      stages: compiled.stages.map((st) => st.map((x) => x.id)),
      steps: compiled.stages.flat().map((x) => ({ id: x.id, what: isActionStep(x) ? describeAction(x.action) : "wait" })),
      ...(req.origin ? { origin: req.origin } : {}),
    }, targets);
    await step("intent");

    // 4. Snapshot every object the plan may touch.
    for (const ref of targets) {
      const snap = await takeSnapshot(client, ref);
      append(TX.snapshot, { ref: snapshotRef(ref), object: snap.object as Record<string, unknown> | null }, [ref]);
    }
    await step("snapshot");

    // 5a. Dry-run every action (with the same bounded retries); a failure aborts before any write.
    for (const st of compiled.stages.flat()) {
      if (!isActionStep(st)) continue;
      const rec = await runStep(st, { client, clock, lock, settings: s }, undefined, true);
      if (!rec.ok) {
        const reason = `dry run of step ${st.id} (${describeAction(st.action)}) failed: ${rec.error}`;
        append(TX.abort, { phase: "dry-run", final: true, step: st.id, reason, wrote: false });
        return { ...result, outcome: "aborted", reason };
      }
    }
    await step("dry-run");

    const changedAt = clock.now();
    // 5b. Staged apply.
    const failed = await applyStages(compiled.stages, {
      client, clock, lock, settings: s,
      record: (rec) => {
        result.steps.push(withoutWrittenBodies(rec));
        append(TX.action, { ...rec });
        if (rec.ok) deps.onProgress?.({ type: "applied", record: withoutWrittenBodies(rec) });
        // Synchronous on purpose: a crash test kills the process right after this entry lands.
        void deps.onStep?.(`action:${rec.stepId}`);
      },
      onRetry: (r) => append(TX.actionRetry, { phase: "retry", ...r }),
    });
    // `kubectl describe` shows what was applied, before the verdict is in.
    for (const rec of result.steps.filter((r) => r.applied)) {
      const st = compiled.stages.flat().find((x) => x.id === rec.stepId);
      if (st && isActionStep(st)) for (const ref of actionTargets(st.action)) await recordEvent(client, ref, "Normal", EVENT_REASONS.applied, `Stratus transaction ${txId} applied step ${rec.stepId}: ${rec.summary}`, clock.now());
    }
    if (failed) return await abort(`step ${failed.stepId} failed: ${failed.error}`, undefined);

    // 6. Verify after the stabilization window. An Inconclusive verdict (a burst of alerts while
    // verifying) holds: one more window, one more measurement; still bursting aborts as Inconclusive.
    let h1 = h0;
    let verdict: Verdict | undefined;
    // Alerts count from the first write on: those arriving while the change settles are part of it.
    let windowStart = changedAt;
    for (const phase of ["verify", "remeasure"] as const) {
      await clock.sleep(s.stabilizationMs);
      lock.assertHeld();
      await step(phase);
      h1 = await deps.health.measure("verify");
      result.after = h1;
      const arrived = deps.health.alertsReceived?.(windowStart);
      verdict = judge(h0, h1, req.kind, arrived === undefined ? {} : { alerts: { arrived, burst: s.alertBurst } });
      result.verdict = verdict;
      append(TX.health, { phase, severity: h1.severity, failing: h1.failing, at: h1.at, verdict });
      deps.onProgress?.({ type: "verified", verdict });
      if (verdict.phase !== "Inconclusive") break;
      windowStart = clock.now();
    }
    if (verdict!.phase === "Inconclusive") return await abort(`inconclusive, not a regression: alerts were still bursting after holding one more window (${verdict!.reason})`, verdict);
    if (verdict!.phase !== "Successful") return await abort(verdict!.reason, verdict);

    lock.assertHeld();
    append(TX.commit, { final: true, verdict: verdict!, severityBefore: h0.severity, severityAfter: h1.severity }, targets);
    for (const ref of targets) await recordEvent(client, ref, "Normal", EVENT_REASONS.committed, `Stratus transaction ${txId} committed: ${verdict!.reason}`, clock.now());
    return { ...result, outcome: "committed", reason: verdict!.reason };
  } catch (e) {
    if (isStratusError(e) && e.code === "INVALID_INPUT") throw e;
    return await abort(`transaction error: ${(e as Error).message}`, undefined);
  } finally {
    await lock.release();
  }

  // 7. Abort = undo.
  async function abort(reason: string, verdict: Verdict | undefined): Promise<TransactionResult> {
    append(TX.abort, { phase: "rollback", reason, ...(verdict ? { verdict } : {}) });
    const comp = await compensate();
    const snapshots = snapshotsOf(ledger, txId).filter((sn) => !comp.skip.has(refKey(sn.ref)));
    const undo = await undoSnapshots(snapshots, { client, clock, ledger, txId, incidentId, lock });
    undo.problems.unshift(...comp.problems);
    result.restored = undo.outcomes;
    let h2: HealthReport | undefined;
    try {
      h2 = await deps.health.measure("restored");
      result.restoredHealth = h2;
      append(TX.health, { phase: "restored", severity: h2.severity, failing: h2.failing, at: h2.at });
    } catch (e) {
      undo.problems.push(`health after restore could not be measured: ${(e as Error).message}`);
    }
    const worse = result.baseline && h2 ? regressed(result.baseline, h2) : undefined;
    const external = result.baseline && h2 ? externalFailures(result.baseline, result.after, h2, targets) : [];
    if (worse?.regressed && !(undo.problems.length === 0 && external.length && everyNewFailureIn(result.baseline!, h2!, external))) {
      undo.problems.push(`health after restore is worse than before: ${worse.reasons.join("; ")}`);
    }
    append(TX.undoComplete, { phase: "complete", final: true, restored: undo.problems.length === 0, problems: undo.problems, ...(external.length ? { externalFailures: external } : {}) });
    result.restoration = { restored: undo.problems.length === 0, problems: [...undo.problems], ...(external.length ? { externalFailures: external } : {}) };
    deps.onProgress?.({ type: "rolled-back", restoration: result.restoration });
    if (!lock.lost) for (const o of undo.outcomes) await recordEvent(client, o.ref, "Warning", EVENT_REASONS.rolledBack, `Stratus transaction ${txId} rolled back: ${reason}`, clock.now());
    if (undo.problems.length) {
      append(TX.escalation, { severity: "critical", reason: `rollback of ${txId} did not restore the cluster: ${undo.problems.join("; ")}`, abortReason: reason });
      return { ...result, outcome: "escalated", reason: `${reason}; rollback incomplete: ${undo.problems.join("; ")}`, ...(verdict ? { verdict } : {}) };
    }
    return { ...result, outcome: "rolled-back", reason, ...(verdict ? { verdict } : {}) };
  }

  /**
   * Runs the `compensate` actions of every applied step, newest first. Returns the objects whose
   * snapshots must not be restored (compensated, and written by no uncompensated applied step).
   */
  async function compensate(): Promise<{ skip: Set<string>; problems: string[] }> {
    const byId = new Map(req.plan.steps.filter(isActionStep).map((st) => [st.id, st]));
    const applied = result.steps.filter((r) => r.applied).map((r) => byId.get(r.stepId)).filter((st): st is ActionStep => !!st).reverse();
    const skip = new Set<string>();
    const restore = new Set<string>();
    for (const st of applied) for (const k of actionTargets(st.action).map(refKey)) (st.compensate ? skip : restore).add(k);
    for (const k of restore) skip.delete(k);
    const problems: string[] = [];
    for (const st of applied) {
      for (const [k, action] of (st.compensate ?? []).entries()) {
        let outcome = "";
        let error = "";
        const lost = await leaseProblem(lock);
        if (lost) error = lost;
        for (let attempt = 0; attempt < D.DEFAULT_RESTORE_ATTEMPTS && !outcome && !lost && !lock.lost; attempt++) {
          try {
            lock.assertHeld();
            outcome = (await applyAction(action, { client, dryRun: false, now: () => clock.now() })).summary;
          } catch (e) {
            error = (e as Error).message;
            if (attempt + 1 < D.DEFAULT_RESTORE_ATTEMPTS) await clock.sleep(D.DEFAULT_API_RETRY_BASE_MS * 2 ** attempt);
          }
        }
        if (!outcome) problems.push(`compensation ${st.id}.compensate[${k}] (${describeAction(action)}) failed: ${error}`);
        append(TX.undoCompensate, { phase: "compensate", step: st.id, index: k, action: describeAction(action), ok: !!outcome, ...(outcome ? { summary: outcome } : { error }) }, actionTargets(action));
      }
      if (st.compensate?.length === 0) append(TX.undoCompensate, { phase: "compensate", step: st.id, ok: true, summary: "nothing to undo (the step's compensation is empty)" });
    }
    return { skip, problems };
  }
}

/**
 * Failures ("check:namespace/name") that appeared during the attempt and survived its rollback, on
 * entities the plan did not touch: every object is back as snapshotted and they persist, so they are
 * not the plan's doing — a fault that arrived (or was unmasked) meanwhile. They do not make the
 * restoration incomplete; the next attempt's baseline includes them.
 */
function externalFailures(h0: HealthReport, h1: HealthReport | undefined, h2: HealthReport, targets: ObjectRef[]): string[] {
  if (!h1) return [];
  const touched = new Set(targets.map((t) => `${t.namespace ?? ""}/${t.name}`));
  const before = new Set(h0.failing);
  const during = new Set(h1.failing);
  return h2.failing.filter((k) => !before.has(k) && during.has(k) && !touched.has(k.slice(k.indexOf(":") + 1)));
}

const everyNewFailureIn = (h0: HealthReport, h2: HealthReport, external: string[]) => h2.failing.filter((k) => !h0.failing.includes(k)).every((k) => external.includes(k));

/** Why `approval` does not authorise the plan with `digest`, or undefined when it does. */
function approvalProblem(req: TransactionRequest, digest: string, decision: PolicyDecision): string | undefined {
  const { approval } = req;
  if (!approval) return "no approval was given";
  if (approval.digest !== digest) return `the approval by ${approval.by} was given for another plan (${approval.digest.slice(0, 19)}…), not this one (${digest.slice(0, 19)}…)`;
  if (approval.by === GATE_TIMEOUT_APPROVER) {
    // A gate that approves on timeout stands in for its approvers only; it never stands in for a
    // person the policy asks for.
    const onlyGate = decision.needsApproval.every((n) => n.risk === "gate");
    return onlyGate && req.plan.approval?.onTimeout === "approve" ? undefined : "a gate's timeout cannot approve this plan: the policy requires a person";
  }
  if (decision.approvers && !decision.approvers.includes(approval.by)) return `${approval.by} is not among the plan's approvers (${decision.approvers.join(", ")})`;
  return undefined;
}

export type UndoDeps = {
  client: ClusterClient;
  clock: Clock;
  ledger: LedgerStore;
  txId: string;
  incidentId: string | null;
  actor?: string;
  /** The writer Lease, re-checked before every restore: once lost, nothing more is written (each object is reported not restored). */
  lock?: LockHandle;
};

/**
 * Why no more writes may happen under `lock`, or undefined: a lost Lease is regained first when
 * nobody else holds it (renewals that failed on a flaky API server); one held by another writer,
 * or a released handle, is a problem.
 */
export async function leaseProblem(lock: LockHandle | undefined): Promise<string | undefined> {
  if (!lock) return undefined;
  if (lock.lost) await lock.regain?.();
  try {
    lock.assertHeld();
    return undefined;
  } catch (e) {
    return `not written: ${(e as Error).message}; the rollback stopped, so another writer and this one never write at once — restore it by hand or let recovery do it`;
  }
}

/** Restores snapshots in reverse order, retrying each a few times; records each outcome. */
export async function undoSnapshots(snapshots: Snapshot[], deps: UndoDeps): Promise<{ outcomes: RestoreOutcome[]; problems: string[] }> {
  const outcomes: RestoreOutcome[] = [];
  const problems: string[] = [];
  for (const snap of [...snapshots].reverse()) {
    let outcome: RestoreOutcome | undefined;
    const lost = await leaseProblem(deps.lock);
    let lastError = lost ?? "";
    for (let attempt = 0; attempt < D.DEFAULT_RESTORE_ATTEMPTS && !outcome && !lost; attempt++) {
      try {
        deps.lock?.assertHeld();
        outcome = await restoreSnapshot(deps.client, snap);
      } catch (e) {
        lastError = (e as Error).message;
        await deps.clock.sleep(D.DEFAULT_API_RETRY_BASE_MS * 2 ** attempt);
      }
    }
    const o = outcome ?? { ref: snap.ref, action: "unchanged" as const, matches: false, detail: lost ? `${formatRef(snap.ref)} ${lost}` : `could not restore: ${lastError}` };
    outcomes.push(o);
    if (!o.matches) problems.push(o.detail ?? `${formatRef(o.ref)} does not match its snapshot`);
    appendPayload(deps.ledger, TX.undoRestore, { actor: deps.actor ?? ACTOR, txId: deps.txId, incidentId: deps.incidentId, objectRefs: [ledgerRef(snap.ref)] }, { ref: snapshotRef(snap.ref), action: o.action, matches: o.matches, ...(o.detail ? { detail: o.detail } : {}) });
  }
  return { outcomes, problems };
}

/**
 * The snapshots a transaction recorded, in the order they were taken, with their sealed values
 * (a Secret's data) opened: exactly the objects as read. Throws LedgerError LEDGER_SEALED when a
 * data key is missing — a restore never writes a placeholder.
 */
export function snapshotsOf(ledger: LedgerStore, txId: string): Snapshot[] {
  return readPayloads(ledger.byTransaction(txId), TX.snapshot).map(({ entry, payload }) => ({
    ref: payload.ref,
    object: (payload.object ? ledger.unseal(payload.object, `the snapshot of ${formatRef(payload.ref)} (entry ${entry.id}, transaction ${txId})`) : null) as Snapshot["object"],
  }));
}

export const digestOf = (plan: Plan) => `sha256:${createHash("sha256").update(canonicalJson(plan)).digest("hex")}`;

/** The address a snapshot records (no undefined fields: the schema is strict). */
const snapshotRef = (r: ObjectRef) => ({ apiVersion: r.apiVersion, kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name });

const ledgerRef = (r: ObjectRef) => ({ kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name });

function defaultTxId(clock: Clock): () => string {
  return () => `tx-${clock.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
