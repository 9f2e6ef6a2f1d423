/** selector on hand-built observations: a selector matching no pod, the labels to restore, and a scaled-down Deployment not mistaken for it. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, edge, endpoints, observation, pod, replicaSet, running, service } from "../../fixtures.ts";

describe("rule selector", () => {
  it("blames the Service whose selector matches no pod, proposing the labels its Deployment's pods carry", () => {
    const d = deployment("geo");
    const rs = replicaSet(d, 1);
    const obs = observation({
      objects: [d, rs, pod(rs, "a", running("geo")), service("geo", 8080, { selector: { app: "geo", version: "v2" } }), endpoints("geo", 0, 8080)],
      edges: { hr: [edge("search", "geo", 1)] },
    });
    const h = diagnose(obs, ["search", "geo"]).hypotheses[0];
    assert.deepEqual([h.rootCause.kind, h.rootCause.name, h.layer, h.type], ["Service", "geo", "virtualization", "misconfiguration"]);
    assert.equal(h.facts.selector, JSON.stringify({ app: "geo" }));
    assert.equal(h.facts.remedies, "restore-selector");
  });

  it("leaves a Service alone when its Deployment's template still matches (pods missing for another reason)", () => {
    const d = deployment("geo", { replicas: 0, available: 0 });
    const obs = observation({ objects: [d, replicaSet(d, 1), service("geo", 8080), endpoints("geo", 0, 8080)] });
    assert.equal(diagnose(obs, ["geo"]).hypotheses.filter((h) => h.facts.finding === "service-selector-mismatch").length, 0);
  });
});
