/**
 * A remedy turns one hypothesis into plan steps in the typed action vocabulary — one remedy per
 * kind of fix the diagnosis rules name in `facts.remedies` ("rollout-undo", "restore-secret"...).
 * Builders read the hypothesis' facts, may read the cluster (read-only) for the object as it is
 * now, and may ask the change tracker for a value an object had before the onset. They return
 * nothing when the facts do not support the fix (no previous revision, no known good value).
 */
import type { WaitCondition } from "../../src/core/wait.ts";
import type { PlanApproval, Step } from "../../src/core/plan.ts";
import type { AgentContext } from "../../src/incident/agent.ts";
import type { ChangeTracker } from "../observe/changes.ts";
import type { Remedy } from "../diagnosis/rule.ts";
import type { Hypothesis, Incident } from "../../src/incident/types.ts";

export type RemedyContext = {
  h: Hypothesis;
  incident: Incident;
  ctx: AgentContext;
  tracker?: ChangeTracker;
  /** The incident's onset, ms. */
  onset: number;
  namespace: string;
};

/** Steps and why; `approval` when the fix needs a person whatever the policy says (a person's change reverted). */
export type Draft = { steps: Step[]; rationale: string; approval?: PlanApproval };

export interface RemedyBuilder {
  readonly name: Remedy;
  /** Steps for the fix, or undefined when the facts do not support it. Never writes. */
  build(rc: RemedyContext): Promise<Draft | undefined>;
}

/** Deployments take this long to roll out in a plan's wait (a generous bound: a failed wait aborts). */
export const ROLLOUT_WAIT_MS = 180_000;
export const ENDPOINTS_WAIT_MS = 90_000;

export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);

export const waitStep = (id: string, until: WaitCondition, after: string[], timeoutMs = ROLLOUT_WAIT_MS): Step => ({ id, wait: { until, timeoutMs }, after });

/** "Wait until the Deployment has rolled out", after the given steps. */
export const rolledOut = (namespace: string, name: string, after: string[]): Step => waitStep(`wait-${name}`.slice(0, 63), { deploymentAvailable: { namespace, name } }, after);
