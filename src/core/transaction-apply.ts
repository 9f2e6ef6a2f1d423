/**
 * Stage 5 of the TNR protocol: applying a compiled plan, stage by stage. Independent steps of a
 * stage run together; the first failure cancels its siblings (fail-fast: those not started never
 * start, those waiting, polling or backing off stop at their next check, a running exec subprocess
 * is stopped through the stage's AbortSignal, an API write already sent finishes) and the
 * transaction aborts. Without a step policy, an action is retried on 409 Conflict (it re-reads and
 * recomputes) and on 5xx/timeouts with exponential back-off, a bounded number of times. A step may
 * carry its own policy instead: a retry policy (attempts, fixed | linear | exponential back-off
 * with a cap, retryable and fatal error classes), a precondition and a postcondition (wait
 * conditions), and a deadline relative to another step. Every finished step is recorded with its
 * entry and exit times, inputs, outputs, retries and error class before the next stage starts.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";
import { formatRef, refOf } from "../kube/types.ts";
import { applyAction, actionTargets } from "./actions/registry.ts";
import { isSubprocessError } from "./actions/subprocess.ts";
import type { Clock } from "../base/clock.ts";
import { DEFAULT_WAIT_POLL_MS } from "./defaults.ts";
import { isConflict, isKubeApiError, isStratusError, isValidationError } from "../base/errors.ts";
import type { LockHandle } from "./lock.ts";
import { isActionStep, NEVER_RETRIED, type Backoff, type ErrorClass, type Step, type StepCondition } from "./plan.ts";
import { describeWait, waitFor } from "./wait.ts";
import { canonicalJson, sha256Hex } from "./ledger/canonical.ts";
import { desiredState } from "./snapshot.ts";
import { diffableObject } from "./diff.ts";
import type { KubeObject } from "../kube/types.ts";

/** sha256 of an object's desired state (spec, labels, annotations; not status or server metadata): what recovery compares to tell a status update from someone else's edit. */
export const stateDigest = (o: KubeObject) => `sha256:${sha256Hex(canonicalJson(desiredState(o)))}`;

/**
 * What an applied action left on the server, per object: recovery compares the live object with it
 * before restoring; `object` (status and bookkeeping dropped; credentials sealed by the ledger as
 * in a snapshot) is the "after" side of the diff `stratus ledger diff` and the web UI show.
 */
const writtenObjects = (results: KubeObject[]) =>
  results.map((o) => ({ ref: formatRef(refOf(o)), resourceVersion: o.metadata.resourceVersion ?? null, generation: o.metadata.generation ?? null, stateDigest: stateDigest(o), object: diffableObject(o) as Record<string, unknown> }));

/**
 * The record without the written objects' bodies: what goes into the transaction's result (and so
 * into graph state, checkpoints and events), which — unlike the ledger, which seals credentials —
 * must not carry a Secret's data. The ledger's action entry keeps the bodies for the diff.
 */
export function withoutWrittenBodies(rec: StepRecord): StepRecord {
  const outputs = rec.outputs as { objects?: Array<Record<string, unknown>> } | undefined;
  if (!outputs?.objects?.some((o) => "object" in o)) return rec;
  return { ...rec, outputs: { ...outputs, objects: outputs.objects.map(({ object: _body, ...rest }) => rest) } } as StepRecord;
}

export type ApplySettings = { maxConflictRetries: number; maxApiRetries: number; apiRetryBaseMs: number };

/** One retry of a step: what failed, how it was classified, and how long the step waited. */
export type RetryRecord = { stepId: string; attempt: number; errorClass: ErrorClass; error: string; delayMs: number; at: string };

export type StepRecord = {
  stepId: string;
  ok: boolean;
  summary: string;
  attempts: number;
  error?: string;
  objects?: string[];
  /** Why it failed, as a retry policy classifies it. */
  errorClass?: ErrorClass;
  /** The failure was one the step's policy names as fatal: retries stopped at once. */
  fatal?: boolean;
  /** The action's write went through at least once (even if a postcondition failed afterwards). */
  applied?: boolean;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  retries?: RetryRecord[];
};

export type ApplyDeps = {
  client: ClusterClient;
  clock: Clock;
  lock: LockHandle;
  settings: ApplySettings;
  /** Called once per finished step, in completion order; the transaction writes the ledger here. */
  record(step: StepRecord): void;
  /** Called before each retry's back-off, so the ledger shows retries as they happen. */
  onRetry?(retry: RetryRecord): void;
};

type RunDeps = Omit<ApplyDeps, "record"> & {
  /** When a step finished (clock ms), for deadlines; undefined when it has not. */
  finishedAt?: (stepId: string) => number | undefined;
};

/** Truthy while the step should stop; a string says why. */
type Cancelled = () => boolean | string;

