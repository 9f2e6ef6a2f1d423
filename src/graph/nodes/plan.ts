/**
 * plan: asks the mitigation agent for a plan, handing it every failed attempt so far (reflection).
 * The plan must differ from every attempt already made (by digest); nothing is applied here. No
 * plan, or the same plan again, means the agent has nothing left to try: the incident is escalated.
 * A plan whose actions do not parse goes on to the guard, which refuses it with its reasons on record
 * (so "delete the Namespace" is a recorded refusal); one without even a plan's shape counts as a
 * failed attempt directly. Either way the agent hears why on the next try.
 */
import { parsePlan, planTargets, type Plan } from "../../core/plan.ts";
import { digestOf } from "../../core/transaction.ts";
import { ACTORS } from "../defaults.ts";
import type { GraphDeps } from "../deps.ts";
import { appendOnce } from "../records.ts";
import type { IncidentState, IncidentUpdate } from "../state.ts";
import { baselineOf, checkStop, errorText, incidentOf, planLines } from "./common.ts";

export const planNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "plan");
  const incident = incidentOf(s);
  const n = s.attempts.length + 1;
  const cleared: IncidentUpdate = { proposal: null, prediction: null, policyCheck: null, decision: null, result: null, undoReport: null, failure: null };
  const noPlan = (reason: string): IncidentUpdate => {
    const { created } = appendOnce(deps.ledger, incident.id, `plan:${n}`, { kind: "note", actor: ACTORS.mitigation, payload: { phase: "no-plan", attempt: n, reason } });
    if (created) deps.onEvent?.({ type: "no-plan", incidentId: incident.id, reason });
    return { ...cleared, failure: { outcome: "no-plan", reason } };
  };

  let proposal;
  try {
    proposal = await deps.agents.mitigation.propose(incident, s.diagnosis!, s.attempts, deps.context(incident, baselineOf(s)));
  } catch (e) {
    return noPlan(`the mitigation agent failed: ${errorText(e)}`);
  }
  if (!proposal) return noPlan(s.attempts.length ? `nothing left to try after ${s.attempts.length} failed attempt(s)` : "the mitigation agent has no plan for this diagnosis");

  // A plan that does not parse still goes to the guard, which refuses it with its reasons on
  // record: a forbidden action (delete a Namespace) is a refusal, not a silent repair.
  let plan: Plan;
  let valid = true;
  try {
    plan = parsePlan(proposal.plan);
  } catch (e) {
    if (!hasPlanShape(proposal.plan)) {
      const reason = `the proposed plan is invalid: ${errorText(e)}`;
      appendOnce(deps.ledger, incident.id, `plan:${n}`, { kind: "plan", actor: ACTORS.mitigation, payload: { attempt: n, valid: false, reason, hypothesis: proposal.hypothesis.summary } });
      return { ...cleared, proposal: { ...proposal, digest: "invalid", attempt: n }, failure: { outcome: "refused", reason } };
    }
    plan = proposal.plan;
    valid = false;
  }
  const digest = digestOf(plan);
  // A plan may run again only once, and only when its one try failed on failures that were not its doing.
  const same = s.attempts.filter((a) => a.planDigest === digest);
  const repeat = same.length === 1 && same[0].external?.length ? undefined : same[0];
  if (repeat) return noPlan(`the mitigation agent proposed the plan of attempt ${repeat.n} again (${repeat.outcome}: ${repeat.reason})`);

  const lines = planLines(plan);
  const { created } = appendOnce(deps.ledger, incident.id, `plan:${n}`, {
    kind: "plan",
    actor: ACTORS.mitigation,
    objectRefs: valid ? planTargets(plan).map((r) => ({ kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name })) : [],
    payload: {
      attempt: n,
      ...(valid ? {} : { valid: false }),
      digest,
      plan: plan as unknown as Record<string, unknown>,
      lines,
      hypothesis: proposal.hypothesis.summary,
      rationale: proposal.rationale,
      ...(proposal.origin ? { origin: proposal.origin } : {}),
    },
  });
  if (created) deps.onEvent?.({ type: "plan", incidentId: incident.id, attempt: n, lines, hypothesis: proposal.hypothesis.summary, digest });
  return { ...cleared, proposal: { ...proposal, plan, digest, attempt: n } };
};

export const routeAfterPlan = (s: IncidentState) => {
  if (s.failure) return s.failure.outcome === "no-plan" ? "escalate" : "reflect";
  return "predict";
};

/** Steps with ids and an action or a wait: enough for the guard to judge each action. */
function hasPlanShape(p: unknown): p is Plan {
  const steps = (p as { steps?: unknown })?.steps;
  return Array.isArray(steps) && steps.length > 0 && steps.every((x) => x && typeof x === "object" && typeof (x as { id?: unknown }).id === "string" && ("action" in x || "wait" in x));
}
