/**
 * Tool `check_plan`: validates a draft plan against the action vocabulary and the policy guard,
 * without touching the cluster (both checks are pure). The same checks run again, outside the
 * model's reach, before anything is applied — this tool only lets the model fix its draft early.
 */
import { z } from "zod";
import { parsePlan } from "../../src/core/plan.ts";
import { checkPlan as guard, DEFAULT_POLICY } from "../../src/core/policy.ts";
import { isValidationError } from "../../src/base/errors.ts";
import { defineTool } from "./define.ts";

export const checkPlan = defineTool({
  name: "check_plan",
  description: "Check a draft plan ({steps: [{id, action: {type, params}}]}) against the action vocabulary and the policy: returns the problems, the refusals, and which steps need a person's approval. Writes nothing.",
  schema: z.object({ plan: z.object({ steps: z.array(z.record(z.string(), z.unknown())) }).passthrough() }),
  run: async ({ plan }, ctx) => {
    let parsed;
    try {
      parsed = parsePlan(plan);
    } catch (e) {
      if (isValidationError(e)) return { valid: false, problems: e.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)) };
      throw e;
    }
    const decision = guard(ctx.policy ?? DEFAULT_POLICY, parsed);
    return {
      valid: decision.allowed,
      refusals: decision.refusals.map((r) => `${r.stepId}: ${r.reason}`),
      needsApproval: decision.needsApproval.map((n) => `${n.stepId}: ${n.reason}`),
    };
  },
});
