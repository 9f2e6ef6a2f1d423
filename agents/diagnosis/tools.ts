/**
 * The read-only tools the diagnosis agent's LLM path may call: pods, objects, events, logs, service
 * metrics and call edges, rollout history. Nothing here can write.
 */
import type { StructuredToolInterface } from "@langchain/core/tools";
import { CLUSTER_READ_TOOLS, type ToolContext } from "../tools/index.ts";

export function diagnosisTools(ctx: ToolContext): StructuredToolInterface[] {
  return CLUSTER_READ_TOOLS.map((make) => make(ctx));
}
