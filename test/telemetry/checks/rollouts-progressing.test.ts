/** rollouts-progressing against in-memory Deployments and their Progressing condition. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rolloutsProgressing } from "../../../src/telemetry/checks/rollouts-progressing.ts";
import { deployment, runCheck } from "../fake-cluster.ts";

describe("rollouts-progressing", () => {
  it("fails a rollout past its progress deadline and passes one progressing, complete, or without a deadline", async () => {
    const stuck = deployment("hr", "geo", 1, 1);
    stuck.status.conditions = [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: 'ReplicaSet "geo-2" has timed out progressing.' }];
    const moving = deployment("hr", "rate", 1, 1);
    moving.status.conditions = [{ type: "Progressing", status: "True", reason: "ReplicaSetUpdated" }];
    const results = await runCheck(rolloutsProgressing, [stuck, moving, deployment("hr", "search", 1, 1)]);
    assert.deepEqual(results.map((r) => [r.entity, r.status]), [["hr/geo", "fail"], ["hr/rate", "pass"], ["hr/search", "pass"]]);
    assert.match(results[0].evidence[0], /Progressing=False \(ProgressDeadlineExceeded\): ReplicaSet "geo-2" has timed out progressing/);
    assert.match(results[2].evidence[0], /no progress deadline/);
  });
});
