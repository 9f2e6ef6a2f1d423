/**
 * The four agents' contracts. Each agent has an embedded reasoner (rules over observations, no
 * model) and may have an LLM reasoner with the same interface that falls back to the embedded one;
 * the graph (src/graph) only sees these interfaces. Agents read the cluster through read-only
 * tools and return typed data; none of them writes — writes happen only in a core transaction.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { Clock } from "../base/clock.ts";
import type { Plan } from "../core/plan.ts";
import type { TransactionResult } from "../core/transaction.ts";
import type { MetricSource, Alert } from "../telemetry/metric-source.ts";
import type { TokenCount } from "../llm/usage.ts";
import type { Attempt, Diagnosis, Hypothesis, Incident } from "./types.ts";

/** What every agent may read. Read-only by construction: nothing here can write. */
export type AgentContext = {
  client: ClusterClient;
  clock: Clock;
  /** Namespaces in scope. */
  namespaces: string[];
  metrics?: MetricSource;
  /** Alerts pushed in through the alert intake. */
  alerts?: Alert[];
  /** Desired replicas per "namespace/name" before the incident (the baseline). */
  baselineReplicas?: Map<string, number>;
};

export interface DetectionAgent {
  /**
   * Looks at the cluster now and returns an Incident when something is wrong and has stayed wrong
   * long enough (windows and hysteresis live inside: one restart or a short spike is not an
   * incident). Stateful across calls; returns null when all is well or not yet sure. Never throws
   * for a bad observation: a source that cannot be read is skipped and said so in the evidence.
   */
  observe(ctx: AgentContext): Promise<Incident | null>;
  /** Marks an incident closed, so the same problem recurring later opens a new one. */
  close(incidentId: string): void;
}

export interface DiagnosisAgent {
  /** Ranked hypotheses for the incident, best first, each with evidence and confidence. */
  diagnose(incident: Incident, ctx: AgentContext): Promise<Diagnosis>;
}

export type Proposal = { plan: Plan; hypothesis: Hypothesis; rationale: string; origin?: Record<string, unknown> };

export interface MitigationAgent {
  /**
   * A plan in the typed action vocabulary for the best hypothesis not yet ruled out. `attempts`
   * holds what was tried and why it failed (reflection): the proposal must differ from each of
   * them (a different plan digest). Null when there is nothing left to try.
   */
  propose(incident: Incident, diagnosis: Diagnosis, attempts: Attempt[], ctx: AgentContext): Promise<Proposal | null>;
}

/** What the undo agent says about a rollback: an explanation, not a verdict. */
export type UndoReview = { summary: string; details: string[] };

/** The graph's record of a rollback: the transaction's restoration verdict with the agent's explanation. */
export type UndoReport = UndoReview & { restored: boolean; escalate: boolean };

export interface UndoAgent {
  /**
   * Explains the core's compensation of a failed attempt: what was restored, how health compares.
   * Whether it was restored is the transaction's verdict (`result.restoration`), not the agent's.
   */
  review(result: TransactionResult, ctx: AgentContext): Promise<UndoReview>;
}

export type Agents = { detection: DetectionAgent; diagnosis: DiagnosisAgent; mitigation: MitigationAgent; undo: UndoAgent };

export type LlmAgentName = "diagnosis" | "mitigation" | "undo";

/** One agent call as the ledger records it. */
export type LlmAgentCall = {
  agent: LlmAgentName;
  incidentId?: string;
  txId?: string;
  reasoner: "llm" | "embedded";
  /** Why the embedded reasoner answered instead, when it did. */
  fallbackReason?: string;
  repairs: number;
  rounds: number;
  toolCalls: string[];
  tokens: TokenCount;
  /** The model asked, when one was. */
  model?: string;
  /** Dollars the call cost, when a price table names the model. */
  costUsd?: number;
};
