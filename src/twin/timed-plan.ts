/**
 * Timing windows from a prediction (issue 15, item 4): a plan's waits for a Deployment to become
 * available take the twin's predicted rollout time — with a margin, bounded, as `Prediction.waits`
 * gives it — instead of the constant its proposer wrote. Shorter when the rollout is quick, so a
 * plan that does not help is rolled back sooner; longer when it is slow, so a right one is not cut
 * off. Wait steps and steps' postconditions are both timed. And rollouts of Deployments whose
 * Services call one another (`Prediction.sequence`) are sequenced: the later one waits until the
 * earlier one's Deployment is available again, so the chain is never cut at both ends at once.
 * Nothing else in the plan changes.
 */
import { actionTargets } from "../core/actions/registry.ts";
import type { Plan, Step, StepCondition, WaitStep } from "../core/plan.ts";
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

export type SequencedRollout = { first: string; then: string; wait: string };

/** The waits timed (above) and the call-linked rollouts sequenced. */
export function withPredictedTiming(plan: Plan, prediction: Pick<Prediction, "waits" | "sequence">): { plan: Plan; retimed: RetimedWait[]; sequenced: SequencedRollout[] } {
  const { plan: timed, retimed } = withPredictedWaits(plan, prediction.waits);
  const { plan: out, sequenced } = sequenceRollouts(timed, prediction.sequence ?? [], prediction.waits);
  return { plan: out, retimed, sequenced };
}

/** Default wait for a sequenced rollout the twin gave no time for. */
const SEQUENCE_WAIT_MS = 120_000;

function sequenceRollouts(plan: Plan, pairs: Prediction["sequence"], waits: Prediction["waits"]): { plan: Plan; sequenced: SequencedRollout[] } {
  // Plans with explicit stage numbers are laid out by hand: leave them as proposed.
  if (!pairs.length || plan.steps.some((s) => s.stage !== undefined)) return { plan, sequenced: [] };
  const stepsOf = (deployment: string) => plan.steps.filter((s) => "action" in s && actionTargets(s.action).some((t) => t.kind === "Deployment" && `${t.namespace}/${t.name}` === deployment)).map((s) => s.id);
  const predicted = new Map(waits.map((w) => [w.deployment, w.timeoutMs]));
  const ids = new Set(plan.steps.map((s) => s.id));
  const added: WaitStep[] = [];
  const extraAfter = new Map<string, string[]>();
  const sequenced: SequencedRollout[] = [];
  for (const { first, then } of pairs) {
    const [a, b] = [stepsOf(first), stepsOf(then)];
    if (!a.length || !b.length || a.some((x) => b.includes(x))) continue; // one step rolls out both: nothing to order
    const [namespace, name] = first.split("/");
    let id = `sequence-after-${name}`;
    for (let k = 2; ids.has(id); k++) id = `sequence-after-${name}-${k}`;
    ids.add(id);
    added.push({ id, after: a, wait: { until: { deploymentAvailable: { namespace, name } }, timeoutMs: predicted.get(first) ?? SEQUENCE_WAIT_MS } });
    for (const step of b) extraAfter.set(step, [...(extraAfter.get(step) ?? []), id]);
    sequenced.push({ first, then, wait: id });
  }
  if (!sequenced.length) return { plan, sequenced };
  const steps = plan.steps.map((s): Step => (extraAfter.has(s.id) ? { ...s, after: [...new Set([...(s.after ?? []), ...extraAfter.get(s.id)!])] } : s));
  return { plan: { ...plan, steps: [...steps, ...added] }, sequenced };
}
