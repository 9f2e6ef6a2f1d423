/**
 * A plan is what a mitigation proposes: typed actions and explicit waits, with `after` ordering,
 * `conflictsWith` pairs that must not run at the same time, and optional `stage` hints (a
 * playbook's parallel group). `parsePlan` checks its shape and every action; `compilePlan` turns it
 * into ordered stages and refuses cycles, unknown step ids, conflicting steps forced into one stage
 * and more than K actions — each problem named. `dryRunPlan` shows what each action would change,
 * by server-side dry run, without writing. The layering itself lives in plan-layering.ts.
 * Steps may also carry an execution policy (all optional, all enforced by transaction-apply.ts):
 * `retry` (attempts, back-off, which error classes are retried and which are fatal),
 * `precondition` / `postcondition` (a wait condition that must hold before / after the write),
 * `deadline` (must start within N ms of another step finishing) and `compensate` (the actions that
 * undo this step on abort, where restoring the snapshot is not the right inverse).
 */
import { z } from "zod";
import type { ClusterClient } from "../kube/cluster-client.ts";
import { formatRef, type KubeObject, type ObjectRef } from "../kube/types.ts";
import type { Action } from "./actions/action.ts";
import { actionTargets, applyAction, parseAction } from "./actions/registry.ts";
import { validationError, zodIssues, type Issue } from "./actions/schema.ts";
import { DEFAULT_MAX_ACTIONS, DEFAULT_WAIT_TIMEOUT_MS, MAX_APPROVAL_TIMEOUT_MS, MAX_WAIT_TIMEOUT_MS } from "./defaults.ts";
import { diffObjects } from "./diff.ts";
import { isStratusError } from "../base/errors.ts";
import { layerSteps } from "./plan-layering.ts";
import { waitConditionSchema, type WaitCondition } from "./wait.ts";

/** What went wrong in a step, as a retry policy sees it (see classifyError in transaction-apply.ts). */
export const ERROR_CLASSES = [
  "conflict", // 409 Conflict: someone else wrote first
  "already-exists", // 409 AlreadyExists
  "server-error", // 5xx
  "unreachable", // no answer: refused, timed out
  "throttled", // 429
  "not-found", // 404
  "forbidden", // 401 / 403
  "invalid", // 400 / 422, or a ValidationError from the action
  "precondition-failed",
  "postcondition-failed",
  "deadline-missed",
  "cancelled", // fail-fast: a sibling step failed
  "other",
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];
/** Outcomes that are verdicts, not transient failures: no retry policy may retry them. */
export const NEVER_RETRIED: readonly ErrorClass[] = ["deadline-missed", "cancelled"];
/** What a retry policy retries when it names no `retryOn`: the transient API failures. */
export const DEFAULT_RETRY_ON: readonly ErrorClass[] = ["conflict", "server-error", "unreachable", "throttled"];
export const MAX_RETRY_ATTEMPTS = 20;

export type Backoff = { kind: "fixed" | "linear" | "exponential"; baseMs: number; capMs?: number };
/** Per-step retries; replaces the transaction's built-in 409/5xx retries for that step. */
export type RetryPolicy = { maxAttempts: number; backoff: Backoff; retryOn: ErrorClass[]; fatalOn: ErrorClass[] };
/** A condition checked around a step: polled until it holds or `timeoutMs` passes (0 = checked once). */
export type StepCondition = { until: WaitCondition; timeoutMs: number };
/** "Must start within `withinMs` of step `after` finishing." */
export type Deadline = { after: string; withinMs: number };

export type ActionStep = {
  id: string;
  action: Action;
  after?: string[];
  conflictsWith?: string[];
  stage?: number;
  retry?: RetryPolicy;
  precondition?: StepCondition;
  postcondition?: StepCondition;
  deadline?: Deadline;
  /** Actions that undo this step on abort instead of restoring its targets' snapshots; [] = nothing to undo. */
  compensate?: Action[];
};
export type WaitStep = { id: string; wait: { until: WaitCondition; timeoutMs: number }; after?: string[]; stage?: number; deadline?: Deadline };
export type Step = ActionStep | WaitStep;
/** A person's approval the plan itself asks for (a playbook's `gate:`), whatever the policy says. */
export type PlanApproval = { approvers: string[]; timeoutMs?: number; onTimeout: "reject" | "approve"; reason?: string };
export type Plan = { id?: string; steps: Step[]; approval?: PlanApproval };
export type CompiledPlan = { stages: Step[][] };
export type CompileOptions = { maxActions?: number };

