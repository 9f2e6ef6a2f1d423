/**
 * Tools off (`--llm-tools off`, for local servers without tool calling): the stage reads what the
 * model would most likely have asked for, with the same read-only tools and bounds, and hands the
 * results to the model in its input. Per namespace in scope: pods, warning events and service
 * metrics; for the services in focus (the incident's affected services, the hypotheses' objects)
 * their Deployment and rollout history; the previous log of each troubled pod (at most three). The
 * mitigation stage also gets the action vocabulary. Every result is masked and capped like a tool
 * result; a read that fails is reported as such, not retried.
 */
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { AgentContext, LlmAgentName } from "../../src/incident/agent.ts";
import { CLUSTER_READ_TOOLS, listActions } from "../tools/index.ts";
import { sanitizeToolText } from "./middleware.ts";

const MAX_FOCUS = 3;
const MAX_LOGS = 3;

export type Observation = { tool: string; args: Record<string, unknown>; result: unknown };

export async function readUpFront(agent: LlmAgentName, ctx: AgentContext, focus: string[]): Promise<Observation[]> {
  const tools = new Map<string, StructuredToolInterface>([...CLUSTER_READ_TOOLS, listActions].map((make) => make(ctx)).map((t) => [t.name, t]));
  const out: Observation[] = [];
  const read = async (tool: string, args: Record<string, unknown>) => {
    const text = await tools.get(tool)!.invoke(args as never).then(String, (e: Error) => JSON.stringify({ error: e.message }));
    const clean = sanitizeToolText(text);
    let result: unknown;
    try {
      result = JSON.parse(clean);
    } catch {
      result = clean;
    }
    out.push({ tool, args, result });
    return result;
  };
  for (const namespace of ctx.namespaces) {
    const pods = (await read("list_pods", { namespace })) as { pods?: Array<{ name: string; ready?: string; containers?: Array<{ restarts?: number; waiting?: string }> }> };
    await read("get_events", { namespace, type: "Warning" });
    if (agent === "undo") continue;
    await read("service_metrics", { namespace });
    for (const name of focus.slice(0, MAX_FOCUS)) {
      await read("get_object", { kind: "Deployment", namespace, name });
      await read("rollout_history", { namespace, deployment: name });
    }
    const troubled = (pods.pods ?? []).filter((p) => p.ready && !/^(\d+)\/\1$/.test(p.ready)).slice(0, MAX_LOGS);
    for (const p of troubled) await read("get_logs", { namespace, pod: p.name, previous: (p.containers ?? []).some((c) => (c.restarts ?? 0) > 0) });
  }
  if (agent === "mitigation") await read("list_actions", {});
  return out;
}
