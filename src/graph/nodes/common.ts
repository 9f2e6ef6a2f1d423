/**
 * Helpers the graph's nodes share: the stop check every node begins with, a plan's steps as one
 * line each (for the story, the ledger and the Attempt record), the object refs an entry names,
 * and the baseline replica map rebuilt from state.
 */
import type { EntityRef } from "../../incident/types.ts";
import { describeAction } from "../../core/actions/registry.ts";
import { MAX_OBJECT_REFS } from "../../core/ledger/defaults.ts";
import type { ObjectRef as LedgerRef } from "../../core/ledger/index.ts";
import { isActionStep, type Plan } from "../../core/plan.ts";
import { describeWait } from "../../core/wait.ts";
import { GraphStopped, type GraphDeps } from "../deps.ts";
import type { IncidentState } from "../state.ts";

export function checkStop(deps: GraphDeps, node: string): void {
  if (deps.shouldStop?.()) throw new GraphStopped(node);
}

/** "update-service ..." per action step, "wait until ..." per wait step. */
export function planLines(plan: Plan): string[] {
  return plan.steps.map((s) => {
    if (!isActionStep(s)) return `wait until ${describeWait(s.wait.until)}`;
    try {
      return `${s.action.type}: ${describeAction(s.action)}`;
    } catch {
      return `${String((s.action as { type?: unknown }).type)} (invalid)`;
    }
  });
}

/** Distinct ledger object refs for entities (cluster-scoped ones without a namespace). */
export function ledgerRefs(entities: Array<EntityRef | undefined>): LedgerRef[] {
  const seen = new Map<string, LedgerRef>();
  for (const e of entities) {
    if (!e) continue;
    const ref: LedgerRef = { kind: e.kind, ...(e.namespace ? { namespace: e.namespace } : {}), name: e.name };
    seen.set(`${ref.kind}/${ref.namespace ?? ""}/${ref.name}`, ref);
  }
  return [...seen.values()].slice(0, MAX_OBJECT_REFS);
}

export const baselineOf = (s: IncidentState) => new Map(Object.entries(s.baselineReplicas ?? {}));

/** The incident from state; a node that runs without one is a bug in the graph's wiring. */
export function incidentOf(s: IncidentState) {
  if (!s.incident) throw new Error("incident graph: a node ran without an incident in its state");
  return s.incident;
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
