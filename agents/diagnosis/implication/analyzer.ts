/**
 * The implication analyzers' contract, k8sgpt style: one analyzer per object kind looks at the
 * workloads showing symptoms (with the reasons their pods and events give) and returns the objects
 * of its kind that Kubernetes links to them — a ConfigMap the pod template mounts, the Service a
 * caller dials, the NetworkPolicy that selects the pods, the quota of the namespace — each with the
 * evidence (why), how far it sits from the symptom, and whether its kind explains the reasons seen.
 * Analyzers never write and key on nothing but cluster state; they know no fault kinds.
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import type { EntityRef, Evidence, Incident } from "../../../src/incident/types.ts";
import type { ChangeTracker } from "../../observe/changes.ts";
import type { ObservationIndex } from "../../observe/lookups.ts";
import type { Observation } from "../../observe/types.ts";

/** A Deployment linked to the incident's symptoms. */
export type SymptomWorkload = {
  deployment: KubeObject;
  /** 0: a failing check names it; 1: it calls, or is called by, one that does. */
  distance: number;
  /** What its pods and events say: waiting/terminated reasons, event reasons, failing check names. */
  reasons: Set<string>;
};

export type ImplicationContext = {
  obs: Observation;
  idx: ObservationIndex;
  incident: Incident;
  namespace: string;
  onset: number;
  workloads: SymptomWorkload[];
  tracker?: ChangeTracker;
};

export type Implicated = {
  ref: EntityRef;
  /** 0: the symptom's own object or one its pods use directly; 1: one step further; 2: further. */
  distance: number;
  /**
   * How well its kind explains the reasons seen: 1 for a reason specific to it (FailedMount for a
   * ConfigMap, FailedCreate for a quota), 0.5 for a generic one (CrashLoopBackOff), 0 for none.
   */
  explains: number;
  /** The symptom workload it is linked to. */
  workload?: string;
  evidence: Evidence[];
};

export interface Analyzer {
  /** The object kind it implicates. */
  readonly kind: string;
  /** Objects of its kind linked to the symptoms; [] when none. Never writes; may throw (collected). */
  analyze(ctx: ImplicationContext): Implicated[];
}

/** True when any of `reasons` is among the workload's. */
export const hasAny = (w: SymptomWorkload, reasons: readonly string[]) => reasons.some((r) => w.reasons.has(r));

/** 1 when a reason specific to the kind is seen, 0.5 for a generic one, else 0. */
export const explainScore = (w: SymptomWorkload, specific: readonly string[], generic: readonly string[] = []) => (hasAny(w, specific) ? 1 : hasAny(w, generic) ? 0.5 : 0);

/** Names of objects of `kind` in the namespace: those observed now plus deleted ones the flight recorder remembers. */
export function knownNames(ctx: ImplicationContext, kind: string, current: KubeObject[]): string[] {
  const names = new Set(current.filter((o) => (o.metadata.namespace ?? "") === ctx.namespace).map((o) => o.metadata.name));
  for (const r of ctx.tracker?.known(kind, ctx.namespace) ?? []) names.add(r.name);
  return [...names];
}

/** The object as observed now, else its newest remembered version (deleted objects). */
export function objectOf(ctx: ImplicationContext, kind: string, name: string, current: KubeObject[]): KubeObject | undefined {
  const now = current.find((o) => (o.metadata.namespace ?? "") === ctx.namespace && o.metadata.name === name);
  if (now) return now;
  const vs = ctx.tracker?.versions(kind, ctx.namespace, name) ?? [];
  for (let i = vs.length - 1; i >= 0; i--) if (vs[i].object) return vs[i].object;
  return undefined;
}

export const ref = (kind: string, namespace: string, name: string): EntityRef => ({ kind, namespace, name });
export const podLabels = (d: KubeObject): Record<string, string> => (d.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
