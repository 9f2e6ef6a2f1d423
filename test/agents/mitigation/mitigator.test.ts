/**
 * The embedded mitigation reasoner on hand-made diagnoses: it turns the best hypothesis into a valid
 * plan (revert first, then the targeted fix), proposes something different after each failed attempt
 * (reflection), moves on to the next hypothesis, and ends with null when nothing is left.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { digestOf } from "../../../src/core/transaction.ts";
import { isActionStep, isWaitStep } from "../../../src/core/plan.ts";
import type { KubeObject, ObjectRef } from "../../../src/kube/types.ts";
import { DEFAULT_PLAYBOOK_DIR, loadPlaybookDir } from "../../../src/playbooks/index.ts";
import { EmbeddedMitigationAgent } from "../../../agents/mitigation/mitigator.ts";
import { hypothesis } from "../../../agents/diagnosis/rule.ts";
import type { AgentContext } from "../../../src/incident/agent.ts";
import type { Attempt, Diagnosis, Hypothesis } from "../../../src/incident/types.ts";
import { FakeCluster } from "../../telemetry/fake-cluster.ts";
import { deployment, incident, NOW, NS, secret, service } from "../fixtures.ts";

/** The in-memory cluster, readable by name (remedies read the object they rewrite). */
function readable(objects: KubeObject[]): FakeCluster {
  const c = new FakeCluster(objects);
  Object.assign(c, { read: async (ref: ObjectRef) => structuredClone(objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name && (o.metadata.namespace ?? "") === (ref.namespace ?? ""))) });
  return c;
}

const ctx = (objects: KubeObject[] = []): AgentContext => ({ client: readable(objects), clock: { now: () => NOW, sleep: async () => {} }, namespaces: [NS] });
const diagnosisOf = (...hypotheses: Hypothesis[]): Diagnosis => ({ incidentId: "inc-test", hypotheses, path: [], reasoner: "embedded" });
const attemptOf = (n: number, p: { plan: object; hypothesis: Hypothesis }, outcome: Attempt["outcome"] = "rolled-back"): Attempt =>
  ({ n, hypothesis: p.hypothesis.summary, plan: "", planDigest: digestOf(p.plan as never), outcome, reason: "health did not improve" });

const imagePull = hypothesis({
  finding: "image-unpullable", rootCause: { kind: "Deployment", namespace: NS, name: "rate" }, summary: "rate cannot pull its image", confidence: 0.95, evidence: [],
  facts: { deployment: "rate", container: "rate", lastGoodImage: "example/app:1.0.0", previousRevision: 1 }, remedies: ["rollout-undo", "set-image"],
});
const targetPort = hypothesis({
  finding: "service-port-mismatch", rootCause: { kind: "Service", namespace: NS, name: "rate" }, summary: "rate targets 9999", confidence: 0.6, evidence: [],
  facts: { service: "rate", portIndex: 0, servedPort: 8084 }, remedies: ["restore-target-port"],
});

