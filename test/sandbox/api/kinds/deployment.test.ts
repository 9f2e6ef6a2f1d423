import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { deploymentKind } from "../../../../sandbox/api/kinds/deployment.ts";
import { replicaSetKind } from "../../../../sandbox/api/kinds/replicaset.ts";
import type { KObject } from "../../../../sandbox/api/types.ts";
import { lines, newStore, rejection, START } from "./fixture.ts";

const deployment = (spec: Record<string, unknown> = {}, labels: Record<string, string> = { app: "web" }): KObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default" },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "nginx:1.25" }] } },
    ...spec,
  },
});

describe("Deployment defaulting", () => {
  it("fills replicas, the rolling-update strategy, limits and the template's pod spec", () => {
    const { store, rt } = newStore();
    const d = store.create(rt("apps", "deployments"), { ...deployment(), status: { replicas: 9 } });
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    const t = d.spec.template.spec;
    assert.equal(t.restartPolicy, "Always");
    assert.equal(t.containers[0].imagePullPolicy, "IfNotPresent");
    assert.equal(t.serviceAccountName, undefined, "the ServiceAccount plugin only touches pods");
    assert.equal(t.tolerations, undefined);
    assert.deepEqual(d.status, {}, "status is cleared on create");
    assert.equal(d.metadata.generation, 1);
  });

  it("leaves Recreate without rollingUpdate", () => {
    const { store, rt } = newStore();
    const d = store.create(rt("apps", "deployments"), deployment({ strategy: { type: "Recreate" } }));
    assert.deepEqual(d.spec.strategy, { type: "Recreate" });
  });
});

describe("Deployment validation", () => {
  it("rejects a template whose labels the selector does not match", () => {
    const { store, rt } = newStore();
    const causes = rejection(() => store.create(rt("apps", "deployments"), deployment({}, { app: "other", tier: "x" })));
    assert.deepEqual(lines(causes), ["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\", \"tier\":\"x\"}: `selector` does not match template `labels`"]);
  });

  it("requires a selector, and reports the template mismatch as the real server does", () => {
    const { store, rt } = newStore();
    const d = deployment();
    delete d.spec.selector;
    assert.deepEqual(lines(rejection(() => store.create(rt("apps", "deployments"), d))), [
      "spec.selector: Required value",
      "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`",
    ]);
  });

  it("checks replicas, restartPolicy, strategy and deadlines", () => {
    const { store, rt } = newStore();
    const d = deployment({ replicas: -1, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }, progressDeadlineSeconds: 5, minReadySeconds: 10 });
    d.spec.template.spec.restartPolicy = "Never";
    assert.deepEqual(lines(rejection(() => store.create(rt("apps", "deployments"), d))), [
      "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
      "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
      "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0",
      "spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds",
    ]);
  });

  it("keeps the selector immutable (apps/v1)", () => {
    const { store, rt } = newStore();
    const deploys = rt("apps", "deployments");
    store.create(deploys, deployment());
    const causes = rejection(() => store.mutate(deploys, "default", "web", (d) => {
      d.spec.selector = { matchLabels: { app: "web2" } };
      d.spec.template.metadata.labels = { app: "web2" };
    }));
    assert.deepEqual(lines(causes), ["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"]);
    const scaled = store.mutate(deploys, "default", "web", (d) => { d.spec.replicas = 3; });
    assert.equal(scaled.spec.replicas, 3);
  });
});

describe("Deployment and ReplicaSet tables", () => {
  it("reads READY, UP-TO-DATE, AVAILABLE and the wide columns from spec and status", () => {
    const d = deployment({ replicas: 3 });
    d.metadata.creationTimestamp = new Date(START).toISOString();
    d.spec.template.spec.containers.push({ name: "sidecar", image: "envoy:1.30" });
    d.status = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    assert.deepEqual(deploymentKind.table!.cells(d, START + 90_000), ["web", "2/3", 3, 2, "90s", "web,sidecar", "nginx:1.25,envoy:1.30", "app=web"]);
  });

  it("defaults and tabulates a ReplicaSet", () => {
    const { store, rt } = newStore();
    const rs = store.create(rt("apps", "replicasets"), { ...deployment(), kind: "ReplicaSet", metadata: { name: "web-abc", namespace: "default" } });
    assert.equal(rs.spec.replicas, 1);
    assert.deepEqual(rs.status, { replicas: 0 });
    assert.deepEqual(replicaSetKind.table!.cells(rs, Date.parse(rs.metadata.creationTimestamp!) + 5000), ["web-abc", 1, 0, 0, "5s", "web", "nginx:1.25", "app=web"]);
  });
});
