/**
 * guard: the policy decides, not the agent that proposed the plan. `checkPlan` is pure and reads
 * only the policy and the typed plan (its steps, their compensations and the plan's own approval
 * gate), so no text in a log or a model's answer can argue past it. A refusal is recorded with
 * every reason and becomes a failed attempt; a plan that needs a person records an approval request
 * (who may approve, until when) and goes to the approval gate — the only place that asks a person.
 */
import { blastRadiusNeed, checkPlan } from "../../core/policy.ts";
import { recordApprovalRequest } from "../approvals.ts";
import { ACTORS } from "../defaults.ts";
import type { GraphDeps } from "../deps.ts";
import { appendOnce } from "../records.ts";
import type { IncidentState, IncidentUpdate } from "../state.ts";
import { checkStop, incidentOf } from "./common.ts";

export const guardNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "guard");
  const incident = incidentOf(s);
  const p = s.proposal!;
  const decision = checkPlan(deps.policy, p.plan);
  // A plan the twin predicts interrupts more Services than the policy allows waits for a person.
  const radius = s.prediction ? blastRadiusNeed(deps.policy, s.prediction.blastRadius.size, s.prediction.blastRadius.services.map((x) => x.service)) : undefined;
  if (radius) decision.needsApproval.push(radius);
  if (!decision.allowed) {
    const reasons = decision.refusals.map((r) => `${r.stepId} (${r.action}): ${r.reason}`);
    const { created } = appendOnce(deps.ledger, incident.id, `refusal:${p.attempt}`, {
      kind: "refusal",
      actor: ACTORS.policy,
      payload: { attempt: p.attempt, digest: p.digest, refusals: decision.refusals, policy: deps.policy.source ?? "default" },
    });
    if (created) deps.onEvent?.({ type: "refused", incidentId: incident.id, reasons });
    return { policyCheck: { verdict: "refused", reasons }, failure: { outcome: "refused", reason: `refused by the policy: ${reasons.join("; ")}` } };
  }
  if (decision.needsApproval.length && !deps.dryRun) {
    const reasons = decision.needsApproval.map((n) => n.reason);
    const gate = p.plan.approval;
    recordApprovalRequest(deps.ledger, incident.id, {
      attempt: p.attempt,
      digest: p.digest,
      reasons,
      personRequired: decision.needsApproval.some((n) => n.risk !== "gate"),
      ...(decision.approvers ? { approvers: decision.approvers } : {}),
      ...(gate?.timeoutMs ? { deadline: deps.clock.now() + gate.timeoutMs, onTimeout: gate.onTimeout } : {}),
    });
    deps.onEvent?.({ type: "awaiting-approval", incidentId: incident.id, reasons });
    return { policyCheck: { verdict: "needs-approval", reasons } };
  }
  return { policyCheck: { verdict: "allowed", reasons: decision.needsApproval.map((n) => n.reason) } };
};

export const routeAfterGuard = (deps: GraphDeps) => (s: IncidentState) => {
  if (s.policyCheck?.verdict === "refused") return "reflect";
  if (s.policyCheck?.verdict === "needs-approval") return "approval";
  return deps.dryRun ? "preview" : "transact";
};