export const isActionStep = (s: Step): s is ActionStep => "action" in s;
export const isWaitStep = (s: Step): s is WaitStep => "wait" in s;

const stepId = z.string().regex(/^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/, "must be 1–63 letters, digits, '-', '_' or '.', starting with a letter or digit");
const idList = z.array(stepId).optional();
const stageHint = z.number().int().min(0).max(1000).optional();

const durationMs = z.number().int().min(0).max(MAX_WAIT_TIMEOUT_MS);
const errorClass = z.enum(ERROR_CLASSES);

export const retryPolicySchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(MAX_RETRY_ATTEMPTS),
    backoff: z.strictObject({ kind: z.enum(["fixed", "linear", "exponential"]), baseMs: durationMs, capMs: durationMs.optional() }),
    retryOn: z.array(errorClass).default([...DEFAULT_RETRY_ON]),
    fatalOn: z.array(errorClass).default([]),
  })
  .superRefine((r, ctx) => {
    r.retryOn.forEach((c, i) => {
      if (NEVER_RETRIED.includes(c)) ctx.addIssue({ code: "custom", path: ["retryOn", i], message: `${c} is never retried (it is a verdict, not a transient failure)` });
      if (r.fatalOn.includes(c)) ctx.addIssue({ code: "custom", path: ["retryOn", i], message: `${c} is both retried and fatal; keep it in one list` });
    });
    if (r.backoff.capMs !== undefined && r.backoff.capMs < r.backoff.baseMs) ctx.addIssue({ code: "custom", path: ["backoff", "capMs"], message: "the cap is below the base delay" });
  });
export const stepConditionSchema = z.strictObject({ until: waitConditionSchema, timeoutMs: durationMs.default(0) });
export const deadlineSchema = z.strictObject({ after: stepId, withinMs: durationMs });

const actionStep = z.strictObject({
  id: stepId,
  action: z.unknown(),
  after: idList,
  conflictsWith: idList,
  stage: stageHint,
  retry: retryPolicySchema.optional(),
  precondition: stepConditionSchema.optional(),
  postcondition: stepConditionSchema.optional(),
  deadline: deadlineSchema.optional(),
  compensate: z.array(z.unknown()).max(10).optional(),
});
const waitStep = z.strictObject({
  id: stepId,
  wait: z.strictObject({
    until: waitConditionSchema,
    timeoutMs: z.number().int().min(1).max(MAX_WAIT_TIMEOUT_MS).default(DEFAULT_WAIT_TIMEOUT_MS),
  }),
  after: idList,
  stage: stageHint,
  deadline: deadlineSchema.optional(),
});
const planApproval = z.strictObject({
  approvers: z.array(z.string().min(1).max(100)).max(50),
  timeoutMs: z.number().int().min(1).max(MAX_APPROVAL_TIMEOUT_MS).optional(),
  onTimeout: z.enum(["reject", "approve"]).default("reject"),
  reason: z.string().max(500).optional(),
});
const planSchema = z.strictObject({
  id: z.string().min(1).max(200).optional(),
  approval: planApproval.optional(),
  steps: z.array(z.union([actionStep, waitStep])).min(1, "a plan needs at least one step"),
});

/**
 * Validates a plan's shape and each action (type and params), throwing one ValidationError with
 * every problem found, each under its path (`steps[1].action.params.replicas`).
 */
