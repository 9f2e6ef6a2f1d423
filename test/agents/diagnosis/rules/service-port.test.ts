/** service-port on hand-built observations: a targetPort no pod serves, the port to restore, and a healthy Service left alone. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, edge, endpoints, observation, pod, replicaSet, running, service, stats } from "../../fixtures.ts";

function rateCluster(targetPort: number) {
  const d = deployment("rate", { port: 8084 });
  const rs = replicaSet(d, 1);
  return observation({
    objects: [d, rs, pod(rs, "a", running("rate")), service("rate", 8084, { targetPort }), endpoints("rate", 1, targetPort)],
    edges: { hr: [edge("search", "rate", targetPort === 8084 ? 0 : 1)] },
    stats: { hr: { search: stats(targetPort === 8084 ? 0 : 1) } },
  });
}

describe("rule service-port", () => {
  it("blames the Service whose targetPort no pod serves, with the served port to restore", () => {
    const d = diagnose(rateCluster(9999), ["search"]);
    const h = d.hypotheses[0];
    assert.deepEqual([h.rootCause.kind, h.rootCause.name, h.layer, h.type], ["Service", "rate", "virtualization", "misconfiguration"]);
    assert.equal(h.facts.servedPort, 8084);
    assert.equal(h.facts.remedies, "restore-target-port");
    assert.match(h.summary, /targets port 9999, which no pod behind it serves \(they serve 8084\)/);
    assert.ok(h.evidence.some((e) => e.source === "metric" && /search → rate: 100% of calls fail/.test(e.fact)));
    assert.deepEqual(d.path, ["search", "rate"]);
  });

  it("finds nothing when the targetPort is served", () => {
    assert.equal(diagnose(rateCluster(8084), ["search"]).hypotheses.filter((h) => h.facts.finding === "service-port-mismatch").length, 0);
  });
});
