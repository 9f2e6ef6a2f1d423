import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { networkPolicyKind } from "../../../../sandbox/api/kinds/network-policy.ts";
import { lines, newStore, rejection } from "./fixture.ts";

const policy = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: "default" }, spec });

describe("NetworkPolicy", () => {
  it("derives policyTypes from the rules given", () => {
    const { store, rt } = newStore();
    const np = rt("networking.k8s.io", "networkpolicies");
    assert.deepEqual(store.create(np, policy("deny-all", { podSelector: {} })).spec.policyTypes, ["Ingress"]);
    const both = store.create(np, policy("egress", { podSelector: { matchLabels: { app: "db" } }, egress: [{ ports: [{ port: 5432 }] }] }));
    assert.deepEqual(both.spec.policyTypes, ["Ingress", "Egress"]);
    assert.equal(both.spec.egress[0].ports[0].protocol, "TCP");
    assert.deepEqual(store.create(np, policy("explicit", { podSelector: {}, policyTypes: ["Egress"] })).spec.policyTypes, ["Egress"]);
    assert.deepEqual(networkPolicyKind.table!.cells(both, store.clock.now()), ["egress", "app=db", "0s"]);
    assert.equal(networkPolicyKind.table!.cells(store.get(np, "default", "deny-all")!, store.clock.now())[1], "<none>");
  });

  it("rejects unknown policy types and bad ports", () => {
    const { store, rt } = newStore();
    assert.deepEqual(lines(rejection(() => store.create(rt("networking.k8s.io", "networkpolicies"), policy("bad", { podSelector: {}, policyTypes: ["Sideways"], ingress: [{ ports: [{ port: 70000 }] }] })))), [
      "spec.policyTypes[0]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\"",
      "spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
    ]);
  });
});