/** Runs the stages in order; resolves with the first failed step, or undefined when all succeeded. */
export async function applyStages(stages: Step[][], deps: ApplyDeps): Promise<StepRecord | undefined> {
  const finished = new Map<string, number>();
  const runDeps: RunDeps = { ...deps, finishedAt: (id) => finished.get(id) };
  for (const stage of stages) {
    let failed: StepRecord | undefined;
    const cancelled: Cancelled = () => (failed ? `step ${failed.stepId} failed` : false);
    // Fail-fast reaches into running actions too: an exec sibling's process is stopped at once.
    const abort = new AbortController();
    await Promise.all(stage.map(async (step) => {
      const rec = await runStep(step, runDeps, cancelled, false, abort.signal);
      if (rec.ok) finished.set(step.id, deps.clock.now());
      deps.record(rec);
      if (!rec.ok && !failed) {
        failed = rec;
        abort.abort(`step ${rec.stepId} failed`);
      }
    }));
    if (failed) return failed;
  }
  return undefined;
}

/**
 * Applies one step (or dry-runs it: no deadline, conditions or step retry policy then) and never
 * throws for the step's own failure — the outcome is in the record. Throws only when the writer
 * lock is lost.
 */
export async function runStep(step: Step, deps: RunDeps, cancelled: Cancelled = () => false, dryRun = false, signal?: AbortSignal): Promise<StepRecord> {
  const { client, clock, lock, settings } = deps;
  const started = clock.now();
  const base = { stepId: step.id, startedAt: iso(started), inputs: isActionStep(step) ? { action: step.action } : { wait: step.wait } };
  const end = (r: Omit<StepRecord, "stepId">): StepRecord => {
    const now = clock.now();
    return dropUndefined({ ...base, ...r, finishedAt: iso(now), durationMs: now - started });
  };
  /** The objects as the last write that went through left them, kept for the record even when a postcondition fails. */
  let written: { objects: ReturnType<typeof writtenObjects>; deleted?: string[] } | undefined;
  const fail = (errorClass: ErrorClass, error: string, attempts: number, extra: Partial<StepRecord> = {}) =>
    end({ ok: false, attempts, summary: `failed: ${error}`, error, errorClass, ...(extra.applied && written ? { outputs: written } : {}), ...extra });

  const early = cancelled();
  if (early) return fail("cancelled", `cancelled before it started: ${typeof early === "string" ? early : "a sibling step failed"}`, 0);
  if (!dryRun && step.deadline) {
    const { after, withinMs } = step.deadline;
    const at = deps.finishedAt?.(after);
    if (at === undefined) return fail("deadline-missed", `deadline missed: step ${after} has not finished, and this step had to start within ${withinMs} ms of it`, 0);
    if (started - at > withinMs) return fail("deadline-missed", `deadline missed: started ${started - at} ms after step ${after} finished; it had to start within ${withinMs} ms`, 0);
  }

  if (!isActionStep(step)) {
    lock.assertHeld();
    if (dryRun) return end({ ok: true, attempts: 0, summary: `wait until ${describeWait(step.wait.until)} (dry run)` });
    const res = await pollCondition({ until: step.wait.until, timeoutMs: step.wait.timeoutMs }, deps, cancelled);
    if (res.cancelled) return fail("cancelled", `cancelled: ${res.cancelled}`, 1);
    const summary = `wait until ${describeWait(step.wait.until)}: ${res.detail}`;
    return res.ok ? end({ ok: true, attempts: 1, summary }) : end({ ok: false, attempts: 1, summary, error: res.detail, errorClass: "other" });
  }

  const policy = dryRun ? undefined : step.retry;
  const retries: RetryRecord[] = [];
  let conflicts = 0;
  let apiErrors = 0;
  let applied = false;
  for (let attempt = 1; ; attempt++) {
    const why = cancelled();
    if (why) return fail("cancelled", `cancelled: ${typeof why === "string" ? why : "a sibling step failed"}`, attempt - 1, { retries, applied });
    lock.assertHeld();
    try {
      if (!dryRun && step.precondition) {
        const pre = await pollCondition(step.precondition, deps, cancelled);
        if (pre.cancelled) throw new StepFailure("cancelled", `cancelled: ${pre.cancelled}`);
        if (!pre.ok) throw new StepFailure("precondition-failed", `precondition failed: ${describeWait(step.precondition.until)} does not hold (${pre.detail})`);
      }
      const out = await applyAction(step.action, { client, dryRun, now: () => clock.now(), ...(signal ? { signal } : {}) });
      if (!dryRun) {
        applied = true;
        written = { objects: writtenObjects(out.results), ...(out.deleted?.length ? { deleted: out.deleted.map(formatRef) } : {}) };
      }
      let post: string | undefined;
      if (!dryRun && step.postcondition) {
        const res = await pollCondition(step.postcondition, deps, cancelled);
        if (res.cancelled) throw new StepFailure("cancelled", `cancelled: ${res.cancelled}`);
        if (!res.ok) throw new StepFailure("postcondition-failed", `postcondition failed: ${describeWait(step.postcondition.until)} did not hold within ${step.postcondition.timeoutMs} ms (${res.detail})`);
        post = res.detail;
      }
      const outputs = {
        summary: out.summary,
        objects: writtenObjects(out.results),
        ...(out.deleted?.length ? { deleted: out.deleted.map(formatRef) } : {}),
        ...(post ? { postcondition: post } : {}),
        ...(out.details ?? {}),
      };
      const rec: Omit<StepRecord, "stepId"> = { ok: true, attempts: attempt, summary: out.summary, objects: actionTargets(step.action).map(formatRef), outputs };
      return end(dryRun ? rec : { ...rec, applied, ...(retries.length ? { retries } : {}) });
    } catch (e) {
      if (isStratusError(e) && e.code === "LOCK_LOST") throw e;
      const errorClass = classifyError(e);
      const message = (e as Error).message;
      let delayMs: number | undefined;
      if (policy) {
        const retryable = policy.retryOn.includes(errorClass) && !policy.fatalOn.includes(errorClass) && !NEVER_RETRIED.includes(errorClass);
        if (retryable && attempt < policy.maxAttempts) delayMs = backoffDelay(policy.backoff, attempt);
        else {
          const fatal = policy.fatalOn.includes(errorClass);
          const why = fatal ? ` (fatal: ${errorClass} stops retries at once)` : retryable ? ` (gave up after ${attempt} attempts)` : "";
          return fail(errorClass, `${message}${why}`, attempt, { retries, applied, ...(fatal ? { fatal } : {}) });
        }
      } else if (isConflict(e) && conflicts < settings.maxConflictRetries) {
        conflicts++;
        delayMs = 0;
      } else if (isKubeApiError(e) && e.retryable && apiErrors < settings.maxApiRetries) {
        apiErrors++;
        delayMs = settings.apiRetryBaseMs * 2 ** (apiErrors - 1);
      }
      if (delayMs === undefined) return fail(errorClass, message, attempt, dryRun ? {} : { retries, applied });
      const retry: RetryRecord = { stepId: step.id, attempt, errorClass, error: message, delayMs, at: iso(clock.now()) };
      retries.push(retry);
      if (!dryRun) deps.onRetry?.(retry);
      if (delayMs > 0) await sleepUnlessCancelled(clock, delayMs, cancelled);
    }
  }
}

