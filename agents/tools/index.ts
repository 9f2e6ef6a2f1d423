/**
 * The read-only tools the agents' LLM path may call, one file each, registered here. Each is a
 * factory taking the agent's context; agents/<agent>/tools.ts picks the ones its agent may use.
 * None of them can write: they read through the context's ClusterClient and MetricSource, or are
 * pure checks.
 */
export { listPods } from "./list-pods.ts";
export { getObject, presentObject } from "./get-object.ts";
export { listObjects } from "./list-objects.ts";
export { getEvents } from "./get-events.ts";
export { getLogs } from "./get-logs.ts";
export { serviceMetrics } from "./service-metrics.ts";
export { rolloutHistory } from "./rollout-history.ts";
export { listActions, describeAction, actionSignature } from "./actions.ts";
export { checkPlan } from "./check-plan.ts";
export { defineTool, type ToolFactory } from "./define.ts";
export { type ToolContext, inScope } from "./context.ts";
export { capJson, dedupeLines, normalizeLine, topK, MAX_TOOL_RESULT_CHARS } from "./bounds.ts";
export { READABLE_KINDS, READABLE_KIND_NAMES } from "./kinds.ts";

import type { ToolFactory } from "./define.ts";
import { getEvents } from "./get-events.ts";
import { getLogs } from "./get-logs.ts";
import { getObject } from "./get-object.ts";
import { listObjects } from "./list-objects.ts";
import { listPods } from "./list-pods.ts";
import { rolloutHistory } from "./rollout-history.ts";
import { serviceMetrics } from "./service-metrics.ts";

/** The tools that read the cluster, shared by every agent's LLM path. */
export const CLUSTER_READ_TOOLS: readonly ToolFactory[] = [listPods, getObject, listObjects, getEvents, getLogs, serviceMetrics, rolloutHistory];
