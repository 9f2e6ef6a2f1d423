/**
 * Drawing fixes from the playbook library (src/playbooks): each remedy a diagnosis rule names maps
 * to the playbook that performs it; when that playbook matches the hypothesis and its params bind
 * against the cluster, its compiled plan is the fix (with the playbook's name, version and digest
 * as the plan's origin). When there is no such playbook, it does not match, or it cannot bind (it
 * needs a last good value only the agents' change tracker saw), the built-in remedy is used — so
 * the library extends and overrides the reasoner without being required by it.
 */
import { bindParams, compilePlaybook, explainMatch, type Playbook, type PlaybookInput } from "../../src/playbooks/index.ts";
import type { Plan } from "../../src/core/plan.ts";
import type { AgentContext } from "../../src/incident/agent.ts";
import type { Remedy } from "../diagnosis/rule.ts";
import type { Hypothesis, Incident } from "../../src/incident/types.ts";

/** The playbook that performs each remedy, where the library has one. */
export const REMEDY_PLAYBOOKS: Readonly<Partial<Record<Remedy, string>>> = {
  "rollout-undo": "rollout-undo",
  "scale-back": "scale-back",
  "raise-memory": "raise-memory-limit",
  "remove-node-selector": "remove-node-selector",
  "restore-target-port": "restore-service-port",
  "restore-selector": "restore-service-selector",
  "restore-config": "restore-config-value",
  "restore-secret": "restore-db-users",
  "recreate-pvc": "fix-pvc-storage-class",
  "delete-network-policy": "remove-blocking-network-policy",
  "delete-chaos": "remove-chaos-experiment",
};

export type PlaybookPlan = { plan: Plan; rationale: string; origin: Record<string, unknown> };

/** What a playbook reads of a hypothesis and its incident. */
export const playbookInput = (h: Hypothesis, incident: Incident): PlaybookInput => ({
  rootCause: h.rootCause,
  layer: h.layer,
  type: h.type,
  summary: h.summary,
  confidence: h.confidence,
  facts: h.facts,
  incident: { id: incident.id, namespace: incident.namespace, onsetAt: incident.onsetAt, openedAt: incident.openedAt, severity: incident.severity },
});

/** The remedy's playbook compiled for this hypothesis, or undefined when it has none that fits. Never throws. */
export async function planFromPlaybook(remedy: string, library: readonly Playbook[], h: Hypothesis, incident: Incident, ctx: AgentContext): Promise<PlaybookPlan | undefined> {
  const name = REMEDY_PLAYBOOKS[remedy as Remedy];
  const pb = name ? library.find((p) => p.name === name) : undefined;
  if (!pb) return undefined;
  const input = playbookInput(h, incident);
  try {
    if (!explainMatch(pb, input).matched) return undefined;
    const binding = await bindParams(pb, input, { client: ctx.client, now: () => ctx.clock.now() });
    const compiled = compilePlaybook(pb, binding, input);
    return { plan: compiled.plan, rationale: `playbook ${pb.name} ${pb.version}: ${pb.description.replace(/\.$/, "")}`, origin: { reasoner: "embedded", remedy, ...compiled.origin } };
  } catch {
    return undefined; // not applicable here (a param did not bind, a decision left nothing): the built-in remedy stands
  }
}
