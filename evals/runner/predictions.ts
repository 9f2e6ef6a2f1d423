/**
 * Predicted versus actual, per plan (issue 15): for every prediction the graph made, what then
 * happened to that attempt — "committed", a live failure ("rolled-back", "aborted", "escalated"),
 * or "not-applied" (predicted to fail and held back, or refused). Read from the loop's events, in
 * order; pure.
 */
import type { GraphEvent } from "../../src/graph/deps.ts";

type TimedEvent = { event: GraphEvent };

export type PredictionRecord = {
  incidentId: string;
  attempt: number;
  predicted: "works" | "fails" | "uncertain";
  /** How the attempt ended live, or "not-applied". */
  actual: string;
  /** Simulated seconds the twin predicted the plan would take; wall seconds the prediction cost. */
  predictedSeconds: number;
  wallSeconds: number;
  blastRadius: number;
};

export function predictionsOf(events: TimedEvent[]): PredictionRecord[] {
  const out: PredictionRecord[] = [];
  for (const { event: e } of events) {
    if (e.type !== "predicted") continue;
    const prefix = `${e.incidentId}-tx${e.attempt}`;
    const tx = events.map((x) => x.event).filter((x) => x.type === "transaction" && (x.result.txId === prefix || x.result.txId.startsWith(`${prefix}-`))).at(-1);
    const actual = tx && tx.type === "transaction" ? (["refused", "needs-approval", "stale"].includes(tx.result.outcome) ? "not-applied" : tx.result.outcome) : "not-applied";
    out.push({
      incidentId: e.incidentId, attempt: e.attempt, predicted: e.prediction.verdict, actual,
      predictedSeconds: Math.round(e.prediction.predictedMs / 100) / 10, wallSeconds: Math.round(e.prediction.wallMs / 100) / 10,
      blastRadius: e.prediction.blastRadius.size,
    });
  }
  return out;
}

/** The confusion table over applied plans, and accuracy: works∧committed + fails∧failed over the decided, applied ones. */
export function predictionSummary(records: PredictionRecord[]): { table: Record<string, Record<string, number>>; accuracy: number | null; decided: number } {
  const table: Record<string, Record<string, number>> = {};
  let right = 0;
  let decided = 0;
  for (const r of records) {
    const actual = r.actual === "committed" ? "committed" : r.actual === "not-applied" ? "not applied" : "failed live";
    table[r.predicted] ??= {};
    table[r.predicted][actual] = (table[r.predicted][actual] ?? 0) + 1;
    if (r.predicted === "uncertain" || actual === "not applied") continue;
    decided++;
    if ((r.predicted === "works") === (actual === "committed")) right++;
  }
  return { table, accuracy: decided ? Math.round((right / decided) * 1000) / 1000 : null, decided };
}
