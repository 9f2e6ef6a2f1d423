/** wrong-command on hand-built observations: a changed command whose pods never get Ready, or serve but fail every request. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, edge, observation, pod, revised, running, stats } from "../../fixtures.ts";

describe("rule wrong-command", () => {
  it("blames the command changed in the latest revision when the new pods never become Ready", () => {
    const [d, rs1, rs2] = revised(deployment("profile", { command: ["rate"] }), (t) => (t.spec.containers[0].command = ["profile"]));
    const obs = observation({ objects: [d, rs1, rs2, pod(rs1, "a", running("profile")), pod(rs2, "b", running("profile", { ready: false, startedMsAgo: 120_000 }), 130_000)] });
    const h = diagnose(obs, ["profile"]).hypotheses[0];
    assert.deepEqual([h.rootCause.name, h.layer, h.type], ["profile", "application", "misconfiguration"]);
    assert.equal(h.facts.lastGoodCommand, JSON.stringify(["profile"]));
    assert.equal(h.facts.remedies, "rollout-undo,restore-command");
  });

  it("also when the wrong binary serves the port but fails every request (outranking a bad release)", () => {
    const [d, rs1, rs2] = revised(deployment("user-timeline", { command: ["ComposePost"] }), (t) => (t.spec.containers[0].command = ["UserTimeline"]));
    const obs = observation({
      objects: [d, rs1, rs2, pod(rs2, "b", running("user-timeline"), 60_000)],
      edges: { hr: [edge("nginx", "user-timeline", 1)] },
      stats: { hr: { nginx: stats(0.4), "user-timeline": stats(1) } },
    });
    const [top] = diagnose(obs, ["nginx"]).hypotheses;
    assert.equal(top.facts.finding, "wrong-command");
  });
});
