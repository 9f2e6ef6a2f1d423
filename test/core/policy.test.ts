/**
 * The policy guard: malformed policy files are refused with the field (and line) named; the
 * example file in docs/ loads; and checkPlan's decisions — built-in rules no policy can switch off
 * (never delete a PVC, Namespace, PV or CRD; nothing cluster-scoped but cordon/uncordon), namespace
 * scope, allowed/denied actions, custom forbidden rules, the action limit, and which steps need a
 * person — are pure and deterministic.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { isValidationError, type ValidationError } from "../../src/base/errors.ts";
import { parsePlan, type Plan } from "../../src/core/plan.ts";
import { checkPlan, DEFAULT_POLICY, loadPolicy, parsePolicy } from "../../src/core/policy.ts";

function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (isValidationError(e)) return e;
    throw e;
  }
  return assert.fail("expected a ValidationError");
}

/** [what is wrong, file text, field path named, message pattern] */
const MALFORMED: Array<[string, string, string, RegExp]> = [
  ["an unknown top-level field", "namespaces: [a]\nmaxActions: 3\n", "maxActions", /unknown field "maxActions" \(line 2\)/],
  ["namespaces of the wrong type", "namespaces: 42\n", "namespaces", /line 1/],
  ["an empty namespace list", "namespaces: []\n", "namespaces", /list at least one namespace, or write "\*"/],
  ["an invalid namespace name", "namespaces:\n  - good\n  - Bad_Name\n", "namespaces[1]", /namespace name.*\(line 3\)/],
  ["a zero action limit", "maxActionsPerTransaction: 0\n", "maxActionsPerTransaction", />=1/],
  ["a fractional action limit", "maxActionsPerTransaction: 2.5\n", "maxActionsPerTransaction", /int/],
  ["an action limit given as a word", "maxActionsPerTransaction: ten\n", "maxActionsPerTransaction", /expected number/],
  ["an action limit past the hard limit", "maxActionsPerTransaction: 1000\n", "maxActionsPerTransaction", /<=100/],
  ["an unknown risk class", "requireApproval: [high, critical]\n", "requireApproval[1]", /"low"\|"medium"\|"high"/],
  ["requireApproval not a list", "requireApproval: high\n", "requireApproval", /expected array/],
  ["an unknown action in allowedActions", "allowedActions: [scale, drop-database]\n", "allowedActions[1]", /unknown action type "drop-database"; known types: scale/],
  ["an action both allowed and denied", "allowedActions: [scale]\ndeniedActions: [delete-pod, scale]\n", "deniedActions[1]", /both allowed and denied/],
  ["an unknown field in a forbidden rule", "forbidden:\n  - kind: Secret\n    verb: delete\n", "forbidden[0].verb", /unknown field "verb" \(line 3\)/],
  ["a forbidden rule naming neither action nor kind", "forbidden:\n  - reason: just because\n", "forbidden[0].action", /names an action, a kind, or both/],
  ["forbidden given as a mapping", "forbidden:\n  action: scale\n", "forbidden", /expected array/],
  ["a kind not in CamelCase", "forbidden:\n  - kind: secret\n", "forbidden[0].kind", /CamelCase/],
  ["excludeNamespaces given as a string", "excludeNamespaces: kube-system\n", "excludeNamespaces", /expected array/],
];

