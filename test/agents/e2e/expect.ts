/**
 * The end-to-end assertions every fault story shares: the app was quiet before the injection, an
 * incident opened, the best hypothesis names the ground truth's entity, layer and type, a fix was
 * committed, and the fault's own oracle says it is gone.
 */
import assert from "node:assert/strict";
import { best, runScenario, type FaultSpec, type ScenarioOutcome } from "./scenario.ts";

export async function expectFixed(app: "hotel-reservation" | "social-network", fault: FaultSpec, seed = 7): Promise<ScenarioOutcome> {
  const r = await runScenario({ app, faults: [fault], seed });
  const what = `${fault.kind} on ${fault.target.kind}/${fault.target.name}`;
  assert.deepEqual(r.falseAlarms.map((i) => i.symptoms), [], "no incident before the injection");
  assert.ok(r.incidents.length > 0, `${what}: detected`);
  const truth = r.truths[0];
  assert.ok(!truth.benign);
  const h = r.incidents[0].diagnosis.hypotheses[0];
  const story = r.incidents.map((i) => `${best(i.diagnosis)} → ${i.transactions.map((t) => `${t.plan.join("+")}: ${t.result.outcome} (${t.result.reason})`).join("; ") || "no plan"}`).join("\n");
  assert.ok(h, `${what}: a hypothesis`);
  assert.deepEqual(
    [h.rootCause.kind, h.rootCause.name, h.layer, h.type],
    [truth.entity.kind, truth.entity.name, truth.layer, truth.type],
    `${what}: diagnosed as the ground truth\n${story}`,
  );
  assert.ok(r.committed > 0, `${what}: a fix committed\n${story}`);
  assert.deepEqual(r.oracles.filter((o) => !o.ok), [], `${what}: the oracle passes\n${story}`);
  return r;
}

/** A test body that expects the fault fixed (see expectFixed). */
export const fixes = (app: "hotel-reservation" | "social-network", fault: FaultSpec, seed = 7) => async (): Promise<void> => {
  await expectFixed(app, fault, seed);
};
