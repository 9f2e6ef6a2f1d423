/**
 * Predicted versus actual in the evals: each prediction is paired with what its attempt then did
 * live (by the transaction id the graph derives from incident and attempt), a plan held back is
 * "not-applied", and accuracy counts only plans that were both decided and applied.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { GraphEvent } from "../../../src/graph/deps.ts";
import type { TransactionResult } from "../../../src/core/transaction.ts";
import { unavailablePrediction, type Prediction } from "../../../src/twin/prediction.ts";
import { predictionsOf, predictionSummary } from "../../../evals/runner/predictions.ts";

const prediction = (verdict: Prediction["verdict"]): Prediction => ({ ...unavailablePrediction("x"), verdict, reasons: [verdict], predictedMs: 12_000, wallMs: 3_000 });
const tx = (txId: string, outcome: TransactionResult["outcome"]): GraphEvent => ({ type: "transaction", incidentId: "i", result: { txId, outcome, reason: "", steps: [], restored: [] } });

describe("predictionsOf / predictionSummary", () => {
  it("pairs predictions with live outcomes and scores only decided, applied plans", () => {
    const events: GraphEvent[] = [
      { type: "predicted", incidentId: "i", attempt: 1, prediction: prediction("fails") },
      { type: "predicted", incidentId: "i", attempt: 2, prediction: prediction("works") },
      tx("i-tx2", "rolled-back"),
      { type: "predicted", incidentId: "i", attempt: 3, prediction: prediction("works") },
      tx("i-tx3", "stale"),
      tx("i-tx3-s1", "committed"),
      { type: "predicted", incidentId: "i", attempt: 4, prediction: prediction("uncertain") },
      tx("i-tx4", "committed"),
    ];
    const records = predictionsOf(events.map((event) => ({ event })));
    assert.deepEqual(records.map((r) => [r.attempt, r.predicted, r.actual]), [[1, "fails", "not-applied"], [2, "works", "rolled-back"], [3, "works", "committed"], [4, "uncertain", "committed"]]);
    assert.equal(records[0].predictedSeconds, 12);
    const s = predictionSummary(records);
    assert.deepEqual(s.table, { fails: { "not applied": 1 }, works: { "failed live": 1, committed: 1 }, uncertain: { committed: 1 } });
    assert.equal(s.decided, 2);
    assert.equal(s.accuracy, 0.5);
  });
});