export function parsePlan(input: unknown): Plan {
  const issues: Issue[] = [];
  // A step that is neither an action nor a wait gets zod's union message; say what a step is.
  if (input && typeof input === "object" && Array.isArray((input as { steps?: unknown }).steps)) {
    (input as { steps: unknown[] }).steps.forEach((s, i) => {
      if (!s || typeof s !== "object" || (!("action" in s) && !("wait" in s))) {
        issues.push({ path: `steps[${i}]`, message: "a step has an id and either an action ({type, params}) or a wait ({until, timeoutMs})" });
      } else if ("action" in s && "wait" in s) {
        issues.push({ path: `steps[${i}]`, message: "a step has either an action or a wait, not both" });
      }
    });
  }
  if (issues.length) throw validationError("invalid plan", issues);
  const r = planSchema.safeParse(input);
  if (!r.success) throw validationError("invalid plan", zodIssues(r.error));
  const steps: Step[] = [];
  r.data.steps.forEach((s, i) => {
    if (!("action" in s)) return steps.push(s as WaitStep);
    try {
      const action = parseAction(s.action, ["steps", i, "action"]);
      const compensate = s.compensate && parseCompensations(s.compensate, i, issues);
      steps.push({ ...s, action, ...(compensate ? { compensate } : {}) } as ActionStep);
    } catch (e) {
      if (!isStratusError(e) || e.code !== "INVALID_INPUT") throw e;
      issues.push(...((e.details.issues as Issue[] | undefined) ?? [{ path: `steps[${i}].action`, message: e.message }]));
    }
  });
  if (issues.length) throw validationError("invalid plan", issues);
  return { ...(r.data.id ? { id: r.data.id } : {}), steps: steps.map(dropUndefined), ...(r.data.approval ? { approval: r.data.approval } : {}) };
}

/**
 * Orders a (parsed) plan into stages: every step after all its `after` dependencies, no two
 * conflicting steps — `conflictsWith` either way, or two actions writing the same object — in one
 * stage (the later one moves down). Steps sharing a `stage` hint run together, lower hints first. Throws a ValidationError listing each problem: duplicate or unknown step ids, cycles
 * ("a → b → a"), conflicting steps given the same `stage` hint, more than `maxActions` actions.
 */
export function compilePlan(plan: Plan, opts: CompileOptions = {}): CompiledPlan {
  const maxActions = opts.maxActions ?? DEFAULT_MAX_ACTIONS;
  const issues: Issue[] = [];
  // Work on copies: the caller's plan is not changed (actions are re-validated into the copies).
  const steps: Step[] = plan.steps.map((s) => ({ ...s }));
  const firstIndex = new Map<string, number>();
  steps.forEach((s, i) => {
    const seen = firstIndex.get(s.id);
    if (seen !== undefined) issues.push({ path: `steps[${i}].id`, message: `duplicate step id "${s.id}" (steps[${seen}] has it too)` });
    else firstIndex.set(s.id, i);
  });
  const ids = [...firstIndex.keys()];
  steps.forEach((s, i) => {
    for (const field of ["after", "conflictsWith"] as const) {
      ((s as ActionStep)[field] ?? []).forEach((ref, k) => {
        const path = `steps[${i}].${field}[${k}]`;
        if (ref === s.id) issues.push({ path, message: `step "${s.id}" names itself` });
        else if (!firstIndex.has(ref)) issues.push({ path, message: `unknown step "${ref}"; the plan's steps are: ${ids.join(", ")}` });
      });
    }
    if (isActionStep(s)) {
      try {
        s.action = parseAction(s.action, ["steps", i, "action"]);
      } catch (e) {
        if (!isStratusError(e) || e.code !== "INVALID_INPUT") throw e;
        issues.push(...((e.details.issues as Issue[] | undefined) ?? [{ path: `steps[${i}].action`, message: e.message }]));
      }
      if (s.compensate) s.compensate = parseCompensations(s.compensate, i, issues);
    }
  });
  issues.push(...deadlineIssues(steps, firstIndex));
  const actionCount = steps.filter(isActionStep).length;
  if (actionCount > maxActions) {
    issues.push({ path: "steps", message: `the plan has ${actionCount} actions; at most ${maxActions} are allowed in one transaction: split it or drop some` });
  }
  if (issues.length) throw validationError("invalid plan", issues);

  const targets = new Map<string, string[]>();
  for (const s of steps) if (isActionStep(s)) targets.set(s.id, actionTargets(s.action).map(formatRef));
  const result = layerSteps(steps, targets);
  if (result.issues.length) throw validationError("invalid plan", result.issues);
  return { stages: result.stages };
}

