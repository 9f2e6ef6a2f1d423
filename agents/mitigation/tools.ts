/**
 * The tools the mitigation agent's LLM path may call: the cluster reads (to bind a plan's params
 * to what is really there), the action vocabulary, and `check_plan`, a pure check of a draft plan
 * against the vocabulary and the policy. Nothing here can write; plans are applied only by the core.
 */
import type { StructuredToolInterface } from "@langchain/core/tools";
import { checkPlan, CLUSTER_READ_TOOLS, describeAction, listActions, type ToolContext } from "../tools/index.ts";

export function mitigationTools(ctx: ToolContext): StructuredToolInterface[] {
  return [...CLUSTER_READ_TOOLS, listActions, describeAction, checkPlan].map((make) => make(ctx));
}