/** The delay before retry number `n` (n = 1 after the first failure): base, n·base or 2^(n-1)·base, at most the cap. */
export function backoffDelay(b: Backoff, n: number): number {
  const raw = b.kind === "fixed" ? b.baseMs : b.kind === "linear" ? b.baseMs * n : b.baseMs * 2 ** (n - 1);
  return Math.min(raw, b.capMs ?? Number.MAX_SAFE_INTEGER);
}

/** The error class a retry policy decides on. */
export function classifyError(e: unknown): ErrorClass {
  if (e instanceof StepFailure) return e.errorClass;
  if (isSubprocessError(e)) return e.reason === "cancelled" ? "cancelled" : e.reason === "invalid-output" ? "invalid" : "other";
  if (isKubeApiError(e)) {
    const s = e.status;
    if (s === 0) return "unreachable";
    if (s === 409) return e.reason === "AlreadyExists" ? "already-exists" : "conflict";
    if (s === 404) return "not-found";
    if (s === 429) return "throttled";
    if (s >= 500) return "server-error";
    if (s === 401 || s === 403) return "forbidden";
    if (s === 400 || s === 422) return "invalid";
    return "other";
  }
  return isValidationError(e) ? "invalid" : "other";
}

/** A failure the step itself decided on (a condition that did not hold), with its class. */
class StepFailure extends Error {
  constructor(readonly errorClass: ErrorClass, message: string) {
    super(message);
  }
}

type PollResult = { ok: boolean; detail: string; cancelled?: string };

/**
 * Polls a condition until it holds, `timeoutMs` passes, or the step is cancelled — in slices of
 * one poll interval, so a failing sibling stops a long wait at its next check.
 */
async function pollCondition(cond: StepCondition, deps: Pick<RunDeps, "client" | "clock">, cancelled: Cancelled): Promise<PollResult> {
  const { clock, client } = deps;
  const start = clock.now();
  for (;;) {
    const left = cond.timeoutMs - (clock.now() - start);
    const slice = Math.max(0, Math.min(left, DEFAULT_WAIT_POLL_MS));
    const res = await waitFor(cond.until, { client, clock, timeoutMs: slice, pollMs: Math.max(1, slice) });
    const waited = clock.now() - start;
    const detail = res.detail.replace(/^timed out after \d+ ms: /, "");
    if (res.ok) return { ok: true, detail };
    if (waited >= cond.timeoutMs) return { ok: false, detail: cond.timeoutMs ? `timed out after ${waited} ms: ${detail}` : detail };
    const why = cancelled();
    if (why) return { ok: false, detail, cancelled: typeof why === "string" ? why : "a sibling step failed" };
  }
}

async function sleepUnlessCancelled(clock: Clock, ms: number, cancelled: Cancelled): Promise<void> {
  const until = clock.now() + ms;
  while (!cancelled()) {
    const left = until - clock.now();
    if (left <= 0) return;
    await clock.sleep(Math.min(left, DEFAULT_WAIT_POLL_MS));
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
