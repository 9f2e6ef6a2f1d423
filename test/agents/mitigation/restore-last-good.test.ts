/**
 * restore-last-good and the safety around it: a deleted object is recreated from the flight
 * recorder (a Secret's values never in the plan's description or rationale) and its reader
 * restarted; a created one is deleted; a modified Deployment's replicas are scaled back; a revert
 * of a person's change after the onset carries an approval gate the policy guard sees; a write to
 * a credentials Secret (the wrong-database "fix") is held for approval; a Deployment that nothing
 * calls, scaled to zero on purpose, is not held to its old count.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeAction, parseAction } from "../../../src/core/actions/registry.ts";
import { isActionStep, type Plan } from "../../../src/core/plan.ts";
import { checkPlan, DEFAULT_POLICY } from "../../../src/core/policy.ts";
import type { KubeObject, ObjectRef } from "../../../src/kube/types.ts";
import type { AgentContext } from "../../../src/incident/agent.ts";
import type { Diagnosis, Hypothesis } from "../../../src/incident/types.ts";
import { ChangeTracker } from "../../../agents/observe/changes.ts";
import { EmbeddedMitigationAgent } from "../../../agents/mitigation/mitigator.ts";
import { History } from "../../../agents/detection/history.ts";
import { FakeCluster } from "../../telemetry/fake-cluster.ts";
import { deployment, incident, NOW, NS, replicaSet, secret } from "../fixtures.ts";

const KINDS = ["Secret", "Deployment", "NetworkPolicy"];

function readable(objects: KubeObject[]): FakeCluster {
  const c = new FakeCluster(objects);
  Object.assign(c, { read: async (ref: ObjectRef) => structuredClone(objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name && (o.metadata.namespace ?? "") === (ref.namespace ?? ""))) });
  return c;
}
const ctx = (objects: KubeObject[]): AgentContext => ({ client: readable(objects), clock: { now: () => NOW, sleep: async () => {} }, namespaces: [NS] });

function recorder(before: KubeObject[], after: KubeObject[]): ChangeTracker {
  const t = new ChangeTracker();
  t.record(NOW - 200_000, before, KINDS);
  t.record(NOW - 140_000, before, KINDS);
  t.markGood([NS]);
  t.record(NOW - 90_000, after, KINDS);
  return t;
}

function restoreHypothesis(t: ChangeTracker, kind: string, name: string, extra: Hypothesis["facts"] = {}): Hypothesis {
  const lkg = t.lastGood(kind, NS, name, NOW - 60_000)!;
  return {
    rootCause: { kind, namespace: NS, name }, layer: "application", type: "operation-error", summary: `${kind} ${name} changed`, confidence: 0.8, evidence: [{ source: "spec", fact: "geo reads it" }],
    facts: { finding: "recent-change", remedies: "restore-last-good", objectKind: kind, objectNamespace: NS, objectName: name, lastGoodFrom: lkg.version.from, ...extra },
  };
}
const diagnosisOf = (h: Hypothesis): Diagnosis => ({ incidentId: "inc-test", hypotheses: [h], path: [], reasoner: "embedded" });
const actions = (p: Plan) => p.steps.filter(isActionStep).map((s) => s.action);

describe("restore-last-good", () => {
  it("recreates a deleted Secret and restarts its reader, never showing the value", async () => {
    const creds = { ...secret("geo-credentials", { password: "s3cret-pw" }), metadata: { name: "geo-credentials", namespace: NS, uid: "u1", resourceVersion: "7" } };
    const t = recorder([creds], []);
    const p = (await new EmbeddedMitigationAgent({ tracker: t }).propose(incident(["geo"]), diagnosisOf(restoreHypothesis(t, "Secret", "geo-credentials", { deployment: "geo" })), [], ctx([])))!;
    const [create, restart] = actions(p.plan);
    assert.equal(create.type, "create-object");
    const body = (create.params as { object: KubeObject }).object;
    assert.equal(body.metadata.uid, undefined, "server-owned fields dropped");
    assert.equal(restart.type, "rollout-restart");
    const words = `${p.rationale} ${actions(p.plan).map((a) => describeAction(parseAction(a))).join(" ")}`;
    assert.doesNotMatch(words, /s3cret|czNjcmV0/);
    assert.equal(p.origin?.source, "history");
    assert.ok(checkPlan(DEFAULT_POLICY, p.plan).needsApproval.length > 0, "writing credentials needs a person");
  });

  it("deletes a NetworkPolicy created at the onset (held for approval: a deletion) and scales a Deployment back", async () => {
    const np = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "deny", namespace: NS }, spec: { podSelector: {} } };
    const t = recorder([], [np]);
    const p = (await new EmbeddedMitigationAgent({ tracker: t }).propose(incident(["geo"]), diagnosisOf(restoreHypothesis(t, "NetworkPolicy", "deny")), [], ctx([np])))!;
    assert.deepEqual(actions(p.plan), [{ type: "delete-object", params: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespace: NS, name: "deny" } }]);
    assert.ok(checkPlan(DEFAULT_POLICY, p.plan).needsApproval.some((n) => n.risk === "high"));

    const geo = deployment("geo", { replicas: 2 });
    const down = deployment("geo", { replicas: 0 });
    const t2 = recorder([geo], [down]);
    const p2 = (await new EmbeddedMitigationAgent({ tracker: t2 }).propose(incident(["geo"]), diagnosisOf(restoreHypothesis(t2, "Deployment", "geo")), [], ctx([down])))!;
    assert.deepEqual(actions(p2.plan), [{ type: "scale", params: { kind: "Deployment", namespace: NS, name: "geo", replicas: 2 } }]);
  });

  it("restores a pod template to the revision that holds the last known good one, not merely the previous revision", async () => {
    // Revision 1 is good; 2 broke the image; 3 is an earlier attempt's restart of the broken
    // template (rolled back since): "the previous revision" (2) is as broken as the current one.
    const good = deployment("geo", { revision: 1 });
    const broken = deployment("geo", { image: "example/app:9.9.9", revision: 3 });
    const restarted = structuredClone(broken.spec.template);
    restarted.metadata.annotations = { "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z" };
    const t = recorder([good], [broken]);
    const cluster = [broken, replicaSet(good, 1), replicaSet(broken, 2), replicaSet(broken, 3, restarted)];
    const p = (await new EmbeddedMitigationAgent({ tracker: t }).propose(incident(["geo"]), diagnosisOf(restoreHypothesis(t, "Deployment", "geo")), [], ctx(cluster)))!;
    assert.deepEqual(actions(p.plan)[0], { type: "rollout-undo", params: { namespace: NS, name: "geo", toRevision: 1 } });
  });

  it("never reverts a person's change after the onset silently: the plan carries a gate the guard sees", async () => {
    const geo = deployment("geo", { replicas: 2 });
    const down = deployment("geo", { replicas: 1 });
    const t = recorder([geo], [down]);
    const p = (await new EmbeddedMitigationAgent({ tracker: t }).propose(incident(["geo"]), diagnosisOf(restoreHypothesis(t, "Deployment", "geo", { personAfterOnset: "kubectl-edit" })), [], ctx([down])))!;
    assert.match(p.plan.approval?.reason ?? "", /kubectl-edit made after the onset/);
    assert.ok(checkPlan(DEFAULT_POLICY, p.plan).needsApproval.some((n) => n.stepId === "(plan)"));
  });

  it("holds a write to another database's credentials Secret for approval (the wrong-database fix)", () => {
    const plan: Plan = { steps: [{ id: "restore-user", action: { type: "set-config", params: { namespace: NS, kind: "Secret", name: "mongodb-rate-users", key: "users.json", value: "[]" } } }] };
    const d = checkPlan(DEFAULT_POLICY, plan);
    assert.ok(d.allowed && d.needsApproval.length === 1, "allowed only with a person's approval");
  });
});

describe("an intentional scale-down", () => {
  it("is not held to its healthy count when nothing calls it; a called one still is", () => {
    const h = new History();
    const cache = deployment("media-memcached", { replicas: 1 });
    const geo = deployment("geo", { replicas: 1 });
    for (const d of [cache, geo]) d.status = { availableReplicas: 1 };
    h.learnReplicas([cache, geo], new Set());
    h.learnCalled([`${NS}/geo`]);
    const base = h.baseline([deployment("media-memcached", { replicas: 0 }), deployment("geo", { replicas: 0 })]);
    assert.equal(base?.get(`${NS}/media-memcached`), undefined);
    assert.equal(base?.get(`${NS}/geo`), 1);
  });
});
