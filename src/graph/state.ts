/**
 * The incident graph's state: one LangGraph thread per incident (thread id = incident id), every
 * field plain JSON so the SQLite checkpointer can store it and a restarted watchdog can resume it.
 * Each field keeps the last value written (nodes return whole values, never deltas), which keeps
 * a re-run node — after a crash or an approval resume — from appending twice. Field names differ
 * from node names (LangGraph requires it): policyCheck is the guard's, decision the approval's.
 */
import { Annotation } from "@langchain/langgraph";
import type { Proposal, UndoReport } from "../incident/agent.ts";
import type { Attempt, Diagnosis, Incident } from "../incident/types.ts";
import type { TransactionResult } from "../core/transaction.ts";
import type { Prediction } from "../twin/prediction.ts";

/**
 * What the mitigation agent proposed, with its digest and the attempt number it is. After the twin
 * timed its waits, `plan`/`digest` are the timed plan's and `proposedDigest` the proposer's own.
 */
export type ProposalState = Proposal & { digest: string; attempt: number; proposedDigest?: string };

/** The guard's decision on the current proposal. */
export type GuardState = { verdict: "allowed" | "refused" | "needs-approval"; reasons: string[] };

/**
 * A person's answer to an approval request (from the CLI, HTTP, or the eval runner acting as the
 * operator), bound to the digest of the plan it answers: it approves that plan and no other.
 */
export type ApprovalDecision = { approved: boolean; by: string; note?: string; digest: string };

/** Why the current attempt failed; the reflect node turns it into an Attempt. */
export type Failure = { outcome: Attempt["outcome"]; reason: string };

export type IncidentStatus = "open" | "resolved" | "escalated" | "proposed";

const last = <T>(init: () => T) => Annotation<T>({ reducer: (_old: T, next: T) => next, default: init });

export const IncidentGraphState = Annotation.Root({
  incident: last<Incident | null>(() => null),
  /** Desired replicas per "namespace/name" before the incident: the TNR baseline. */
  baselineReplicas: last<Record<string, number>>(() => ({})),
  diagnosis: last<Diagnosis | null>(() => null),
  proposal: last<ProposalState | null>(() => null),
  /** What the twin predicted for the current proposal (null: not predicted). */
  prediction: last<Prediction | null>(() => null),
  policyCheck: last<GuardState | null>(() => null),
  decision: last<ApprovalDecision | null>(() => null),
  result: last<TransactionResult | null>(() => null),
  undoReport: last<UndoReport | null>(() => null),
  failure: last<Failure | null>(() => null),
  attempts: last<Attempt[]>(() => []),
  status: last<IncidentStatus>(() => "open"),
  /** Why the incident ended as it did, in one line. */
  reason: last<string>(() => ""),
});

export type IncidentState = typeof IncidentGraphState.State;
export type IncidentUpdate = typeof IncidentGraphState.Update;