/** Compensation actions parsed in place; problems are added to `issues` under steps[i].compensate[k]. */
function parseCompensations(list: unknown[], i: number, issues: Issue[]): Action[] {
  const out: Action[] = [];
  list.forEach((c, k) => {
    try {
      out.push(parseAction(c, ["steps", i, "compensate", k]));
    } catch (e) {
      if (!isStratusError(e) || e.code !== "INVALID_INPUT") throw e;
      issues.push(...((e.details.issues as Issue[] | undefined) ?? [{ path: `steps[${i}].compensate[${k}]`, message: e.message }]));
    }
  });
  return out;
}

/** A deadline is measured from a step that has surely finished: one this step (transitively) runs after. */
function deadlineIssues(steps: Step[], index: Map<string, number>): Issue[] {
  const issues: Issue[] = [];
  const before = (i: number, seen = new Set<number>()): Set<number> => {
    for (const id of steps[i].after ?? []) {
      const j = index.get(id);
      if (j !== undefined && !seen.has(j)) {
        seen.add(j);
        before(j, seen);
      }
    }
    return seen;
  };
  steps.forEach((s, i) => {
    if (!s.deadline) return;
    const path = `steps[${i}].deadline.after`;
    const j = index.get(s.deadline.after);
    if (j === undefined) issues.push({ path, message: `unknown step "${s.deadline.after}"` });
    else if (j === i) issues.push({ path, message: `step "${s.id}" names itself` });
    else if (!before(i).has(j)) issues.push({ path, message: `"${s.id}" does not run after "${s.deadline.after}", so its deadline cannot be measured from it: add "${s.deadline.after}" to after` });
  });
  return issues;
}

/** Every object the plan's actions touch, each once, in plan order. */
export function planTargets(plan: Plan): ObjectRef[] {
  const seen = new Map<string, ObjectRef>();
  for (const s of plan.steps) {
    if (!isActionStep(s)) continue;
    for (const ref of actionTargets(s.action)) if (!seen.has(refKey(ref))) seen.set(refKey(ref), ref);
  }
  return [...seen.values()];
}

export type ObjectDiff = { ref: ObjectRef; before: KubeObject | undefined; after: KubeObject | undefined; diff: string };
export type DryRunStep = { stepId: string; summary: string; diffs: ObjectDiff[]; error?: string };

/**
 * Dry-runs every action in stage order (dryRun=All) and diffs the server's answer against the
 * object as it is now. Nothing is written. Each action is previewed against the current cluster,
 * not against earlier steps' effects (a server dry run stores nothing). A failing action is
 * reported with its error and the rest are still previewed.
 */
export async function dryRunPlan(plan: Plan, client: ClusterClient, opts: { now?: () => number } = {}): Promise<DryRunStep[]> {
  const { stages } = compilePlan(plan, { maxActions: Number.MAX_SAFE_INTEGER });
  const out: DryRunStep[] = [];
  for (const step of stages.flat()) {
    if (!isActionStep(step)) continue;
    const refs = actionTargets(step.action);
    try {
      const before = await Promise.all(refs.map((r) => client.read(r)));
      const outcome = await applyAction(step.action, { client, dryRun: true, now: opts.now });
      const diffs = refs.map((ref, i): ObjectDiff => {
        const deleted = outcome.deleted?.some((d) => sameRef(d, ref));
        const after = deleted ? undefined : outcome.results.find((o) => sameRef(o, ref)) ?? before[i];
        return { ref, before: before[i], after, diff: diffObjects(before[i], after).join("\n") };
      });
      out.push({ stepId: step.id, summary: outcome.summary, diffs });
    } catch (e) {
      const message = (e as Error).message;
      out.push({ stepId: step.id, summary: `${step.action.type} failed its dry run: ${message}`, diffs: [], error: message });
    }
  }
  return out;
}

/** "apps/Deployment/ns/name": an object's identity, independent of its API version. */
export const refKey = (r: ObjectRef) => `${r.apiVersion.includes("/") ? r.apiVersion.split("/")[0] : "core"}/${r.kind}/${r.namespace ?? ""}/${r.name}`;

function sameRef(o: KubeObject | ObjectRef, r: ObjectRef): boolean {
  const ns = "metadata" in o ? o.metadata.namespace : o.namespace;
  const name = "metadata" in o ? o.metadata.name : o.name;
  return o.kind === r.kind && (ns ?? "") === (r.namespace ?? "") && name === r.name;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
