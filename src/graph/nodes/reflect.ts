/**
 * reflect: turns the failed attempt into an Attempt record — what was tried, for which hypothesis,
 * and why it failed — which the mitigation agent reads on the next try and must differ from. After
 * the last allowed attempt the incident is escalated.
 */
import type { Attempt } from "../../incident/types.ts";
import { ACTORS, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_PREDICTED_FAILURES } from "../defaults.ts";
import type { GraphDeps } from "../deps.ts";
import { appendOnce } from "../records.ts";
import type { IncidentState, IncidentUpdate } from "../state.ts";
import { checkStop, incidentOf, planLines } from "./common.ts";

export const reflectNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "reflect");
  const incident = incidentOf(s);
  const p = s.proposal!;
  const failure = s.failure ?? { outcome: "aborted" as const, reason: "failed for an unknown reason" };
  let lines: string[];
  try {
    lines = planLines(p.plan);
  } catch {
    lines = ["(invalid plan)"];
  }
  const external = externalOnly(s);
  const attempt: Attempt = { n: p.attempt, hypothesis: p.hypothesis.summary, plan: lines.join("\n"), planDigest: p.proposedDigest ?? p.digest, outcome: failure.outcome, reason: failure.reason, ...(external ? { external } : {}) };
  const attempts = [...s.attempts.filter((a) => a.n !== attempt.n), attempt];
  const { created } = appendOnce(deps.ledger, incident.id, `attempt:${attempt.n}`, { kind: "note", actor: ACTORS.graph, payload: { phase: "attempt-failed", attempt: attempt as unknown as Record<string, unknown> } });
  if (created) deps.onEvent?.({ type: "retry", incidentId: incident.id, attempt });
  return { attempts, proposal: null, prediction: null, policyCheck: null, decision: null, result: null, undoReport: null, failure: null };
};

/**
 * A plan predicted to fail was never applied: it does not spend one of the live attempts, but
 * predictions alone may not go on for ever (DEFAULT_MAX_PREDICTED_FAILURES).
 */
export const routeAfterReflect = (deps: GraphDeps) => (s: IncidentState) => {
  const predicted = s.attempts.filter((a) => a.outcome === "predicted-to-fail").length;
  const live = s.attempts.length - predicted;
  return live >= (deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS) || predicted >= DEFAULT_MAX_PREDICTED_FAILURES ? "escalate" : "plan";
};

/**
 * The failures that alone made this attempt fail, when every new failure after it (H1 against H0)
 * is one the transaction found external (appeared meanwhile, survived the rollback, on untouched
 * objects); undefined otherwise.
 */
function externalOnly(s: IncidentState): string[] | undefined {
  const r = s.result;
  const external = r?.restoration?.externalFailures;
  if (!r || r.outcome !== "rolled-back" || !external?.length || !r.baseline || !r.after) return undefined;
  const before = new Set(r.baseline.failing);
  const fresh = r.after.failing.filter((k) => !before.has(k));
  return fresh.length && fresh.every((k) => external.includes(k)) ? external : undefined;
}
