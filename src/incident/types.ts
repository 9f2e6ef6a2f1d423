/**
 * The typed messages the four agents pass along the graph, as zod schemas (they are parsed at the
 * boundary: an LLM's answer, a checkpoint read back, an HTTP body) with plain types inferred for
 * use inside. Detection → Incident; diagnosis → Diagnosis (ranked hypotheses); mitigation → a Plan
 * (src/core/plan.ts) with the hypothesis it addresses; undo → an UndoReport. Attempts carry the
 * reflection the mitigation agent reads on a retry.
 */
import { z } from "zod";
import type { ObjectAddress, SameShape } from "../kube/types.ts";

export const EntityRef = z.strictObject({
  kind: z.string().min(1), // Deployment, Service, ConfigMap, Secret, PersistentVolumeClaim, NetworkPolicy, NetworkChaos, Node...
  namespace: z.string().optional(),
  name: z.string().min(1),
});
export type EntityRef = ObjectAddress;
const _entityRefIsTheAddress: SameShape<z.infer<typeof EntityRef>, ObjectAddress> = true;

export const Layer = z.enum(["application", "virtualization", "network", "storage"]);
export type Layer = z.infer<typeof Layer>;

export const FaultType = z.enum(["misconfiguration", "operation-error", "authentication", "dependency", "code-defect", "resource"]);
export type FaultType = z.infer<typeof FaultType>;

export const Severity = z.enum(["warning", "critical"]);

/** One observed fact, with where it came from, so a person can check it. */
export const Evidence = z.strictObject({
  source: z.enum(["pod-status", "event", "log", "metric", "spec", "endpoints", "history", "alert", "health"]),
  entity: EntityRef.optional(),
  fact: z.string().min(1).max(2000),
});
export type Evidence = z.infer<typeof Evidence>;

export const Incident = z.strictObject({
  id: z.string().min(1),
  namespace: z.string().min(1),
  openedAt: z.string(), // RFC 3339, clock time
  /** When the symptoms began, as far as the signals tell (first failing sample). */
  onsetAt: z.string(),
  severity: Severity,
  /** Failing health results ("check:entity") and other symptoms in words. */
  symptoms: z.array(z.string()).min(1),
  /** Services (Deployments) showing the symptoms. */
  affected: z.array(z.string()),
  evidence: z.array(Evidence),
  /** A stable key for "the same problem", so one problem keeps one open incident. */
  fingerprint: z.string().min(1),
  /** The failing health results ("check:namespace/name", as in HealthReport.failing) it was opened on. */
  checks: z.array(z.string().min(1)).optional(),
});
export type Incident = z.infer<typeof Incident>;

export const Hypothesis = z.strictObject({
  rootCause: EntityRef,
  layer: Layer,
  type: FaultType,
  /** What is wrong, in one line: "Service rate targets port 9999, which no pod serves". */
  summary: z.string().min(1),
  confidence: z.number().min(0).max(1),
  evidence: z.array(Evidence),
  /** Structured findings the mitigation reasoner or a playbook binds params from (e.g. servedPort, previousRevision). */
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
});
export type Hypothesis = z.infer<typeof Hypothesis>;

export const Diagnosis = z.strictObject({
  incidentId: z.string(),
  hypotheses: z.array(Hypothesis), // ranked, best first
  /** The path walked over the inferred call graph, symptom first. */
  path: z.array(z.string()).default([]),
  reasoner: z.enum(["embedded", "llm"]),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

/** What happened to one mitigation attempt: fed back to the mitigation agent on the next try. */
export const Attempt = z.strictObject({
  n: z.number().int().min(1),
  hypothesis: z.string(), // summary of the hypothesis acted on
  plan: z.string(), // one line per action
  planDigest: z.string(),
  /** "predicted-to-fail": played on a twin first and predicted to fail, so never applied live. */
  outcome: z.enum(["committed", "rolled-back", "aborted", "escalated", "refused", "needs-approval", "no-plan", "stale", "predicted-to-fail"]),
  reason: z.string(),
  /**
   * Failures that made the attempt look like a regression but were not its doing: they appeared
   * during it, survived its rollback, and sit on objects it did not touch (a fault that landed or
   * was unmasked meanwhile). Such an attempt's plan may be proposed once more, from the new baseline.
   */
  external: z.array(z.string()).optional(),
});
export type Attempt = z.infer<typeof Attempt>;
