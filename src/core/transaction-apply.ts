/**
 * Stage 5 of the TNR protocol: applying a compiled plan, stage by stage. Independent steps of a
 * stage run together; the first failure cancels the stage's siblings that have not started and
 * the transaction aborts. Each action is retried on 409 Conflict (it re-reads and recomputes) and
 * on 5xx/timeouts with exponential back-off, a bounded number of times. Every applied action is
 * written to the ledger before the next stage starts.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";
import { formatRef } from "../kube/types.ts";
import { applyAction, actionTargets } from "./actions/registry.ts";
import type { Clock } from "./clock.ts";
import { isConflict, isKubeApiError } from "./errors.ts";
import type { LockHandle } from "./lock.ts";
import { isActionStep, type Step } from "./plan.ts";
import { describeWait, waitFor } from "./wait.ts";

export type ApplySettings = { maxConflictRetries: number; maxApiRetries: number; apiRetryBaseMs: number };

export type StepRecord = { stepId: string; ok: boolean; summary: string; attempts: number; error?: string; objects?: string[] };

export type ApplyDeps = {
  client: ClusterClient;
  clock: Clock;
  lock: LockHandle;
  settings: ApplySettings;
  /** Called once per finished step, in completion order; the transaction writes the ledger here. */
  record(step: StepRecord): void;
};

/** Runs the stages in order; resolves with the first failed step, or undefined when all succeeded. */
export async function applyStages(stages: Step[][], deps: ApplyDeps): Promise<StepRecord | undefined> {
  for (const stage of stages) {
    let failed: StepRecord | undefined;
    // Fail-fast: siblings check `failed` before starting, so a failure stops what has not begun.
    await Promise.all(stage.map(async (step) => {
      if (failed) return;
      const rec = await runStep(step, deps, () => failed !== undefined);
      deps.record(rec);
      if (!rec.ok && !failed) failed = rec;
    }));
    if (failed) return failed;
  }
  return undefined;
}

/**
 * Applies one step (or dry-runs it) with the bounded retries: 409 → re-read and recompute,
 * 5xx/timeouts → back-off. Never throws: the outcome is in the record.
 */
export async function runStep(step: Step, deps: Omit<ApplyDeps, "record">, cancelled: () => boolean = () => false, dryRun = false): Promise<StepRecord> {
  const { client, clock, lock, settings } = deps;
  if (!isActionStep(step)) {
    lock.assertHeld();
    if (dryRun) return { stepId: step.id, ok: true, attempts: 0, summary: `wait until ${describeWait(step.wait.until)} (dry run)` };
    const res = await waitFor(step.wait.until, { client, clock, timeoutMs: step.wait.timeoutMs });
    return { stepId: step.id, ok: res.ok, attempts: 1, summary: `wait until ${describeWait(step.wait.until)}: ${res.detail}`, ...(res.ok ? {} : { error: `timed out after ${res.waitedMs} ms: ${res.detail}` }) };
  }
  let conflicts = 0;
  let apiErrors = 0;
  for (let attempt = 1; ; attempt++) {
    if (cancelled()) return { stepId: step.id, ok: false, attempts: attempt - 1, summary: "cancelled: a sibling step failed", error: "cancelled" };
    lock.assertHeld();
    try {
      const out = await applyAction(step.action, { client, dryRun, now: () => clock.now() });
      return { stepId: step.id, ok: true, attempts: attempt, summary: out.summary, objects: actionTargets(step.action).map(formatRef) };
    } catch (e) {
      if (isConflict(e) && conflicts < settings.maxConflictRetries) {
        conflicts++;
        continue;
      }
      if (isKubeApiError(e) && e.retryable && apiErrors < settings.maxApiRetries) {
        apiErrors++;
        await clock.sleep(settings.apiRetryBaseMs * 2 ** (apiErrors - 1));
        continue;
      }
      return { stepId: step.id, ok: false, attempts: attempt, summary: `failed: ${(e as Error).message}`, error: (e as Error).message };
    }
  }
}