describe("embedded mitigation", () => {
  it("reverts first: a rollback to the last good revision, then a wait for the rollout", async () => {
    const p = (await new EmbeddedMitigationAgent().propose(incident(["rate"]), diagnosisOf(imagePull), [], ctx()))!;
    const [step, wait] = p.plan.steps;
    assert.ok(isActionStep(step) && isWaitStep(wait));
    assert.deepEqual(step.action, { type: "rollout-undo", params: { namespace: NS, name: "rate", toRevision: 1 } });
    assert.deepEqual(wait.wait.until, { deploymentAvailable: { namespace: NS, name: "rate" } });
    assert.equal(p.hypothesis, imagePull);
    assert.match(p.rationale, /roll rate back to revision 1/);
  });

  it("proposes something different after each failed attempt, then the next hypothesis, then nothing", async () => {
    const agent = new EmbeddedMitigationAgent();
    const diag = diagnosisOf(imagePull, targetPort);
    const c = ctx([service("rate", 8084, { targetPort: 9999 })]);
    const attempts: Attempt[] = [];
    const types: string[] = [];
    for (let n = 1; n <= 4; n++) {
      const p = await agent.propose(incident(["rate"]), diag, attempts, c);
      if (!p) break;
      assert.ok(!attempts.some((a) => a.planDigest === digestOf(p.plan)), "a new plan each time");
      types.push(p.plan.steps.filter(isActionStep).map((s) => s.action.type).join("+"));
      attempts.push(attemptOf(n, p));
    }
    assert.deepEqual(types, ["rollout-undo", "set-image", "update-service"]);
    assert.equal(await agent.propose(incident(["rate"]), diag, attempts, c), null);
  });

  it("keeps every other port of a Service when it restores one targetPort", async () => {
    const svc = service("rate", 8084, { targetPort: 9999 });
    svc.spec.ports.push({ name: "metrics", protocol: "TCP", port: 9100, targetPort: 9100 });
    const p = (await new EmbeddedMitigationAgent().propose(incident(["rate"]), diagnosisOf(targetPort), [], ctx([svc])))!;
    const [step] = p.plan.steps;
    assert.ok(isActionStep(step));
    assert.deepEqual(step.action.params.ports, [
      { name: "http", protocol: "TCP", port: 8084, targetPort: 8084 },
      { name: "metrics", protocol: "TCP", port: 9100, targetPort: 9100 },
    ]);
  });

  it("re-declares a database user with the clients' password and its role", async () => {
    const h = hypothesis({
      finding: "db-credentials-rejected", rootCause: { kind: "Deployment", namespace: NS, name: "mongodb-geo" }, summary: "geo missing", confidence: 0.9, evidence: [],
      facts: { usersSecret: "mongodb-geo-users", usersKey: "users.json", user: "geo", credentialsSecret: "mongodb-geo-credentials", passwordKey: "password", databaseName: "geo-db" },
      remedies: ["restore-secret", "restore-db-user"],
    });
    const objects = [secret("mongodb-geo-users", { "users.json": '[{"user":"admin","password":"x","roles":[{"role":"root","db":"admin"}]}]' }), secret("mongodb-geo-credentials", { username: "geo", password: "pw1" })];
    const p = (await new EmbeddedMitigationAgent().propose(incident(["geo"]), diagnosisOf(h), [], ctx(objects)))!;
    const [step] = p.plan.steps;
    assert.ok(isActionStep(step));
    assert.equal(step.action.type, "set-config");
    assert.deepEqual(JSON.parse(String(step.action.params.value)), [
      { user: "admin", password: "x", roles: [{ role: "root", db: "admin" }] },
      { user: "geo", password: "pw1", roles: [{ role: "readWrite", db: "geo-db" }] },
    ]);
  });

  it("gives a database a claim that can bind without deleting the old one (the policy never deletes claims)", async () => {
    const h = hypothesis({
      finding: "pvc-unbound", rootCause: { kind: "Deployment", namespace: NS, name: "mongodb-profile" }, summary: "claim unbound", confidence: 0.9, evidence: [],
      facts: { deployment: "mongodb-profile", pvc: "mongodb-profile-pvc", validStorageClass: "standard" }, remedies: ["recreate-pvc"],
    });
    const d = deployment("mongodb-profile", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "mongodb-profile-pvc" } }] });
    const pvc = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "mongodb-profile-pvc", namespace: NS }, spec: { storageClassName: "gp3", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } };
    const p = (await new EmbeddedMitigationAgent().propose(incident(["mongodb-profile"]), diagnosisOf(h), [], ctx([d, pvc])))!;
    const actions = p.plan.steps.filter(isActionStep).map((s) => s.action);
    assert.deepEqual(actions.map((a) => a.type), ["create-object", "patch"]);
    assert.equal((actions[0].params.object as KubeObject).spec.storageClassName, "standard");
    assert.equal((actions[0].params.object as KubeObject).metadata.name, "mongodb-profile-pvc-r2");
    assert.ok(!actions.some((a) => a.type === "delete-object"));
  });

  it("acts on nothing below the confidence floor, and tries a planner's plan (playbooks) before its own", async () => {
    const weak = { ...imagePull, confidence: 0.1 };
    assert.equal(await new EmbeddedMitigationAgent().propose(incident(["rate"]), diagnosisOf(weak), [], ctx()), null);
    const planner = async () => [{ plan: { steps: [{ id: "restart", action: { type: "rollout-restart", params: { namespace: NS, name: "rate" } } }] }, rationale: "from a playbook", origin: { playbook: "x" } }];
    const p = (await new EmbeddedMitigationAgent({ planner }).propose(incident(["rate"]), diagnosisOf(imagePull), [], ctx()))!;
    assert.equal(p.rationale.startsWith("from a playbook"), true);
    assert.deepEqual(p.origin, { playbook: "x" });
  });

  it("draws the fix from the remedy's playbook when one fits, and falls back to the built-in remedy when none binds", async () => {
    const playbooks = loadPlaybookDir(DEFAULT_PLAYBOOK_DIR).playbooks;
    const scaled = hypothesis({
      finding: "scaled-down", rootCause: { kind: "Deployment", namespace: NS, name: "reservation" }, summary: "scaled to zero", confidence: 0.9, evidence: [],
      facts: { deployment: "reservation", preIncidentReplicas: 2 }, remedies: ["scale-back"],
    });
    const agent = new EmbeddedMitigationAgent({ playbooks });
    const p = (await agent.propose(incident(["reservation"]), diagnosisOf(scaled), [], ctx([deployment("reservation", { replicas: 0, available: 0 })])))!;
    assert.equal(p.origin?.playbook, "scale-back");
    const scale = p.plan.steps.filter(isActionStep).find((s) => s.action.type === "scale");
    assert.equal(scale?.action.params.replicas, 2);
    // The same fix in its built-in form is not "something different" after the playbook's failed.
    assert.equal(await agent.propose(incident(["reservation"]), diagnosisOf(scaled), [attemptOf(1, p)], ctx([deployment("reservation", { replicas: 0, available: 0 })])), null);
    // image-pull's set-image has no playbook: the built-in remedy.
    const q = (await agent.propose(incident(["rate"]), diagnosisOf({ ...imagePull, facts: { ...imagePull.facts, remedies: "set-image" } }), [], ctx()))!;
    assert.equal(q.origin?.playbook, undefined);
    assert.equal(q.origin?.remedy, "set-image");
  });
});
