/**
 * approval: the human gate, a LangGraph interrupt. The thread pauses here (checkpointed) until a
 * person answers through `stratus approve` or `POST /approvals/{incident}`, which record the
 * decision in the ledger and resume the thread with it. The node re-runs from its start on resume,
 * so everything it writes comes after the interrupt and is written once (appendOnce). A decision
 * already in the ledger (given while the watchdog was down) is used without pausing.
 */
import { interrupt } from "@langchain/langgraph";
import { z } from "zod";
import { decisionFor, decisionStep } from "../approvals.ts";
import type { GraphDeps } from "../deps.ts";
import { appendOnce } from "../records.ts";
import type { ApprovalDecision, IncidentState, IncidentUpdate } from "../state.ts";
import { checkStop, incidentOf } from "./common.ts";

const Decision = z.object({ approved: z.boolean(), by: z.string().min(1), note: z.string().optional() });

/** What the interrupt shows whoever is asked. */
export type ApprovalQuestion = { incidentId: string; attempt: number; digest: string; plan: string[]; reasons: string[] };

export const approvalNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "approval");
  const incident = incidentOf(s);
  const p = s.proposal!;
  const question: ApprovalQuestion = {
    incidentId: incident.id,
    attempt: p.attempt,
    digest: p.digest,
    plan: (p.plan.steps ?? []).map((st) => st.id),
    reasons: s.policyCheck?.reasons ?? [],
  };
  const decision: ApprovalDecision = decisionFor(deps.ledger, incident.id, p.attempt) ?? Decision.parse(interrupt(question));
  appendOnce(deps.ledger, incident.id, decisionStep(p.attempt), {
    kind: "approval",
    actor: `person:${decision.by}`,
    payload: { phase: "decision", attempt: p.attempt, digest: p.digest, decision: decision.approved ? "approved" : "rejected", by: decision.by, ...(decision.note ? { note: decision.note } : {}) },
  });
  deps.onEvent?.({ type: "approval", incidentId: incident.id, approved: decision.approved, by: decision.by });
  if (decision.approved) return { decision: decision };
  return { decision: decision, failure: { outcome: "refused", reason: `rejected by ${decision.by}${decision.note ? `: ${decision.note}` : ""}` } };
};

export const routeAfterApproval = (deps: GraphDeps) => (s: IncidentState) => {
  if (!s.decision?.approved) return "reflect";
  return deps.dryRun ? "preview" : "transact";
};
