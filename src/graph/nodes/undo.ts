/**
 * undo: the transaction has already restored its snapshots (abort = undo); the undo agent checks
 * that restoration against the cluster and decides whether a person must take over. Its report is
 * recorded against the transaction. A transaction that escalated itself (the rollback did not
 * restore) always escalates the incident.
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
  let report: UndoReport;
  try {
    report = await deps.agents.undo.review(result, deps.context(incident, baselineOf(s)));
  } catch (e) {
    report = { restored: false, escalate: true, summary: `the undo review failed: ${errorText(e)}`, details: [] };
  }
  if (result.outcome === "escalated") report = { ...report, escalate: true };
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
