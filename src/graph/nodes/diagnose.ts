/**
 * diagnose: asks the diagnosis agent for ranked hypotheses and records them. An agent that throws
 * or answers something that does not parse is not a crash of the graph: the incident goes to a
 * person (escalate) with the error as the reason.
 */
import { Diagnosis } from "../../incident/types.ts";
import { ACTORS } from "../defaults.ts";
import type { GraphDeps } from "../deps.ts";
import { GRAPH } from "../payloads.ts";
import { appendOncePayload } from "../records.ts";
import type { IncidentState, IncidentUpdate } from "../state.ts";
import { baselineOf, checkStop, errorText, incidentOf, ledgerRefs } from "./common.ts";

export const diagnoseNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "diagnose");
  const incident = incidentOf(s);
  let diagnosis: Diagnosis;
  try {
    diagnosis = Diagnosis.parse(await deps.agents.diagnosis.diagnose(incident, deps.context(incident, baselineOf(s))));
  } catch (e) {
    return { diagnosis: null, failure: { outcome: "no-plan", reason: `diagnosis failed: ${errorText(e)}` } };
  }
  const best = diagnosis.hypotheses[0];
  const { created } = appendOncePayload(deps.ledger, incident.id, "diagnosis", GRAPH.diagnosis, {
    actor: ACTORS.diagnosis,
    objectRefs: ledgerRefs(diagnosis.hypotheses.map((h) => h.rootCause)),
  }, { diagnosis });
  if (created) deps.onEvent?.({ type: "diagnosed", incidentId: incident.id, diagnosis, ...(best ? { best } : {}) });
  return { diagnosis, failure: null };
};

export const routeAfterDiagnose = (s: IncidentState) => (s.diagnosis ? "plan" : "escalate");
