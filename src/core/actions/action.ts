/**
 * The typed action vocabulary's contract. An action is the only way Stratus changes a cluster:
 * it names the objects it touches (so the transaction can snapshot them first), its risk class
 * (so the policy can ask a person), and how it is applied — the same code path with `dryRun`
 * for the server-side dry run. One file per action in this folder, registered in `registry.ts`.
 */
import type { z } from "zod";
import type { ClusterClient } from "../../kube/cluster-client.ts";
import type { KubeObject, ObjectRef } from "../../kube/types.ts";

export type RiskClass = "low" | "medium" | "high";

/** What applying (or dry-running) one action did. */
export type ActionOutcome = {
  /** The objects as the server returned them after the write (or would have, for a dry run). */
  results: KubeObject[];
  /** One line for people: "scale Deployment hotel-reservation/geo 0 → 1". */
  summary: string;
  /** Objects the action deleted (or would have, for a dry run); they have no entry in `results`. */
  deleted?: ObjectRef[];
  /** What else the action reports for the ledger (an exec action: its output and redacted stderr). */
  details?: Record<string, unknown>;
};

export type ApplyContext = {
  client: ClusterClient;
  dryRun: boolean;
  /** The time actions stamp into objects (rollout-restart's restartedAt); Date.now when absent. */
  now?: () => number;
  /** Aborted when the step is cancelled (a sibling failed): actions that can stop early do (exec kills its process). */
  signal?: AbortSignal;
};

export interface ActionDefinition<P = unknown> {
  /** The action's name in plans and playbooks, e.g. "scale", "rollout-undo". */
  readonly type: string;
  /** Strict zod schema of its params: unknown fields are refused. */
  readonly params: z.ZodType<P>;
  readonly risk: RiskClass;
  /**
   * Only a playbook compiled in this process can produce it (exec: its params carry a seal), so a
   * model is not offered it: the guard would refuse whatever it wrote.
   */
  readonly playbookOnly?: boolean;
  /** The risk of one instance, when it depends on its params (exec: as its step declares); `risk` otherwise. */
  riskOf?(params: P): RiskClass;
  /** One line describing what it will do, for plans and approvals. */
  describe(params: P): string;
  /**
   * Every object this action may create, change or delete. The transaction snapshots each one
   * (absent objects are recorded as absent, so undo deletes what the action created).
   */
  targets(params: P): ObjectRef[];
  /**
   * Applies the action, or with `dryRun` sends the same writes with dryRun=All. Reads what it
   * needs first; conflicts (409) and API errors propagate as KubeApiError for the transaction
   * to retry or abort on.
   */
  apply(params: P, ctx: ApplyContext): Promise<ActionOutcome>;
}

/** An action instance in a plan: its type and validated params. */
export type Action = { type: string; params: Record<string, unknown> };
