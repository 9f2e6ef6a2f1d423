/** pending-pvc on hand-built observations: a claim asking for a storage class that does not exist. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, event, NS, observation, pending, pod, replicaSet } from "../../fixtures.ts";

describe("rule pending-pvc", () => {
  it("blames the database Deployment, naming the claim and a class that exists", () => {
    const d = deployment("mongodb-profile", { port: 27017, volumes: [{ name: "data", persistentVolumeClaim: { claimName: "mongodb-profile-pvc" } }] });
    const rs = replicaSet(d, 1);
    const pvc = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "mongodb-profile-pvc", namespace: NS }, spec: { storageClassName: "gp3", accessModes: ["ReadWriteOnce"] }, status: { phase: "Pending" } };
    const sc = { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }, provisioner: "rancher.io/local-path" };
    const obs = observation({
      objects: [d, rs, pod(rs, "a", pending("0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."), 120_000), pvc, sc,
        event("PersistentVolumeClaim", "mongodb-profile-pvc", "ProvisioningFailed", 'storageclass.storage.k8s.io "gp3" not found')],
    });
    const h = diagnose(obs, ["mongodb-profile"]).hypotheses[0];
    assert.deepEqual([h.rootCause.kind, h.rootCause.name, h.layer, h.type], ["Deployment", "mongodb-profile", "storage", "misconfiguration"]);
    assert.deepEqual([h.facts.pvc, h.facts.storageClass, h.facts.validStorageClass, h.facts.remedies], ["mongodb-profile-pvc", "gp3", "standard", "recreate-pvc"]);
  });
});
