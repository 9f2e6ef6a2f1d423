/**
 * The read-only tools the undo agent's LLM path may call to check a rollback: objects as they are
 * now, pods, and events. Nothing here can write.
 */
import type { StructuredToolInterface } from "@langchain/core/tools";
import { getEvents, getObject, listPods, type ToolContext } from "../tools/index.ts";

export function undoTools(ctx: ToolContext): StructuredToolInterface[] {
  return [getObject, listPods, getEvents].map((make) => make(ctx));
}
