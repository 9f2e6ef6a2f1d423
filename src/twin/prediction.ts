/**
 * A prediction, as zod: what playing a plan on a twin says it will do. It is written to the ledger
 * beside the plan (and later the transaction's outcome), printed by `stratus plan validate`, and
 * read back by the evals, so it is parsed at every boundary.
 *
 * verdict: "fails" — a step would not apply (admission, quota, validation), a rollout would not
 * complete within the bound, a check that passed would fail, or none of the incident's reproduced
 * failing checks would clear; "works" — every step applies, every rollout completes, nothing
 * regresses and at least one reproduced incident check clears; "uncertain" — the steps and rollouts
 * are fine but the twin could not show the incident (its failing checks did not reproduce, or are
 * read from metrics and alerts a twin has not got), or the twin could not be used at all.
 */
import { z } from "zod";

export const PREDICTION_VERDICTS = ["works", "fails", "uncertain"] as const;

export const PredictedStep = z.object({ stepId: z.string(), ok: z.boolean(), summary: z.string(), error: z.string().optional() });

export const PredictedRollout = z.object({
  /** "namespace/name" of a Deployment the plan touches. */
  deployment: z.string(),
  completed: z.boolean(),
  /** Simulated ms from the plan's last write to the rollout's completion (or to the bound). */
  ms: z.number().min(0),
  detail: z.string(),
});

/** What the twin says about one of the incident's failing checks ("check:namespace/name"). */
export const CheckOutcome = z.enum(["clears", "persists", "not-reproduced", "not-predictable"]);

export const InterruptedService = z.object({
  /** "namespace/name" of a Service. */
  service: z.string(),
  /** Simulated ms with no ready endpoint (for a caller: its callee's). */
  interruptedMs: z.number().min(0),
  /** "endpoints": its own endpoints went away; "caller": it calls one that did. */
  via: z.enum(["endpoints", "caller"]),
});

export const SuggestedWait = z.object({ deployment: z.string(), timeoutMs: z.number().int().min(0) });

export const Prediction = z.object({
  verdict: z.enum(PREDICTION_VERDICTS),
  /** Why, one line each, most important first. */
  reasons: z.array(z.string()),
  steps: z.array(PredictedStep),
  rollouts: z.array(PredictedRollout),
  checks: z.array(z.object({ key: z.string(), outcome: CheckOutcome })),
  /** Checks ("check:entity") passing on the twin before the plan and failing after it. */
  regressions: z.array(z.string()),
  blastRadius: z.object({ services: z.array(InterruptedService), size: z.number().int().min(0) }),
  /** Waits a plan should allow for its rollouts: the twin's rollout time with a margin, bounded. */
  waits: z.array(SuggestedWait),
  /** Rolled-out Deployments whose Services call one another: the plan should not roll them out at once. */
  sequence: z.array(z.object({ first: z.string(), then: z.string() })).default([]),
  /** Checks a twin cannot judge (read from metrics or alerts). */
  unpredictable: z.array(z.string()),
  /** What was copied to the twin, what could not be, and the wall ms the copy took. */
  seed: z.object({ namespaces: z.array(z.string()), copied: z.record(z.string(), z.number()), skipped: z.array(z.string()), wallMs: z.number().min(0).optional() }),
  /** Simulated ms from the plan's first write until the twin settled. */
  predictedMs: z.number().min(0),
  /** Wall ms the whole prediction took (start, seed, apply, settle). */
  wallMs: z.number().min(0),
});
export type Prediction = z.infer<typeof Prediction>;
export type PredictionVerdict = Prediction["verdict"];

/** A prediction that could not be made (no twin, or it failed): never blocks a plan. */
export function unavailablePrediction(reason: string, wallMs = 0): Prediction {
  return {
    verdict: "uncertain", reasons: [reason], steps: [], rollouts: [], checks: [], regressions: [], blastRadius: { services: [], size: 0 },
    waits: [], sequence: [], unpredictable: [], seed: { namespaces: [], copied: {}, skipped: [] }, predictedMs: 0, wallMs,
  };
}
