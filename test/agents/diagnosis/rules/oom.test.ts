/** oom on hand-built observations: OOMKilled after a limit was lowered (roll back) or with no history (raise it). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, exited, observation, pod, replicaSet, revised, waiting } from "../../fixtures.ts";

describe("rule oom", () => {
  it("blames a lowered memory limit: roll back, else restore the previous limit", () => {
    const [d, rs1, rs2] = revised(deployment("profile", { memoryLimit: "32Mi" }), (t) => (t.spec.containers[0].resources.limits.memory = "256Mi"));
    const obs = observation({ objects: [d, rs1, rs2, pod(rs2, "b", waiting("profile", "CrashLoopBackOff", "back-off 20s", { restarts: 3, last: exited("OOMKilled", 137) }), 60_000)] });
    const h = diagnose(obs, ["profile"]).hypotheses[0];
    assert.deepEqual([h.rootCause.name, h.layer, h.type], ["profile", "virtualization", "resource"]);
    assert.equal(h.facts.lastGoodMemoryLimit, "256Mi");
    assert.equal(h.facts.remedies, "rollout-undo,raise-memory");
  });

  it("without a lowering revision, proposes doubling the limit", () => {
    const d = deployment("profile", { memoryLimit: "100Mi" });
    const rs = replicaSet(d, 1);
    const obs = observation({ objects: [d, rs, pod(rs, "a", waiting("profile", "CrashLoopBackOff", "", { restarts: 4, last: exited("OOMKilled", 137) }))] });
    const h = diagnose(obs, ["profile"]).hypotheses[0];
    assert.equal(h.facts.suggestedMemoryLimit, "200Mi");
    assert.equal(h.facts.remedies, "raise-memory");
  });
});
