/**
 * StatefulSet and PodDisruptionBudget, stored so manifests like deploy/ apply: defaults, a mount of
 * a volumeClaimTemplate accepted (the claim is the pod's volume), a mount of nothing rejected,
 * and a budget that sets both minAvailable and maxUnavailable rejected.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { lines, newStore, rejection } from "./fixture.ts";

const sts = (mount: string) => ({
  apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "stratus", namespace: "default" },
  spec: {
    serviceName: "stratus", selector: { matchLabels: { app: "stratus" } },
    template: { metadata: { labels: { app: "stratus" } }, spec: { containers: [{ name: "w", image: "stratus:1", volumeMounts: [{ name: mount, mountPath: "/data" }] }] } },
    volumeClaimTemplates: [{ metadata: { name: "ledger" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
  },
});

describe("StatefulSet", () => {
  it("defaults like apps/v1 and lets containers mount a volumeClaimTemplate", () => {
    const { store, rt } = newStore();
    const s = store.create(rt("apps", "statefulsets"), sts("ledger"));
    assert.equal(s.spec.replicas, 1);
    assert.equal(s.spec.podManagementPolicy, "OrderedReady");
    assert.deepEqual(s.spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { partition: 0 } });
    assert.equal(s.spec.template.spec.volumes, undefined, "the claim is not written into the stored template");
  });

  it("rejects a mount of a volume that is neither in the pod nor a claim template", () => {
    const { store, rt } = newStore();
    assert.deepEqual(lines(rejection(() => store.create(rt("apps", "statefulsets"), sts("missing")))), ['spec.template.spec.containers[0].volumeMounts[0].name: Not found: "missing"']);
  });
});

describe("PodDisruptionBudget", () => {
  it("allows one of minAvailable and maxUnavailable, not both", () => {
    const { store, rt } = newStore();
    const pdb = (spec: Record<string, unknown>) => ({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "p", namespace: "default" }, spec: { selector: { matchLabels: { app: "x" } }, ...spec } });
    assert.equal(store.create(rt("policy", "poddisruptionbudgets"), pdb({ maxUnavailable: 1 })).spec.maxUnavailable, 1);
    assert.deepEqual(lines(rejection(() => store.create(rt("policy", "poddisruptionbudgets"), { ...pdb({ minAvailable: "50%", maxUnavailable: 1 }), metadata: { name: "q", namespace: "default" } }))), [
      "spec: Invalid value: policy.PodDisruptionBudgetSpec: minAvailable and maxUnavailable cannot be both set",
    ]);
  });
});
