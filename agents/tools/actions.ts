/**
 * Tools `list_actions` and `describe_action`: the typed action vocabulary a plan may use — the only
 * things Stratus can do to a cluster. A compact signature per action, and the full JSON schema of
 * one on request, so the model writes valid params without the whole vocabulary in every prompt.
 */
import { z } from "zod";
import { ACTIONS, actionDefinition } from "../../src/core/actions/registry.ts";
import { defineTool } from "./define.ts";

/** What a model may put in a plan: every action but those only a playbook can produce (exec). */
const OFFERED = ACTIONS.filter((a) => !a.playbookOnly);
const OFFERED_TYPES = OFFERED.map((a) => a.type);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const schemaOf = (type: string): any => z.toJSONSchema(actionDefinition(type).params as z.ZodType, { io: "input", unrepresentable: "any" });

/** "scale(namespace*, name*, kind=Deployment, replicas*:integer)" */
export function actionSignature(type: string): string {
  const s = schemaOf(type);
  const required = new Set<string>(s.required ?? []);
  const params = Object.entries<Record<string, unknown>>(s.properties ?? {}).map(([k, p]) => {
    const t = p.enum ? (p.enum as unknown[]).join("|") : String(p.type ?? (p.anyOf ? "any" : "object"));
    return `${k}${required.has(k) ? "*" : ""}${p.default !== undefined ? `=${JSON.stringify(p.default)}` : ""}:${t}`;
  });
  return `${type}(${params.join(", ")})`;
}

export const listActions = defineTool({
  name: "list_actions",
  description: "The action vocabulary a plan may use: each action's params (* = required) and risk class. Nothing outside this list can be done.",
  schema: z.object({}),
  run: async () => ({ actions: OFFERED.map((a) => ({ signature: actionSignature(a.type), risk: a.risk })) }),
});

export const describeAction = defineTool({
  name: "describe_action",
  description: "The full JSON schema of one action's params.",
  schema: z.object({ type: z.enum(OFFERED_TYPES as [string, ...string[]]) }),
  run: async ({ type }) => ({ type, risk: actionDefinition(type).risk, params: schemaOf(type) }),
});
