/** pods-pending against in-memory pods and events: the grace period and the evidence of why. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { podsPending } from "../../../src/telemetry/checks/pods-pending.ts";
import { pod, replicaSet, running, runCheck, waiting } from "../fake-cluster.ts";

const unschedulable = { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector." }] };

describe("pods-pending", () => {
  it("fails pods Pending beyond the grace period, with their condition and FailedScheduling events", async () => {
    const stuck = pod("hr", "geo", "1", unschedulable, 120_000);
    const event = { apiVersion: "v1", kind: "Event", metadata: { name: "geo.1", namespace: "hr" }, reason: "FailedScheduling", count: 3, message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.", involvedObject: { kind: "Pod", name: stuck.metadata.name, namespace: "hr" } };
    const [r] = await runCheck(podsPending, [replicaSet("hr", "geo"), stuck, event]);
    assert.deepEqual([r.entity, r.status, r.value], ["hr/geo", "fail", 1]);
    assert.match(r.evidence[0], /pod geo-abc12-1 Pending for 120s \(grace 60s\)/);
    assert.match(r.evidence[1], /PodScheduled=False \(Unschedulable\): 0\/3 nodes are available/);
    assert.match(r.evidence[2], /event FailedScheduling \(x3\): 0\/3 nodes/);
  });

  it("passes a pod within its grace period, a running one, and leaves image-pull failures to container-states", async () => {
    const objects = [replicaSet("hr", "a"), pod("hr", "a", "1", unschedulable, 10_000), replicaSet("hr", "b"), pod("hr", "b", "1", running()), replicaSet("hr", "c"), pod("hr", "c", "1", waiting("ImagePullBackOff", "Back-off"), 600_000)];
    const results = await runCheck(podsPending, objects);
    assert.deepEqual(results.map((r) => [r.entity, r.status]), [["hr/a", "pass"], ["hr/b", "pass"], ["hr/c", "pass"]]);
  });
});
