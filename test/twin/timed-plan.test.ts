/**
 * withPredictedWaits: a wait (or a postcondition with a timeout) on a Deployment the twin rolled out
 * takes the predicted time; one on a Deployment the twin did not watch, a check-once postcondition
 * (timeout 0) and every other step stay as proposed. withPredictedTiming also sequences rollouts of
 * Deployments that call one another: the later one's step waits for the earlier one to be available.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Plan } from "../../src/core/plan.ts";
import { compilePlan } from "../../src/core/plan.ts";
import { withPredictedTiming, withPredictedWaits } from "../../src/twin/timed-plan.ts";

const available = (name: string) => ({ deploymentAvailable: { namespace: "shop", name } });

describe("withPredictedWaits", () => {
  const plan: Plan = {
    steps: [
      { id: "undo", action: { type: "rollout-undo", params: { namespace: "shop", name: "api" } }, postcondition: { until: available("api"), timeoutMs: 0 } },
      { id: "restart", action: { type: "rollout-restart", params: { namespace: "shop", name: "web" } }, postcondition: { until: available("web"), timeoutMs: 120_000 } },
      { id: "api-up", after: ["undo"], wait: { until: available("api"), timeoutMs: 600_000 } },
      { id: "db-up", wait: { until: available("db"), timeoutMs: 60_000 } },
    ],
  };

  it("times the waits on rolled-out Deployments, and nothing else", () => {
    const { plan: timed, retimed } = withPredictedWaits(plan, [{ deployment: "shop/api", timeoutMs: 40_000 }, { deployment: "shop/web", timeoutMs: 90_000 }]);
    assert.deepEqual(retimed, [
      { step: "restart", deployment: "shop/web", fromMs: 120_000, toMs: 90_000 },
      { step: "api-up", deployment: "shop/api", fromMs: 600_000, toMs: 40_000 },
    ]);
    assert.deepEqual(timed.steps[0], plan.steps[0], "a check-once postcondition stays check-once");
    assert.deepEqual(timed.steps[3], plan.steps[3], "a Deployment the twin did not roll out keeps its wait");
    assert.equal(plan.steps[2].id === "api-up" && "wait" in plan.steps[2] && plan.steps[2].wait.timeoutMs, 600_000, "the proposed plan is not mutated");
  });

  it("returns the same plan when there is nothing to time", () => {
    const { plan: same, retimed } = withPredictedWaits(plan, []);
    assert.equal(same, plan);
    assert.deepEqual(retimed, []);
  });
});

describe("withPredictedTiming: call-linked rollouts in sequence", () => {
  const restart = (name: string) => ({ id: `restart-${name}`, action: { type: "rollout-restart", params: { namespace: "shop", name } } });
  const plan: Plan = { steps: [restart("web"), restart("api"), restart("batch")] };

  it("puts a wait for the first Deployment between the two rollouts, and leaves unlinked ones alone", () => {
    const { plan: out, sequenced } = withPredictedTiming(plan, { waits: [{ deployment: "shop/web", timeoutMs: 45_000 }], sequence: [{ first: "shop/web", then: "shop/api" }] });
    assert.deepEqual(sequenced, [{ first: "shop/web", then: "shop/api", wait: "sequence-after-web" }]);
    const stages = compilePlan(out).stages.map((st) => st.map((s) => s.id).sort());
    assert.deepEqual(stages, [["restart-batch", "restart-web"], ["sequence-after-web"], ["restart-api"]]);
    const wait = out.steps.find((s) => s.id === "sequence-after-web")!;
    assert.ok("wait" in wait);
    assert.deepEqual(wait.wait, { until: { deploymentAvailable: { namespace: "shop", name: "web" } }, timeoutMs: 45_000 });
    assert.deepEqual(compilePlan(plan).stages.length, 1, "the proposed plan is unchanged: all three at once");
  });

  it("leaves a plan laid out by hand (explicit stages) as it is", () => {
    const staged: Plan = { steps: [{ ...restart("web"), stage: 0 }, { ...restart("api"), stage: 0 }] };
    const { plan: out, sequenced } = withPredictedTiming(staged, { waits: [], sequence: [{ first: "shop/web", then: "shop/api" }] });
    assert.equal(out, staged);
    assert.deepEqual(sequenced, []);
  });
});
