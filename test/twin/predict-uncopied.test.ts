/**
 * A plan that touches an object the twin has no copy of — a chaos experiment (a CRD the twin does
 * not serve), a pod by name (the twin's pods have other names) — is not predictable: it would fail
 * on the twin whatever it does live. The prediction is "uncertain", says which kind, and no twin
 * is started for it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ClusterClient } from "../../src/kube/cluster-client.ts";
import { predictPlan } from "../../src/twin/predict.ts";
import type { TwinLauncher } from "../../src/twin/twin.ts";

const launcher: TwinLauncher & { started: number } = {
  started: 0,
  async start() {
    this.started++;
    throw new Error("no twin should be started for this plan");
  },
};
const live = {} as ClusterClient; // never read: the plan is judged unpredictable first

describe("predictPlan on objects a twin does not copy", () => {
  it("a chaos experiment's deletion: uncertain, naming the kind, no twin started", async () => {
    const p = await predictPlan({
      plan: { steps: [{ id: "stop-chaos", action: { type: "delete-object", params: { apiVersion: "chaos-mesh.org/v1alpha1", kind: "NetworkChaos", namespace: "shop", name: "delay" } } }] },
      live, launcher,
    });
    assert.equal(p.verdict, "uncertain");
    assert.match(p.reasons.join("; "), /touches NetworkChaos, which the twin does not copy/);
    assert.equal(launcher.started, 0);
  });

  it("a pod deleted by name: uncertain", async () => {
    const p = await predictPlan({ plan: { steps: [{ id: "kill", action: { type: "delete-pod", params: { namespace: "shop", name: "web-7d9f-abcde" } } }] }, live, launcher });
    assert.equal(p.verdict, "uncertain");
    assert.match(p.reasons.join("; "), /touches Pod/);
  });
});
