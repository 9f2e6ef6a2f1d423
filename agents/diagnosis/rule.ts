/**
 * The diagnosis reasoner's plug-in contract, k8sgpt style: a Rule looks at one Observation (with
 * the incident, its onset and the walk over the call graph) and returns the hypotheses it
 * supports, each with evidence, a confidence, and `facts` a plan binds its params from. Rules never
 * write, never throw for odd objects, and never key on anything but what the cluster shows. The
 * `remedies` fact names, best first, the fixes the mitigation reasoner knows (see REMEDIES).
 */
import type { KubeObject } from "../../src/kube/types.ts";
import type { ChangeTracker } from "../observe/changes.ts";
import type { ObservationIndex } from "../observe/lookups.ts";
import type { Observation } from "../observe/types.ts";
import type { Evidence, Hypothesis, Incident } from "../../src/incident/types.ts";
import type { Walk } from "./call-graph.ts";
import { TAXONOMY, type Finding } from "./taxonomy.ts";

export type RuleContext = {
  obs: Observation;
  idx: ObservationIndex;
  incident: Incident;
  namespace: string;
  /** Onset of the incident, ms. */
  onset: number;
  walk: Walk;
  /** Earlier versions of objects (for "what was it before?"); absent when no tracker is shared. */
  tracker?: ChangeTracker;
  baselineReplicas?: Map<string, number>;
};

export interface Rule {
  readonly name: string;
  /** Hypotheses this rule supports; [] when it sees nothing of its kind. */
  analyze(ctx: RuleContext): Hypothesis[];
}

/** Fix names the mitigation reasoner implements; a hypothesis lists the ones that apply, best first. */
export const REMEDIES = [
  "rollout-undo",
  "set-image",
  "restore-target-port",
  "restore-selector",
  "scale-back",
  "raise-memory",
  "restore-command",
  "restore-env",
  "restore-config",
  "restore-secret",
  "restore-db-user",
  "restore-probe",
  "remove-node-selector",
  "recreate-pvc",
  "delete-network-policy",
  "delete-chaos",
  "rollout-restart",
  "restore-last-good",
] as const;
export type Remedy = (typeof REMEDIES)[number];

type Facts = Hypothesis["facts"];

/** Builds a hypothesis: layer and type come from the finding's row in the taxonomy. */
export function hypothesis(h: {
  finding: Finding;
  rootCause: { kind: string; namespace: string; name: string };
  summary: string;
  confidence: number;
  evidence: Evidence[];
  facts?: Facts;
  remedies: Remedy[];
}): Hypothesis {
  const { layer, type } = TAXONOMY[h.finding];
  return {
    rootCause: h.rootCause,
    layer,
    type,
    summary: h.summary.slice(0, 500),
    confidence: Math.max(0, Math.min(1, h.confidence)),
    evidence: h.evidence.slice(0, 20).map((e) => ({ ...e, fact: e.fact.slice(0, 2000) })),
    facts: { finding: h.finding, remedies: h.remedies.join(","), ...(h.facts ?? {}) },
  };
}

export const deploymentRef = (d: KubeObject) => ({ kind: "Deployment", namespace: d.metadata.namespace ?? "", name: d.metadata.name });
export const serviceRef = (s: KubeObject) => ({ kind: "Service", namespace: s.metadata.namespace ?? "", name: s.metadata.name });
