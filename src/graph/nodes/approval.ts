/**
 * approval: the human gate, a LangGraph interrupt — the one place in Stratus that asks a person.
 * The thread pauses here (checkpointed) until an answer arrives through `stratus approve`,
 * `POST /approvals/{incident}`, the gate's timeout, or the eval runner acting as the operator; each
 * is recorded in the ledger first and resumes the thread with it. The node re-runs from its start
 * on resume, so everything it writes comes after the interrupt and is written once (appendOnce).
 * A decision already in the ledger (given while the watchdog was down) is used without pausing.
 * A decision binds to the digest of the plan it answers: one given for another plan is a rejection.
 */
import { interrupt } from "@langchain/langgraph";
import { z } from "zod";
import { decisionFor, decisionStep, GATE_TIMEOUT } from "../approvals.ts";
import type { GraphDeps } from "../deps.ts";
import { appendOnce } from "../records.ts";
import type { ApprovalDecision, IncidentState, IncidentUpdate } from "../state.ts";
import { checkStop, incidentOf } from "./common.ts";

const Decision = z.object({ approved: z.boolean(), by: z.string().min(1), note: z.string().optional(), digest: z.string() });

/** What the interrupt shows whoever is asked. */
export type ApprovalQuestion = {
  incidentId: string;
  attempt: number;
  digest: string;
  plan: string[];
  reasons: string[];
  /** Who may answer, when the plan names its approvers. */
  approvers?: string[];
  /** Clock ms after which the gate answers by itself (its onTimeout). */
  deadline?: number;
};

export const approvalNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "approval");
  const incident = incidentOf(s);
  const p = s.proposal!;
  const gate = p.plan.approval;
  const question: ApprovalQuestion = {
    incidentId: incident.id,
    attempt: p.attempt,
    digest: p.digest,
    plan: (p.plan.steps ?? []).map((st) => st.id),
    reasons: s.policyCheck?.reasons ?? [],
    ...(gate?.approvers.length ? { approvers: gate.approvers } : {}),
  };
  const given: ApprovalDecision = decisionFor(deps.ledger, incident.id, p.attempt) ?? Decision.parse(interrupt(question));
  const decision = bound(given, p.digest, gate?.approvers);
  // Normally already recorded by whoever answered (recordDecision); a no-op then.
  appendOnce(deps.ledger, incident.id, decisionStep(p.attempt), {
    kind: "approval",
    actor: given.by === GATE_TIMEOUT ? "core:policy" : `person:${given.by}`,
    payload: { phase: "decision", attempt: p.attempt, digest: given.digest, decision: given.approved ? "approved" : "rejected", by: given.by, ...(given.note ? { note: given.note } : {}) },
  });
  deps.onEvent?.({ type: "approval", incidentId: incident.id, approved: decision.approved, by: decision.by });
  if (decision.approved) return { decision };
  return { decision, failure: { outcome: "refused", reason: `rejected by ${decision.by}${decision.note ? `: ${decision.note}` : ""}` } };
};

/** The decision as it applies to this plan: one for another digest, or by someone not named, rejects. */
function bound(d: ApprovalDecision, digest: string, approvers: string[] | undefined): ApprovalDecision {
  if (d.digest !== digest) return { ...d, approved: false, note: `the answer by ${d.by} was for another plan (${d.digest.slice(0, 19)}…), not this one` };
  if (d.approved && approvers?.length && d.by !== GATE_TIMEOUT && !approvers.includes(d.by)) return { ...d, approved: false, note: `${d.by} is not among the plan's approvers (${approvers.join(", ")})` };
  return d;
}

export const routeAfterApproval = (deps: GraphDeps) => (s: IncidentState) => {
  if (!s.decision?.approved) return "reflect";
  return deps.dryRun ? "preview" : "transact";
};
