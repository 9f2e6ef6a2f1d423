/**
 * Defaults of the incident graph in one place: how many mitigation attempts an incident gets
 * before it is escalated, and the LangGraph step bound that keeps a looping graph from running
 * forever. Callers override them through GraphDeps; nothing else in src/graph carries a literal.
 */

/** Mitigation attempts per incident (N): after this many failed plans the incident is escalated. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** Plans predicted to fail (never applied) an incident may go through before it is escalated. */
export const DEFAULT_MAX_PREDICTED_FAILURES = 5;

/** A plan found stale under the Lease is proposed again at most this many times per attempt; then the attempt counts as failed. */
export const DEFAULT_MAX_STALE_REPLANS = 3;

/** LangGraph supersteps one invoke may take; each attempt costs about five. */
export const DEFAULT_RECURSION_LIMIT = 100;

/** Actors the graph writes ledger entries as (`type:name`, as the ledger requires). */
export const ACTORS = {
  detection: "agent:detection",
  diagnosis: "agent:diagnosis",
  mitigation: "agent:mitigation",
  undo: "agent:undo",
  policy: "core:policy",
  graph: "graph:incident",
} as const;
