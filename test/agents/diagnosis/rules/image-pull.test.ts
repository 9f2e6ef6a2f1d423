/** image-pull on hand-built observations: an unpullable image after a rollout is reverted to the previous revision's. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, event, observation, pod, revised, running, waiting } from "../../fixtures.ts";

describe("rule image-pull", () => {
  it("blames the Deployment, proposing a rollback then the previous image", () => {
    const [d, rs1, rs2] = revised(deployment("rate", { image: "example/app:1.1.0" }), (t) => (t.spec.containers[0].image = "example/app:1.0.0"));
    const bad = pod(rs2, "b", waiting("rate", "ImagePullBackOff", 'Back-off pulling image "example/app:1.1.0"'), 60_000);
    const obs = observation({
      objects: [d, rs1, rs2, pod(rs1, "a", running("rate")), bad, event("Pod", bad.metadata.name, "Failed", 'Failed to pull image "example/app:1.1.0": not found')],
    });
    const h = diagnose(obs, ["rate"]).hypotheses[0];
    assert.deepEqual([h.rootCause.kind, h.rootCause.name, h.layer, h.type], ["Deployment", "rate", "virtualization", "misconfiguration"]);
    assert.equal(h.facts.lastGoodImage, "example/app:1.0.0");
    assert.equal(h.facts.previousRevision, 1);
    assert.equal(h.facts.remedies, "rollout-undo,set-image");
    assert.ok(h.evidence.some((e) => e.source === "event" && /not found/.test(e.fact)));
  });
});
