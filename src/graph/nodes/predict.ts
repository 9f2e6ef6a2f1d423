/**
 * predict: plays the proposed plan on a twin before anything is applied (issue 15) and records the
 * prediction in the ledger beside the plan, by attempt and digest, so the outcome that follows sits
 * next to it. A plan predicted to fail is not applied: it becomes a failed attempt
 * ("predicted-to-fail") and the mitigation agent is asked for the next candidate. Everything else
 * goes on to the guard, which also reads the predicted blast radius (a shadow predictor only records). Nothing is predicted without a
 * predictor, for a plan that does not parse, or for one the policy refuses anyway (the guard records
 * that refusal). A resumed thread reuses the prediction already recorded for the attempt.
 */
import { checkPlan } from "../../core/policy.ts";
import { parsePlan, type Plan } from "../../core/plan.ts";
import { readPayloads } from "../../core/ledger/payload.ts";
import { ACTORS } from "../defaults.ts";
import type { GraphDeps } from "../deps.ts";
import { GRAPH, PLAN_TIMED, PREDICTION } from "../payloads.ts";
import { appendOncePayload } from "../records.ts";
import { digestOf } from "../../core/transaction.ts";
import { withPredictedTiming } from "../../twin/timed-plan.ts";
import type { IncidentState, IncidentUpdate } from "../state.ts";
import { unavailablePrediction, type Prediction } from "../../twin/prediction.ts";
import { predictionLine } from "../../twin/story.ts";
import { baselineOf, checkStop, errorText, incidentOf } from "./common.ts";

export const predictNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "predict");
  const incident = incidentOf(s);
  const p = s.proposal!;
  const predictor = deps.predictor;
  let plan: Plan;
  try {
    plan = parsePlan(p.plan);
  } catch {
    return { prediction: null };
  }
  if (!predictor || !checkPlan(deps.policy, plan).allowed) return { prediction: null };

  const step = `${PREDICTION}:${p.attempt}`;
  const recorded = readPayloads(deps.ledger.byIncident(incident.id), GRAPH.prediction).find(({ payload }) => payload.attempt === p.attempt && payload.digest === p.digest);
  let prediction: Prediction;
  if (recorded) prediction = recorded.payload.prediction;
  else {
    try {
      prediction = await predictor.predict({ plan, incidentChecks: incident.checks ?? [], namespaces: [incident.namespace], baselineReplicas: baselineOf(s) });
    } catch (e) {
      prediction = unavailablePrediction(`no prediction: ${errorText(e)}`);
    }
    const { created } = appendOncePayload(deps.ledger, incident.id, step, GRAPH.prediction, { actor: ACTORS.graph }, { phase: PREDICTION, attempt: p.attempt, digest: p.digest, prediction });
    if (created) deps.onEvent?.({ type: "predicted", incidentId: incident.id, attempt: p.attempt, prediction });
  }
  if (prediction.verdict === "fails" && !predictor.shadow) return { prediction, failure: { outcome: "predicted-to-fail", reason: predictionLine(prediction) } };
  if (predictor.shadow) return { prediction };
  // Timing windows: the plan's rollout waits take the twin's predicted times, and call-linked
  // rollouts are sequenced. The timed plan is a
  // new plan (its own digest, what the guard, an approval and the transaction see); the attempt
  // keeps the proposer's digest, by which a repeated proposal is recognised.
  const { plan: timedPlan, retimed, sequenced } = withPredictedTiming(plan, prediction);
  if (!retimed.length && !sequenced.length) return { prediction };
  const digest = digestOf(timedPlan);
  appendOncePayload(deps.ledger, incident.id, `${PLAN_TIMED}:${p.attempt}`, GRAPH.planTimed, { actor: ACTORS.graph }, { phase: PLAN_TIMED, attempt: p.attempt, from: p.digest, digest, waits: retimed, sequenced });
  return { prediction, proposal: { ...p, plan: timedPlan, digest, proposedDigest: p.proposedDigest ?? p.digest } };
};

export const routeAfterPredict = (s: IncidentState) => (s.failure ? "reflect" : "guard");
