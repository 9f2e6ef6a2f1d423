/** crash-loop on hand-built observations: the catch-all proposes a rollback only when a recent revision can be blamed. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, exited, observation, pod, replicaSet, revised, waiting } from "../../fixtures.ts";

describe("rule crash-loop", () => {
  it("with a recent template change, proposes rolling it back", () => {
    const [d, rs1, rs2] = revised(deployment("geo", { env: [{ name: "FEATURE", value: "on" }] }), (t) => (t.spec.containers[0].env = [{ name: "FEATURE", value: "off" }]));
    const obs = observation({ objects: [d, rs1, rs2, pod(rs2, "b", waiting("geo", "CrashLoopBackOff", "", { restarts: 5, last: exited("Error", 3) }), 90_000)] });
    const h = diagnose(obs, ["geo"]).hypotheses.find((x) => x.facts.finding === "crash-loop")!;
    assert.equal(h.facts.remedies, "rollout-undo");
  });

  it("without one, names the crash with low confidence and proposes nothing", () => {
    const d = deployment("geo");
    const rs = replicaSet(d, 1);
    const obs = observation({ objects: [d, rs, pod(rs, "a", waiting("geo", "CrashLoopBackOff", "", { restarts: 5, last: exited("Error", 3) }))] });
    const [h] = diagnose(obs, ["geo"]).hypotheses;
    assert.equal(h.facts.finding, "crash-loop");
    assert.ok(h.confidence < 0.3);
    assert.equal(h.facts.remedies, "");
  });
});
