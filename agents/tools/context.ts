/**
 * What a tool runs with: the agent's read-only context plus, for the mitigation agent, the policy
 * its plans will be checked against. Tools refuse namespaces outside the context's scope, so a
 * model cannot read its way into other teams' namespaces.
 */
import type { AgentContext } from "../../src/incident/agent.ts";
import type { Policy } from "../../src/core/policy.ts";

export type ToolContext = AgentContext & { policy?: Policy };

/** Throws a message the model can act on when `namespace` is out of scope. */
export function inScope(ctx: ToolContext, namespace: string): void {
  if (!ctx.namespaces.includes(namespace)) {
    throw new Error(`namespace "${namespace}" is out of scope; the namespaces you may read are: ${ctx.namespaces.join(", ")}`);
  }
}
