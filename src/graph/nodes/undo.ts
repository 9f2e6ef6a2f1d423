/**
 * undo: the transaction has already restored its snapshots (abort = undo) and returned the one
 * restoration verdict (`result.restoration`): every object back as snapshotted and health no worse
 * than the baseline — or not, in which case it escalated. This node acts on that verdict and asks
 * the undo agent only to explain what happened (for the ledger, the story and the next attempt's
 * reflection); the agent does not judge the restoration again.
 */
import type { UndoReport } from "../../incident/agent.ts";
import { ACTORS } from "../defaults.ts";
import type { GraphDeps } from "../deps.ts";
import { appendOnce } from "../records.ts";
import type { IncidentState, IncidentUpdate } from "../state.ts";
import { baselineOf, checkStop, errorText, incidentOf } from "./common.ts";

export const undoNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "undo");
  const incident = incidentOf(s);
  const result = s.result!;
  const restored = result.outcome !== "escalated" && (result.restoration?.restored ?? true);
  let review: Pick<UndoReport, "summary" | "details">;
  try {
    review = await deps.agents.undo.review(result, deps.context(incident, baselineOf(s)));
  } catch (e) {
    review = { summary: `the undo review could not explain the rollback: ${errorText(e)}`, details: [] };
  }
  const problems = result.restoration?.problems ?? (restored ? [] : [result.reason]);
  const report: UndoReport = { restored, escalate: !restored, summary: review.summary, details: [...problems.map((p) => `not restored: ${p}`), ...review.details] };
  const { created } = appendOnce(deps.ledger, incident.id, `undo-review:${s.proposal?.attempt ?? 0}`, {
    kind: "undo",
    actor: ACTORS.undo,
    txId: result.txId,
    payload: { phase: "review", ...report },
  });
  if (created) deps.onEvent?.({ type: "undo", incidentId: incident.id, restored: report.restored, summary: report.summary });
  return { undoReport: report };
};

export const routeAfterUndo = (s: IncidentState) => (s.undoReport?.escalate ? "escalate" : "reflect");
