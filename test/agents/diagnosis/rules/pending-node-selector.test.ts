/** pending-node-selector on hand-built observations: a nodeSelector no node satisfies. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, event, nodes, observation, pending, pod, revised, running } from "../../fixtures.ts";

describe("rule pending-node-selector", () => {
  it("blames the nodeSelector keys no node has; rollback first, then removing them", () => {
    const [d, rs1, rs2] = revised(deployment("geo", { nodeSelector: { "kubernetes.io/hostname": "node-4" } }), (t) => delete t.spec.nodeSelector);
    const msg = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.";
    const p = pod(rs2, "b", pending(msg), 120_000);
    const obs = observation({ objects: [d, rs1, rs2, pod(rs1, "a", running("geo")), p, event("Pod", p.metadata.name, "FailedScheduling", msg), ...nodes()] });
    const h = diagnose(obs, ["geo"]).hypotheses[0];
    assert.deepEqual([h.rootCause.name, h.layer, h.type], ["geo", "virtualization", "misconfiguration"]);
    assert.deepEqual([h.facts.badNodeSelectorKeys, h.facts.remedies], ["kubernetes.io/hostname", "rollout-undo,remove-node-selector"]);
  });

  it("leaves a nodeSelector some node satisfies alone", () => {
    const [d, rs1, rs2] = revised(deployment("geo", { nodeSelector: { "kubernetes.io/hostname": "node-2" } }), (t) => delete t.spec.nodeSelector);
    const obs = observation({ objects: [d, rs1, rs2, pod(rs2, "b", pending("waiting"), 120_000), ...nodes()] });
    assert.equal(diagnose(obs, ["geo"]).hypotheses.filter((h) => h.facts.finding === "unschedulable-node-selector").length, 0);
  });
});
