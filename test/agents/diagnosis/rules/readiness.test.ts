/** readiness on hand-built observations: a probe aimed at a port the container does not serve. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, event, observation, pod, revised, running } from "../../fixtures.ts";

describe("rule readiness", () => {
  it("blames the probe changed to an undeclared port; rollback first, then the previous probe", () => {
    const [d, rs1, rs2] = revised(deployment("search", { port: 8082, probePort: 8083 }), (t) => (t.spec.containers[0].readinessProbe.tcpSocket.port = 8082));
    const bad = pod(rs2, "b", running("search", { ready: false, startedMsAgo: 200_000 }), 200_000);
    const obs = observation({ objects: [d, rs1, rs2, pod(rs1, "a", running("search")), bad, event("Pod", bad.metadata.name, "Unhealthy", "Readiness probe failed: dial tcp 10.0.0.5:8083: connect: connection refused")] });
    const h = diagnose(obs, ["search"]).hypotheses[0];
    assert.deepEqual([h.rootCause.name, h.layer, h.type], ["search", "virtualization", "misconfiguration"]);
    assert.equal(h.facts.servedPort, 8082);
    assert.equal(h.facts.remedies, "rollout-undo,restore-probe");
    assert.match(String(h.facts.lastGoodProbe), /"port":8082/);
  });
});
