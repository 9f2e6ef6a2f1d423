/** pods-ready against in-memory pods: a container running but never Ready fails after the grace period. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { podsReady } from "../../../src/telemetry/checks/pods-ready.ts";
import { iso, pod, replicaSet, running, runCheck, waiting } from "../fake-cluster.ts";

const unready = (startedMsAgo: number) => ({
  phase: "Running",
  containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { running: { startedAt: iso(startedMsAgo) } } }],
});

describe("pods-ready", () => {
  it("fails a container running but not Ready beyond the grace period", async () => {
    const [r] = await runCheck(podsReady, [replicaSet("hr", "search"), pod("hr", "search", "1", unready(300_000))]);
    assert.deepEqual([r.entity, r.status, r.value], ["hr/search", "fail", 1]);
    assert.match(r.evidence[0], /pod search-abc12-1 container app running for 300s but not Ready \(grace 60s\)/);
  });

  it("passes a container still warming up, a Ready one, and leaves crash loops to container-states", async () => {
    const objects = [
      replicaSet("hr", "a"), pod("hr", "a", "1", unready(10_000)),
      replicaSet("hr", "b"), pod("hr", "b", "1", running()),
      replicaSet("hr", "c"), pod("hr", "c", "1", waiting("CrashLoopBackOff", "back-off 40s", 4)),
    ];
    const results = await runCheck(podsReady, objects);
    assert.deepEqual(results.map((r) => [r.entity, r.status]), [["hr/a", "pass"], ["hr/b", "pass"], ["hr/c", "pass"]]);
  });
});
