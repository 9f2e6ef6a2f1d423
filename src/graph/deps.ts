/**
 * What the incident graph needs from outside, injected: the agents, a way to build an agent
 * context for an incident, the ledger, the cluster client and writer lock for transactions, a
 * health probe factory, the policy, and an event sink for the terminal story and metrics. Nodes
 * read only this and their state; the only cluster writes happen inside runTransaction.
 */
import type { AgentContext, Agents } from "../incident/agent.ts";
import type { Attempt, Diagnosis, Hypothesis, Incident } from "../incident/types.ts";
import type { Clock } from "../base/clock.ts";
import type { ObjectRef } from "../kube/types.ts";
import type { LedgerStore } from "../core/ledger/index.ts";
import type { WriterLock } from "../core/lock.ts";
import type { Policy } from "../core/policy.ts";
import type { HealthProbe, TransactionResult, TransactionSettings } from "../core/transaction.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { DryRunStep } from "../core/plan.ts";
import type { PlanPredictor } from "../twin/predictor.ts";
import type { Prediction } from "../twin/prediction.ts";

export type GraphDeps = {
  agents: Agents;
  /** A fresh read-only context for an incident's agents (alerts and baseline as of now). */
  context(incident: Incident, baselineReplicas: Map<string, number>): AgentContext;
  ledger: LedgerStore;
  client: ClusterClient;
  clock: Clock;
  lock: WriterLock;
  /**
   * The health probe a transaction for this incident measures H0, H1 and H2 with. `targets` are the
   * objects the plan touches: verification measures their namespaces too, not only the watched ones.
   */
  health(incident: Incident, baselineReplicas: Map<string, number>, targets?: readonly ObjectRef[]): HealthProbe;
  policy: Policy;
  /** Mitigation attempts before escalation (default DEFAULT_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /** Diagnose and propose, never write: the plan is dry-run on the server and recorded. */
  dryRun?: boolean;
  transactionSettings?: Partial<TransactionSettings>;
  /**
   * Plays each plan on a twin before it is applied (issue 15). A plan predicted to fail is not
   * applied; the next candidate is asked for. Absent: no prediction.
   */
  predictor?: PlanPredictor;
  /** Story and metrics: called synchronously as each step happens. Must not throw. */
  onEvent?(event: GraphEvent): void;
  /** Checked before each node: when it returns true the node stops the run (it resumes on restart). */
  shouldStop?(): boolean;
  /** Test seam passed to runTransaction (crash tests kill the process at a named protocol step). */
  onTransactionStep?(step: string, txId: string): void | Promise<void>;
};

export type GraphEvent =
  | { type: "detected"; incident: Incident }
  | { type: "diagnosed"; incidentId: string; diagnosis: Diagnosis; best?: Hypothesis }
  | { type: "plan"; incidentId: string; attempt: number; lines: string[]; hypothesis: string; digest: string }
  | { type: "no-plan"; incidentId: string; reason: string }
  | { type: "predicted"; incidentId: string; attempt: number; prediction: Prediction }
  | { type: "refused"; incidentId: string; reasons: string[] }
  | { type: "awaiting-approval"; incidentId: string; reasons: string[] }
  | { type: "approval"; incidentId: string; approved: boolean; by: string }
  | { type: "applied"; incidentId: string; txId: string; summary: string }
  | { type: "verified"; incidentId: string; txId: string; ok: boolean; reason: string }
  | { type: "transaction"; incidentId: string; result: TransactionResult }
  | { type: "undo"; incidentId: string; restored: boolean; summary: string }
  | { type: "retry"; incidentId: string; attempt: Attempt }
  | { type: "dry-run"; incidentId: string; steps: DryRunStep[] }
  | { type: "resolved"; incidentId: string; txId: string; reason: string }
  | { type: "escalated"; incidentId: string; reason: string };

/** Thrown by a node when shouldStop() says the watchdog is shutting down; the thread resumes later. */
export class GraphStopped extends Error {
  constructor(readonly node: string) {
    super(`the incident graph stopped before ${node}: the watchdog is shutting down; it resumes on restart`);
    this.name = "GraphStopped";
  }
}
