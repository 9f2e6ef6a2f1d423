/** dry_run_plan: parse a plan, run the guard, and dry-run each step on the API server (dryRun=All). Writes nothing. */
import { z } from "zod";
import { isStratusError, ValidationError } from "../../base/errors.ts";
import { dryRunPlan, parsePlan, planTargets, type Plan } from "../../core/plan.ts";
import { checkPlan } from "../../core/policy.ts";
import { digestOf } from "../../core/transaction.ts";
import { formatRef } from "../../kube/types.ts";
import { READ_ONLY, ToolError, defineTool, toolInput } from "./tool.ts";

const PLAN_HINT =
  'send plan as {"steps": [{"id": "s1", "action": {"type": "scale", "params": {...}}}, {"id": "w1", "after": ["s1"], "wait": {"until": {...}, "timeoutMs": 60000}}]} — ' +
  "the plan object propose_plan returns, unchanged";

const Input = toolInput({
  plan: z
    .union([z.record(z.string(), z.unknown()), z.string()], { error: `plan is an object; ${PLAN_HINT}` })
    .describe("The plan: {steps: [{id, action: {type, params}} | {id, wait: {until, timeoutMs}}], approval?}, as propose_plan returns it (a JSON string of it is accepted too)."),
});

export const dryRunPlanTool = defineTool({
  name: "dry_run_plan",
  title: "Dry-run a plan",
  description:
    "Checks a mitigation plan without changing anything: validates it (every action's type and params), runs Stratus's policy guard " +
    "(refusals, steps that need a person's approval), and — when the guard allows it — sends every action to the Kubernetes API server " +
    "with dryRun=All, so admission and validation run but nothing is stored. Returns digest (sha256 of the plan), targets (objects it would touch), " +
    "guard {allowed, refusals, needsApproval}, and steps: per action step, stepId, summary, diff (one line per changed field, 'path: before → after'; " +
    "Secret values shown only as length and hash) and error (the API server's refusal, e.g. 422 Invalid or 404 NotFound). Each step is previewed " +
    "against the cluster as it is now, not after earlier steps. An invalid plan returns an error that names each bad field. Writes nothing.",
  input: Input,
  verb: "read",
  annotations: { ...READ_ONLY, openWorldHint: true },
  // The namespace the plan writes in, when it is one: a namespaced Role is enough to dry-run there.
  scope: (args) => {
    try {
      const namespaces = new Set(planTargets(readPlan(args.plan)).map((t) => t.namespace));
      const [ns] = namespaces;
      return namespaces.size === 1 && ns ? { namespace: ns } : undefined;
    } catch {
      return undefined;
    }
  },
  async run(args, { deps }) {
    const plan = readPlan(args.plan);
    const guard = checkPlan(deps.policy, plan);
    const out = {
      digest: digestOf(plan),
      targets: planTargets(plan).map(formatRef),
      guard: { allowed: guard.allowed, refusals: guard.refusals, needsApproval: guard.needsApproval, ...(guard.approvers ? { approvers: guard.approvers } : {}) },
    };
    // A refused plan is not sent to the API server at all: the guard decides what Stratus may touch,
    // and a dry run would read (and show) objects outside that scope with Stratus's credentials.
    if (!guard.allowed) return { ...out, steps: [], message: "the guard refuses this plan, so it was not dry-run; fix the refusals and try again" };
    let steps;
    try {
      steps = await dryRunPlan(plan, deps.dryRunClient, { now: () => deps.clock.now() });
    } catch (e) {
      throw invalid(e);
    }
    return {
      ...out,
      ok: steps.every((s) => !s.error),
      steps: steps.map((s) => ({ stepId: s.stepId, summary: s.summary, diff: s.diffs.flatMap((d) => (d.diff ? [`${formatRef(d.ref)}:`, ...d.diff.split("\n").map((l) => `  ${l}`)] : [])), ...(s.error ? { error: s.error } : {}) })),
    };
  },
});

/** The plan from the input (an object, or its JSON text), parsed; a ToolError naming each problem. */
function readPlan(input: unknown): Plan {
  let raw = input;
  if (typeof raw === "string") {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new ToolError(`plan is a string that is not JSON; ${PLAN_HINT}`);
    }
  }
  try {
    return parsePlan(raw);
  } catch (e) {
    throw invalid(e);
  }
}

/** A validation failure as a ToolError listing each problem under its path; anything else is rethrown. */
function invalid(e: unknown): Error {
  if (e instanceof ValidationError) return new ToolError(`invalid plan: ${e.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}; ${PLAN_HINT}`);
  if (isStratusError(e) && e.code === "INVALID_INPUT") return new ToolError(`invalid plan: ${e.message}; ${PLAN_HINT}`);
  return e as Error;
}
