/** restarts against in-memory pods: growth from a previous observation, and without one. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { restarts } from "../../../src/telemetry/checks/restarts.ts";
import { iso, NOW, pod, replicaSet, running, runCheck } from "../fake-cluster.ts";

const previous = (counts: Record<string, number>) => ({ at: new Date(NOW - 60_000).toISOString(), restarts: counts });

describe("restarts", () => {
  it("tolerates one restart since the previous observation and fails two", async () => {
    const objects = [replicaSet("hr", "a"), pod("hr", "a", "1", running(4)), replicaSet("hr", "b"), pod("hr", "b", "1", running(5))];
    const results = await runCheck(restarts, objects, { previous: previous({ "hr/a-abc12-1/app": 3, "hr/b-abc12-1/app": 3 }) });
    assert.deepEqual(results.map((r) => [r.entity, r.status, r.value]), [["hr/a", "pass", 1], ["hr/b", "fail", 2]]);
    assert.match(results[1].evidence.join("\n"), /largest growth 2 since .*tolerated: 1[\s\S]*pod b-abc12-1 container app: restarts 3 → 5/);
  });

  it("counts every restart of a pod that is new since the previous observation", async () => {
    const [r] = await runCheck(restarts, [replicaSet("hr", "a"), pod("hr", "a", "new", running(2))], { previous: previous({}) });
    assert.equal(r.status, "fail");
    assert.match(r.evidence[1], /2 restart\(s\) since it started/);
  });

  it("without a previous observation, fails only recent restarts above the tolerance", async () => {
    const recent = { terminated: { reason: "Error", exitCode: 2, finishedAt: iso(10_000) } };
    const old = { terminated: { reason: "Error", exitCode: 2, finishedAt: iso(86_400_000) } };
    const objects = [replicaSet("hr", "a"), pod("hr", "a", "1", running(3, recent)), replicaSet("hr", "b"), pod("hr", "b", "1", running(9, old))];
    const results = await runCheck(restarts, objects);
    assert.deepEqual(results.map((r) => [r.entity, r.status]), [["hr/a", "fail"], ["hr/b", "pass"]]);
  });

  it("takes its tolerance from config", async () => {
    const [r] = await runCheck(restarts, [replicaSet("hr", "a"), pod("hr", "a", "1", running(5))], { previous: previous({ "hr/a-abc12-1/app": 2 }), config: { restartGrowthTolerance: 3 } });
    assert.deepEqual([r.status, r.threshold], ["pass", 3]);
  });
});
