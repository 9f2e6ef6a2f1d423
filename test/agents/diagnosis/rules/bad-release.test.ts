/** bad-release on hand-built observations: a new image that serves but fails requests; a restart-only revision is not one. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, edge, observation, pod, revised, running, stats } from "../../fixtures.ts";

function released(change: (t: any) => void) {
  const [d, rs1, rs2] = revised(deployment("geo", { image: "example/app:1.0.1" }), change);
  return observation({ objects: [d, rs1, rs2, pod(rs2, "b", running("geo"), 60_000)], edges: { hr: [edge("search", "geo", 0.8)] }, stats: { hr: { search: stats(0.8), geo: stats(0.8) } } });
}

describe("rule bad-release", () => {
  it("blames a new image that fails requests by itself, proposing a rollback", () => {
    const h = diagnose(released((t) => (t.spec.containers[0].image = "example/app:1.0.0")), ["search"]).hypotheses[0];
    assert.deepEqual([h.rootCause.name, h.layer, h.type], ["geo", "application", "code-defect"]);
    assert.deepEqual([h.facts.lastGoodImage, h.facts.remedies], ["example/app:1.0.0", "rollout-undo,set-image"]);
  });

  it("does not blame a revision that only restarted the pods", () => {
    const obs = released((t) => (t.metadata.annotations = { "kubectl.kubernetes.io/restartedAt": "x" }));
    obs.deployments[0].spec.template.metadata.annotations = { "kubectl.kubernetes.io/restartedAt": "y" };
    obs.replicaSets[1].spec.template.metadata.annotations = { "kubectl.kubernetes.io/restartedAt": "y" };
    assert.equal(diagnose(obs, ["search"]).hypotheses.filter((h) => h.facts.finding === "bad-release").length, 0);
  });
});
