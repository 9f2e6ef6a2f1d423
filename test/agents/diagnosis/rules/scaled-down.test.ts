/** scaled-down on hand-built observations: the pre-incident count from the baseline or from the scale-down event. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, edge, endpoints, event, observation, replicaSet, service } from "../../fixtures.ts";

function scaledToZero(withEvent: boolean) {
  const d = deployment("reservation", { replicas: 0, available: 0 });
  return observation({
    objects: [d, replicaSet(d, 1), service("reservation", 8087), endpoints("reservation", 0, 8087),
      ...(withEvent ? [event("Deployment", "reservation", "ScalingReplicaSet", "Scaled down replica set reservation-r1 from 2 to 0", "Normal")] : [])],
    edges: { hr: [edge("frontend", "reservation", 1)] },
  });
}

describe("rule scaled-down", () => {
  it("blames a Deployment scaled below its pre-incident count, restoring the baseline", () => {
    const h = diagnose(scaledToZero(false), ["frontend"], { baselineReplicas: new Map([["hr/reservation", 3]]) }).hypotheses[0];
    assert.deepEqual([h.rootCause.kind, h.rootCause.name, h.layer, h.type], ["Deployment", "reservation", "virtualization", "operation-error"]);
    assert.equal(h.facts.preIncidentReplicas, 3);
    assert.equal(h.facts.remedies, "scale-back");
  });

  it("reads the count back from the ScalingReplicaSet event when no baseline is known", () => {
    const h = diagnose(scaledToZero(true), ["frontend"]).hypotheses[0];
    assert.equal(h.facts.preIncidentReplicas, 2);
  });

  it("says nothing without any sign of an earlier count", () => {
    assert.equal(diagnose(scaledToZero(false), ["frontend"]).hypotheses.filter((h) => h.facts.finding === "scaled-down").length, 0);
  });
});
