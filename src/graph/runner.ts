/**
 * Runs incident threads: starts one per incident (thread id = incident id), resumes one after a
 * restart, and answers an approval interrupt. Every invoke uses `durability: "sync"`, so the
 * checkpoint of each finished node is on disk before the next node starts — a process killed
 * mid-transaction resumes at `transact`, after core recovery has rolled that transaction back.
 */
import { Command, type BaseCheckpointSaver } from "@langchain/langgraph";
import type { Incident } from "../incident/types.ts";
import { DEFAULT_RECURSION_LIMIT } from "./defaults.ts";
import { GraphStopped, type GraphDeps } from "./deps.ts";
import { buildIncidentGraph, type IncidentGraph } from "./graph.ts";
import type { ApprovalQuestion } from "./nodes/approval.ts";
import type { ApprovalDecision, IncidentState } from "./state.ts";

export type RunStatus = "resolved" | "escalated" | "proposed" | "awaiting-approval" | "stopped" | "error" | "unknown";

export type RunOutcome = {
  incidentId: string;
  status: RunStatus;
  reason: string;
  /** The question a person must answer, when status is awaiting-approval. */
  question?: ApprovalQuestion;
  state?: IncidentState;
};

export class IncidentRunner {
  readonly graph: IncidentGraph;

  constructor(deps: GraphDeps, private readonly checkpointer: BaseCheckpointSaver, private readonly recursionLimit = DEFAULT_RECURSION_LIMIT) {
    this.graph = buildIncidentGraph(deps, checkpointer);
  }

  private config(incidentId: string) {
    return { configurable: { thread_id: incidentId }, durability: "sync" as const, recursionLimit: this.recursionLimit };
  }

  /** Starts the incident's thread; if it already exists (a restart), continues it instead. */
  async start(incident: Incident, baselineReplicas: Map<string, number> | Record<string, number>): Promise<RunOutcome> {
    const existing = await this.inspect(incident.id);
    if (existing.status !== "unknown") return existing.status === "stopped" ? this.resume(incident.id) : existing;
    const baseline = baselineReplicas instanceof Map ? Object.fromEntries(baselineReplicas) : baselineReplicas;
    return this.run(incident.id, { incident, baselineReplicas: baseline });
  }

  /** Continues a thread from its last checkpoint (after a crash or a stop). */
  resume(incidentId: string): Promise<RunOutcome> {
    return this.run(incidentId, null);
  }

  /** Resumes a thread paused at the approval gate with a person's decision. */
  answer(incidentId: string, decision: ApprovalDecision): Promise<RunOutcome> {
    return this.run(incidentId, new Command({ resume: decision }));
  }

  /**
   * Where a thread stands without running it: unknown (no checkpoint), stopped (unfinished, not
   * waiting for anyone), awaiting-approval, or how it ended.
   */
  async inspect(incidentId: string): Promise<RunOutcome> {
    const snap = await this.graph.getState({ configurable: { thread_id: incidentId } });
    const values = snap.values as IncidentState | undefined;
    if (!snap.createdAt || !values?.incident) return { incidentId, status: "unknown", reason: "no checkpoint for this incident" };
    const question = snap.tasks.flatMap((t) => t.interrupts ?? []).map((i) => i.value as ApprovalQuestion)[0];
    if (question) return { incidentId, status: "awaiting-approval", reason: `waiting for a person to approve attempt ${question.attempt}`, question, state: values };
    if (snap.next.length) return { incidentId, status: "stopped", reason: `unfinished at ${snap.next.join(", ")}`, state: values };
    const status: RunStatus = values.status === "open" ? "unknown" : values.status;
    return { incidentId, status, reason: values.reason, state: values };
  }

  /**
   * Drops a finished thread's checkpoints (the ledger keeps the record; checkpoints are only the
   * graph's working memory). A thread that is not finished is left alone.
   */
  async forget(incidentId: string): Promise<boolean> {
    const s = await this.inspect(incidentId);
    if (!["resolved", "escalated", "proposed"].includes(s.status)) return false;
    await this.checkpointer.deleteThread(incidentId);
    return true;
  }

  private async run(incidentId: string, input: unknown): Promise<RunOutcome> {
    try {
      await this.graph.invoke(input as never, this.config(incidentId));
    } catch (e) {
      if (e instanceof GraphStopped) return { incidentId, status: "stopped", reason: e.message };
      return { incidentId, status: "error", reason: `the incident graph failed: ${(e as Error).message}` };
    }
    return this.inspect(incidentId);
  }
}
