/**
 * The paper's ablation, as a story on one scenario whose first attempt is wrong (a scripted
 * mitigation agent proposes a bad image for rate before the real fix): the full agent rolls the bad
 * attempt back and fixes the fault on its retry; naive retries without undo, so the bad image stays
 * and the fault is not fixed — and the runner's own health measurement counts that as a TNR
 * violation; single stops after its one (rolled-back) attempt.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadScenarios } from "../../../evals/loader.ts";
import { runScenario } from "../../../evals/runner/run-scenario.ts";
import { sandboxCatalog } from "../../../evals/sandbox-catalog.ts";
import type { AgentVariant } from "../../../evals/scoring.ts";
import { createAgents } from "../../../src/cli/agents.ts";
import { WRONG_FIRST_FILE, wrongFirst } from "./wrong-first.ts";

const FILE = WRONG_FIRST_FILE;

describe("the ablation on a scenario whose first attempt is wrong", () => {
  const { scenarios } = loadScenarios([FILE], sandboxCatalog());
  const run = (agent: AgentVariant) => runScenario({ file: FILE, scenario: scenarios[0].scenario, agent, llm: {} }, { agents: createAgents, wrapAgents: wrongFirst });

  it("stratus undoes the wrong attempt and fixes the fault on the retry", { timeout: 120_000 }, async () => {
    const r = await run("stratus");
    assert.equal(r.error, null);
    assert.deepEqual(r.outcomes, ["rolled-back", "committed"], JSON.stringify(r.attemptLog));
    assert.equal(r.rollbacks, 1);
    assert.equal(r.mitigated, true);
    assert.equal(r.tnrViolations, 0, r.tnrDetails.join("; "));
  });

  // Through the shipped loop, naive's later incident can repair what its wrong attempt left (the
  // loop opens a new incident on what still fails), so only what defines the variant is asserted.
  it("naive leaves the wrong attempt in place and retries from there", { timeout: 120_000 }, async () => {
    const r = await run("naive");
    assert.equal(r.error, null);
    assert.ok(r.attempts >= 2, JSON.stringify(r.attemptLog));
    assert.equal(r.rollbacks, 0, "naive never rolls back");
  });

  it("single makes one attempt and stops", { timeout: 120_000 }, async () => {
    const r = await run("single");
    assert.equal(r.error, null);
    assert.deepEqual(r.outcomes, ["rolled-back"]);
    assert.equal(r.mitigated, false);
    assert.equal(r.tnrViolations, 0);
  });
});
