/** deployments-available against in-memory objects: pre-incident counts, scale-to-zero, deletion. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deploymentsAvailable } from "../../../src/telemetry/checks/deployments-available.ts";
import { deployment, runCheck } from "../fake-cluster.ts";

describe("deployments-available", () => {
  it("passes a Deployment with all replicas available, judged against spec.replicas without a baseline", async () => {
    const [r] = await runCheck(deploymentsAvailable, [deployment("hr", "geo", 2, 2)]);
    assert.deepEqual([r.entity, r.status, r.value, r.threshold], ["hr/geo", "pass", 2, 2]);
  });

  it("fails a Deployment scaled to zero when it had 2 replicas before the incident", async () => {
    const [r] = await runCheck(deploymentsAvailable, [deployment("hr", "geo", 0, 0)], { baselineReplicas: new Map([["hr/geo", 2]]) });
    assert.equal(r.status, "fail");
    assert.deepEqual([r.value, r.threshold], [0, 2]);
    assert.match(r.evidence.join("\n"), /0 available of 2 desired \(2 before the incident\)[\s\S]*spec\.replicas is 0, below the 2/);
  });

  it("fails a Deployment of the baseline that was deleted, but not one outside the scope", async () => {
    const results = await runCheck(deploymentsAvailable, [], { baselineReplicas: new Map([["hr/geo", 1], ["kube-system/coredns", 2], ["hr/batch", 0]]) });
    assert.deepEqual(results.map((r) => [r.entity, r.status]), [["hr/geo", "fail"]]);
    assert.match(results[0].evidence[0], /no longer exists; it had 1 replicas before the incident/);
  });

  it("quotes the conditions that say why replicas are missing", async () => {
    const d = deployment("hr", "geo", 2, 1);
    d.status.conditions = [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: 'ReplicaSet "geo-abc12" has timed out progressing.' }];
    const [r] = await runCheck(deploymentsAvailable, [d]);
    assert.equal(r.status, "fail");
    assert.ok(r.evidence.includes('condition Progressing=False (ProgressDeadlineExceeded): ReplicaSet "geo-abc12" has timed out progressing.'));
  });
});
