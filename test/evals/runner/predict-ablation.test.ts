/**
 * Predict before acting, through the eval runner on a scenario whose first candidate is wrong (a
 * scripted mitigation agent proposes a bad image for rate before the real fix; without prediction
 * it is applied and rolled back — test/evals/runner/ablation.test.ts): with `--predict on` the twin
 * predicts the bad plan fails, it is never applied (no live rollback), and the real fix commits;
 * both predictions sit beside what then happened.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadScenarios } from "../../../evals/loader.ts";
import { runScenario } from "../../../evals/runner/run-scenario.ts";
import { sandboxCatalog } from "../../../evals/sandbox-catalog.ts";
import { createAgents } from "../../../src/cli/agents.ts";
import { WRONG_FIRST_FILE, wrongFirst } from "./wrong-first.ts";

const FILE = WRONG_FIRST_FILE;

describe("--predict on, a wrong first candidate", () => {
  it("is predicted to fail and never applied; the next candidate commits", { timeout: 300_000 }, async () => {
    const { scenarios } = loadScenarios([FILE], sandboxCatalog());
    const r = await runScenario({ file: FILE, scenario: scenarios[0].scenario, agent: "stratus", llm: {}, predict: "on" }, { agents: createAgents, wrapAgents: wrongFirst });
    assert.equal(r.error, null);
    assert.deepEqual(r.outcomes, ["committed"], JSON.stringify(r.attemptLog));
    assert.equal(r.rollbacks, 0, "nothing was rolled back live");
    assert.equal(r.mitigated, true);
    assert.deepEqual(r.predictions?.map((p) => [p.attempt, p.predicted, p.actual]), [[1, "fails", "not-applied"], [2, "works", "committed"]]);
  });
});
