/** container-states against in-memory pods: bad waiting reasons, recent deaths, noise, entities. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { containerStates } from "../../../src/telemetry/checks/container-states.ts";
import { iso, pod, replicaSet, running, runCheck, waiting } from "../fake-cluster.ts";

const oom = (msAgo: number) => ({ terminated: { reason: "OOMKilled", exitCode: 137, finishedAt: iso(msAgo) } });

describe("container-states", () => {
  it("fails a workload whose container cannot pull its image, naming pod, container, reason and message", async () => {
    const objects = [replicaSet("hr", "geo"), pod("hr", "geo", "x1", waiting("ImagePullBackOff", 'Back-off pulling image "geo:9.9"')), pod("hr", "geo", "x2", running())];
    const [r] = await runCheck(containerStates, objects);
    assert.deepEqual([r.entity, r.status, r.value], ["hr/geo", "fail", 1]);
    assert.deepEqual(r.evidence, ['pod geo-abc12-x1 container app: waiting: ImagePullBackOff: Back-off pulling image "geo:9.9"']);
  });

  it("fails CrashLoopBackOff and a recent OOMKill of a container that is not back to normal", async () => {
    const objects = [
      replicaSet("hr", "a"), pod("hr", "a", "1", waiting("CrashLoopBackOff", "back-off 40s restarting failed container", 4, oom(30_000))),
      replicaSet("hr", "b"), pod("hr", "b", "1", running(3, oom(60_000))),
    ];
    const results = await runCheck(containerStates, objects);
    assert.deepEqual(results.map((r) => [r.entity, r.status]), [["hr/a", "fail"], ["hr/b", "fail"]]);
    assert.match(results[0].evidence[0], /CrashLoopBackOff: back-off 40s restarting failed container; 4 restart\(s\)/);
    assert.match(results[1].evidence[0], /last terminated at .* OOMKilled \(exit code 137\); 3 restart\(s\)/);
  });

  it("passes one restart after which the container runs and is ready, and an old death", async () => {
    const objects = [replicaSet("hr", "a"), pod("hr", "a", "1", running(1, { terminated: { reason: "Error", exitCode: 1, finishedAt: iso(20_000) } })), replicaSet("hr", "b"), pod("hr", "b", "1", running(7, oom(3_600_000)))];
    const results = await runCheck(containerStates, objects);
    assert.deepEqual(results.map((r) => [r.entity, r.status]), [["hr/a", "pass"], ["hr/b", "pass"]]);
  });

  it("ignores terminating pods and names a bare pod by itself", async () => {
    const leaving = pod("hr", "a", "old", waiting("CrashLoopBackOff", ""));
    leaving.metadata.deletionTimestamp = iso(1_000);
    const bare = pod("hr", "x", "bare", running());
    bare.metadata.ownerReferences = undefined;
    const results = await runCheck(containerStates, [replicaSet("hr", "a"), leaving, bare]);
    assert.deepEqual(results.map((r) => [r.entity, r.status]), [["hr/x-abc12-bare", "pass"]]);
  });
});
