/**
 * Scope: a watchdog watching `-n shop` under the default policy may write only in shop — a model's
 * plan that scales default/victim to 0 is refused, whatever "*" the policy says; a policy that
 * names more namespaces keeps them; a watched kube-system stays excluded. Medium-risk writes to
 * Secrets and Nodes need a person's approval by default.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkPlan, confineToWatched, DEFAULT_POLICY, parsePolicy } from "../../src/core/policy.ts";
import { parsePlan } from "../../src/core/plan.ts";

const scaleVictimToZero = parsePlan({ steps: [{ id: "s1", action: { type: "scale", params: { namespace: "default", name: "victim", replicas: 0 } } }] });
const scaleShop = parsePlan({ steps: [{ id: "s1", action: { type: "scale", params: { namespace: "shop", name: "cart", replicas: 3 } } }] });

describe("policy scope and approvals", () => {
  it("refuses a plan outside the watched namespaces under the default policy", () => {
    assert.equal(checkPlan(DEFAULT_POLICY, scaleVictimToZero).allowed, true, "the bare default policy allows every namespace");
    const watching = confineToWatched(DEFAULT_POLICY, ["shop"]);
    const d = checkPlan(watching, scaleVictimToZero);
    assert.equal(d.allowed, false);
    assert.match(d.refusals[0].reason, /namespace default is not in the policy's scope \(namespaces: shop\)/);
    assert.equal(checkPlan(watching, scaleShop).allowed, true);
  });

  it("keeps the namespaces a policy names explicitly, and never un-excludes kube-system", () => {
    const named = parsePolicy("namespaces: [shop, default]\n");
    assert.equal(checkPlan(confineToWatched(named, ["shop"]), scaleVictimToZero).allowed, true);
    const sys = confineToWatched(DEFAULT_POLICY, ["kube-system"]);
    const plan = parsePlan({ steps: [{ id: "s1", action: { type: "scale", params: { namespace: "kube-system", name: "coredns", replicas: 0 } } }] });
    assert.equal(checkPlan(sys, plan).allowed, false);
    assert.equal(confineToWatched(DEFAULT_POLICY, undefined), DEFAULT_POLICY, "without -n, the policy decides");
  });

  it("asks a person for medium-risk writes to a Secret or a Node, not to a ConfigMap", () => {
    const secret = parsePlan({ steps: [{ id: "pw", action: { type: "set-config", params: { kind: "Secret", namespace: "shop", name: "db", key: "password", value: "hunter2" } } }] });
    const configMap = parsePlan({ steps: [{ id: "cm", action: { type: "set-config", params: { kind: "ConfigMap", namespace: "shop", name: "app", key: "mode", value: "safe" } } }] });
    const cordon = parsePlan({ steps: [{ id: "c", action: { type: "cordon", params: { node: "node-1" } } }] });
    const s = checkPlan(DEFAULT_POLICY, secret);
    assert.equal(s.allowed, true);
    assert.deepEqual(s.needsApproval.map((n) => n.stepId), ["pw"]);
    assert.match(s.needsApproval[0].reason, /write to Secret .*db needs approval/);
    assert.deepEqual(checkPlan(DEFAULT_POLICY, cordon).needsApproval.map((n) => n.stepId), ["c"]);
    assert.deepEqual(checkPlan(DEFAULT_POLICY, configMap).needsApproval, []);
    assert.deepEqual(checkPlan(parsePolicy("approvalKinds: []\n"), secret).needsApproval, [], "a policy may waive it explicitly");
  });
});
