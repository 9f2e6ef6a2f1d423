/**
 * Timing windows from a prediction (issue 15, item 4): a plan's waits for a Deployment to become
 * available take the twin's predicted rollout time — with a margin, bounded, as `Prediction.waits`
 * gives it — instead of the constant its proposer wrote. Shorter when the rollout is quick, so a
 * plan that does not help is rolled back sooner; longer when it is slow, so a right one is not cut
 * off. Wait steps and steps' postconditions are both timed; nothing else in the plan changes.
 */
import type { Plan, Step, StepCondition } from "../core/plan.ts";
import type { WaitCondition } from "../core/wait.ts";
import type { Prediction } from "./prediction.ts";

export type RetimedWait = { step: string; deployment: string; fromMs: number; toMs: number };

export function withPredictedWaits(plan: Plan, waits: Prediction["waits"]): { plan: Plan; retimed: RetimedWait[] } {
  const predicted = new Map(waits.map((w) => [w.deployment, w.timeoutMs]));
  const retimed: RetimedWait[] = [];
  const timed = (stepId: string, until: WaitCondition, fromMs: number): number => {
    // A condition with no timeout is checked once, not waited for: it stays so.
    if (!("deploymentAvailable" in until) || fromMs <= 0) return fromMs;
    const deployment = `${until.deploymentAvailable.namespace}/${until.deploymentAvailable.name}`;
    const toMs = predicted.get(deployment);
    if (toMs === undefined || toMs === fromMs) return fromMs;
    retimed.push({ step: stepId, deployment, fromMs, toMs });
    return toMs;
  };
  const condition = (stepId: string, c: StepCondition | undefined): StepCondition | undefined => (c ? { ...c, timeoutMs: timed(stepId, c.until, c.timeoutMs) } : c);
  const steps = plan.steps.map((s): Step => {
    if ("wait" in s) return { ...s, wait: { ...s.wait, timeoutMs: timed(s.id, s.wait.until, s.wait.timeoutMs) } };
    const post = condition(s.id, s.postcondition);
    return post ? { ...s, postcondition: post } : s;
  });
  return { plan: retimed.length ? { ...plan, steps } : plan, retimed };
}
