/** network-policy on hand-built observations: a policy isolating a Service's pods with no rule for its callers. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, edge, NS, observation, pod, replicaSet, running, service } from "../../fixtures.ts";

function cluster(ingress: object[]) {
  const rate = deployment("rate");
  const search = deployment("search");
  const rs = replicaSet(rate, 1);
  const policy = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "rate-ingress", namespace: NS }, spec: { podSelector: { matchLabels: { app: "rate" } }, policyTypes: ["Ingress"], ingress } };
  return observation({ objects: [rate, search, rs, replicaSet(search, 1), pod(rs, "a", running("rate")), service("rate", 8080), service("search", 8080), policy], edges: { hr: [edge("search", "rate", 1)] } });
}

describe("rule network-policy", () => {
  it("blames the Service whose pods a policy isolates from their callers, proposing to delete the policy", () => {
    const h = diagnose(cluster([]), ["search"]).hypotheses[0];
    assert.deepEqual([h.rootCause.kind, h.rootCause.name, h.layer, h.type], ["Service", "rate", "network", "misconfiguration"]);
    assert.deepEqual([h.facts.networkPolicy, h.facts.blockedCallers, h.facts.remedies], ["rate-ingress", "search", "delete-network-policy"]);
  });

  it("leaves a policy that admits the callers alone", () => {
    const obs = cluster([{ from: [{ podSelector: { matchLabels: { app: "search" } } }] }]);
    assert.equal(diagnose(obs, ["search"]).hypotheses.filter((h) => h.facts.finding === "network-policy-blocks").length, 0);
  });
});
