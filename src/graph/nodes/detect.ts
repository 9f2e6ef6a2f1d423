/**
 * detect: the graph's entry. The watchdog's detection loop found an Incident and started this
 * thread with it; the node validates it (zod: it may come back from a checkpoint or an alert),
 * records it in the ledger with the pre-incident replica baseline, and tells the story's first line.
 */
import { Incident } from "../../incident/types.ts";
import { ACTORS } from "../defaults.ts";
import type { GraphDeps } from "../deps.ts";
import { GRAPH } from "../payloads.ts";
import { appendOncePayload } from "../records.ts";
import type { IncidentState, IncidentUpdate } from "../state.ts";
import { checkStop, incidentOf, ledgerRefs } from "./common.ts";

export const detectNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "detect");
  const incident = Incident.parse(incidentOf(s));
  const { created } = appendOncePayload(deps.ledger, incident.id, "incident", GRAPH.incident, {
    actor: ACTORS.detection,
    objectRefs: ledgerRefs(incident.evidence.map((e) => e.entity)),
  }, { step: "incident", incident, baselineReplicas: s.baselineReplicas });
  if (created) deps.onEvent?.({ type: "detected", incident });
  return { incident, status: "open" };
};