describe("parsePolicy refuses malformed policy files, naming the field", () => {
  for (const [what, text, path, message] of MALFORMED) {
    it(what, () => {
      const e = refusal(() => parsePolicy(text, "policy.yaml"));
      const issue = e.issues.find((i) => i.path === path);
      assert.ok(issue, `expected an issue at ${path}, got ${JSON.stringify(e.issues)}`);
      assert.match(issue.message, message);
      assert.match(e.message, /^invalid policy policy\.yaml: /);
    });
  }

  it("YAML that does not parse, with the line", () => {
    assert.match(refusal(() => parsePolicy("namespaces: [a\nmaxActionsPerTransaction: 3\n", "p.yaml")).message, /not valid YAML: .*\(line \d+, column \d+\)/);
  });

  it("a duplicated key", () => {
    assert.match(refusal(() => parsePolicy("maxActionsPerTransaction: 3\nmaxActionsPerTransaction: 4\n")).message, /Map keys must be unique \(line 2/);
  });

  it("a document that is not a mapping", () => {
    assert.match(refusal(() => parsePolicy("- scale\n- delete-pod\n")).message, /must be a YAML mapping/);
  });
});

describe("loading policies", () => {
  it("an empty file is the default policy", () => {
    const { source, ...p } = parsePolicy("", "empty.yaml");
    assert.equal(source, "empty.yaml");
    assert.deepEqual(p, DEFAULT_POLICY);
    assert.equal(DEFAULT_POLICY.maxActionsPerTransaction, 10);
    assert.deepEqual(DEFAULT_POLICY.requireApproval, ["high"]);
    assert.equal(DEFAULT_POLICY.namespaces, "*");
  });

  it("the example in docs/ loads", () => {
    const p = loadPolicy(fileURLToPath(new URL("../../docs/policy.example.yaml", import.meta.url)));
    assert.deepEqual(p.namespaces, ["hotel-reservation", "social-network"]);
    assert.equal(p.forbidden.length, 2);
  });

  it("a missing file says which and what to do", () => {
    assert.throws(() => loadPolicy("/nonexistent/policy.yaml"), /cannot read policy file \/nonexistent\/policy.yaml: .*pass --policy FILE/);
  });
});

const HR = "hotel-reservation";
const step = (id: string, type: string, params: Record<string, unknown>) => ({ id, action: { type, params } });
const plan = (...steps: unknown[]): Plan => ({ steps } as Plan);
const scale = (id: string, ns = HR) => step(id, "scale", { namespace: ns, name: "geo", replicas: 1 });
const deleteObject = (id: string, apiVersion: string, kind: string, name: string, ns = HR) => step(id, "delete-object", { apiVersion, kind, namespace: ns, name });

describe("checkPlan", () => {
  it("allows an in-scope medium-risk plan with nothing to approve", () => {
    assert.deepEqual(checkPlan(DEFAULT_POLICY, parsePlan({ steps: [scale("s")] })), { allowed: true, refusals: [], needsApproval: [] });
  });

  it("never allows deleting a PVC, whatever the policy allows", () => {
    const lenient = parsePolicy("allowedActions: [delete-object]\nrequireApproval: []\n");
    const d = checkPlan(lenient, plan(deleteObject("d", "v1", "PersistentVolumeClaim", "data-mongo")));
    assert.equal(d.allowed, false);
    assert.deepEqual(d.refusals, [{ stepId: "d", action: "delete-object", reason: "deleting PersistentVolumeClaim is never allowed (data loss)" }]);
  });

  it("never allows deleting a Namespace, PV or CRD, even as a plan built by hand", () => {
    const d = checkPlan(DEFAULT_POLICY, plan(
      deleteObject("ns", "v1", "Namespace", HR),
      deleteObject("pv", "v1", "PersistentVolume", "pv-1"),
      deleteObject("crd", "apiextensions.k8s.io/v1", "CustomResourceDefinition", "networkchaos.chaos-mesh.org"),
    ));
    assert.deepEqual(d.refusals.map((r) => r.reason), [
      "deleting Namespace is never allowed (it deletes everything in the namespace)",
      "deleting PersistentVolume is never allowed (data loss)",
      "deleting CustomResourceDefinition is never allowed (it deletes every object of that kind)",
    ]);
  });

  it("refuses a patch that targets a Namespace, and creating a cluster-scoped object", () => {
    const d = checkPlan(DEFAULT_POLICY, plan(
      step("p", "patch", { apiVersion: "v1", kind: "Namespace", namespace: HR, name: HR, patchType: "merge", patch: { metadata: { labels: { a: "b" } } } }),
      step("c", "create-object", { object: { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "fast" } } }),
    ));
    assert.match(d.refusals[0].reason, /^patching Namespace is never allowed: Namespace is cluster-scoped, and only cordon\/uncordon/);
    assert.match(d.refusals[1].reason, /^creating StorageClass is never allowed/);
  });

  it("allows cordon and uncordon, the only actions on a cluster-scoped object", () => {
    const d = checkPlan(parsePolicy("namespaces: [hotel-reservation]"), parsePlan({ steps: [step("c", "cordon", { node: "node-1" }), step("u", "uncordon", { node: "node-2" })] }));
    assert.equal(d.allowed, true, JSON.stringify(d.refusals));
  });

  it("refuses an action in a namespace out of scope, naming the namespace", () => {
    const d = checkPlan(parsePolicy("namespaces: [hotel-reservation, social-*]"), parsePlan({ steps: [scale("a"), scale("b", "social-network"), scale("c", "payments")] }));
    assert.deepEqual(d.refusals, [{ stepId: "c", action: "scale", reason: "namespace payments is not in the policy's scope (namespaces: hotel-reservation, social-*)" }]);
  });

  it("keeps the cluster's own namespaces out unless listed by name", () => {
    assert.match(checkPlan(DEFAULT_POLICY, parsePlan({ steps: [scale("k", "kube-system")] })).refusals[0].reason, /namespace kube-system is excluded by the policy/);
    assert.equal(checkPlan(parsePolicy("namespaces: [kube-system]"), parsePlan({ steps: [scale("k", "kube-system")] })).allowed, true);
  });

  it("refuses more actions than the policy allows per transaction", () => {
    const steps = Array.from({ length: 4 }, (_, i) => scale(`s${i}`));
    const d = checkPlan(parsePolicy("maxActionsPerTransaction: 3"), plan(...steps));
    assert.deepEqual(d.refusals, [{ stepId: "(plan)", action: "(plan)", reason: "the plan has 4 actions; the policy allows at most 3 per transaction" }]);
  });

  it("applies allowedActions and forbidden rules with their reasons", () => {
    const policy = parsePolicy([
      "allowedActions: [scale, set-config, delete-object]",
      "forbidden:",
      "  - kind: ConfigMap",
      "    name: \"*-flags\"",
      "    reason: feature flags belong to the product team",
    ].join("\n"));
    const d = checkPlan(policy, parsePlan({ steps: [
      scale("ok"),
      step("restart", "rollout-restart", { namespace: HR, name: "geo" }),
      step("flags", "set-config", { namespace: HR, kind: "ConfigMap", name: "geo-flags", key: "k", value: "v" }),
      step("other", "set-config", { namespace: HR, kind: "ConfigMap", name: "geo-config", key: "k", value: "v" }),
    ] }));
    assert.deepEqual(d.refusals, [
      { stepId: "restart", action: "rollout-restart", reason: "rollout-restart is not in the policy's allowedActions (scale, set-config, delete-object)" },
      { stepId: "flags", action: "set-config", reason: "feature flags belong to the product team (forbidden[0], ConfigMap hotel-reservation/geo-flags)" },
    ]);
  });

  it("applies deniedActions, and a forbidden rule without a reason names itself", () => {
    const policy = parsePolicy("deniedActions: [delete-object]\nforbidden:\n  - action: scale\n    namespace: hotel-*\n");
    const d = checkPlan(policy, parsePlan({ steps: [deleteObject("np", "networking.k8s.io/v1", "NetworkPolicy", "deny"), scale("s"), scale("t", "social-network")] }));
    assert.deepEqual(d.refusals, [
      { stepId: "np", action: "delete-object", reason: "delete-object is denied by the policy (deniedActions)" },
      { stepId: "s", action: "scale", reason: "scale on Deployment hotel-reservation/geo is forbidden by the policy (forbidden[0])" },
    ]);
  });

  it("asks for approval by the risk classes the policy lists (high by default)", () => {
    const p = parsePlan({ steps: [scale("s"), deleteObject("np", "networking.k8s.io/v1", "NetworkPolicy", "deny")] });
    assert.deepEqual(checkPlan(DEFAULT_POLICY, p).needsApproval, [{ stepId: "np", risk: "high", reason: "high-risk action needs approval: delete NetworkPolicy hotel-reservation/deny" }]);
    const strict = checkPlan(parsePolicy("requireApproval: [medium, high]"), p);
    assert.deepEqual(strict.needsApproval.map((n) => [n.stepId, n.risk]), [["s", "medium"], ["np", "high"]]);
    assert.equal(strict.allowed, true, "needing approval is not a refusal");
  });

  it("refuses an action that does not validate, with the validation message", () => {
    const d = checkPlan(DEFAULT_POLICY, plan(step("x", "scale", { namespace: HR, name: "geo", replicas: 1, force: true }), step("y", "rm-rf", {})));
    assert.match(d.refusals[0].reason, /^the action is invalid: .*params\.force: unknown field "force"/);
    assert.match(d.refusals[1].reason, /unknown action type "rm-rf"/);
  });

  it("is deterministic and leaves the plan as it was", () => {
    const p = plan(scale("a"), deleteObject("d", "v1", "PersistentVolumeClaim", "data"), scale("c", "payments"));
    const copy = structuredClone(p);
    const policy = parsePolicy("namespaces: [hotel-reservation]");
    assert.deepEqual(checkPlan(policy, p), checkPlan(policy, p));
    assert.deepEqual(p, copy);
  });
});
