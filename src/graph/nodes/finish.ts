/**
 * The three ways an incident's thread ends, each closing it in the ledger with a note (phase
 * "closed") so `openIncidents` stops listing it: resolve (a transaction committed), escalate (a
 * person must take over: no plan left, N attempts failed, or a rollback did not restore), and
 * preview (--dry-run: the plan is dry-run on the server and recorded, never applied).
 */
import { dryRunPlan, parsePlan } from "../../core/plan.ts";
import { ACTORS, DEFAULT_MAX_ATTEMPTS } from "../defaults.ts";
import type { GraphDeps } from "../deps.ts";
import { GRAPH } from "../payloads.ts";
import { appendOnce, appendOncePayload, CLOSED } from "../records.ts";
import type { IncidentState, IncidentUpdate } from "../state.ts";
import { checkStop, errorText, incidentOf } from "./common.ts";

export const resolveNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "resolve");
  const incident = incidentOf(s);
  const r = s.result!;
  const reason = `transaction ${r.txId} committed on attempt ${s.proposal?.attempt ?? "?"}: ${r.reason}`;
  const { created } = appendOncePayload(deps.ledger, incident.id, "closed", GRAPH.closed, { actor: ACTORS.graph, txId: r.txId }, { phase: CLOSED, status: "resolved", reason, attempts: s.proposal?.attempt ?? s.attempts.length + 1 });
  if (created) deps.onEvent?.({ type: "resolved", incidentId: incident.id, txId: r.txId, reason });
  return { status: "resolved", reason };
};

export const escalateNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "escalate");
  const incident = incidentOf(s);
  const max = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const why = s.undoReport?.escalate
    ? `the rollback needs a person: ${s.undoReport.summary}`
    : s.failure?.outcome === "no-plan"
      ? s.failure.reason
      : s.attempts.length >= max
        ? `${s.attempts.length} attempt(s) failed, the most allowed`
        : s.failure?.reason ?? "escalated";
  const tried = s.attempts.map((a) => `attempt ${a.n} (${a.hypothesis}): ${a.outcome}: ${a.reason}`);
  const reason = tried.length ? `${why}; ${tried.join("; ")}` : why;
  appendOnce(deps.ledger, incident.id, "escalation", {
    kind: "escalation",
    actor: ACTORS.graph,
    payload: { severity: incident.severity === "critical" ? "critical" : "warning", reason, attempts: s.attempts as unknown as Record<string, unknown>[], next: "a person must look: see 'stratus ledger list --incident " + incident.id + "'" },
  });
  const { created } = appendOncePayload(deps.ledger, incident.id, "closed", GRAPH.closed, { actor: ACTORS.graph }, { phase: CLOSED, status: "escalated", reason });
  if (created) deps.onEvent?.({ type: "escalated", incidentId: incident.id, reason });
  return { status: "escalated", reason };
};

export const previewNode = (deps: GraphDeps) => async (s: IncidentState): Promise<IncidentUpdate> => {
  checkStop(deps, "preview");
  const incident = incidentOf(s);
  const p = s.proposal!;
  let steps;
  try {
    steps = await dryRunPlan(parsePlan(p.plan), deps.client, { now: () => deps.clock.now() });
  } catch (e) {
    steps = [{ stepId: "(plan)", summary: `dry run failed: ${errorText(e)}`, diffs: [], error: errorText(e) }];
  }
  const reason = `dry run: proposed attempt ${p.attempt} (${p.hypothesis.summary}); nothing was applied`;
  appendOnce(deps.ledger, incident.id, `dry-run:${p.attempt}`, {
    kind: "note",
    actor: ACTORS.graph,
    payload: { phase: "dry-run", attempt: p.attempt, digest: p.digest, steps: steps.map((x) => ({ stepId: x.stepId, summary: x.summary, diff: x.diffs.map((d) => d.diff).join("\n"), ...(x.error ? { error: x.error } : {}) })) },
  });
  const { created } = appendOncePayload(deps.ledger, incident.id, "closed", GRAPH.closed, { actor: ACTORS.graph }, { phase: CLOSED, status: "proposed", reason });
  if (created) deps.onEvent?.({ type: "dry-run", incidentId: incident.id, steps });
  return { status: "proposed", reason };
};
