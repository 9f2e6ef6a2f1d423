/** Bounded logs: which containers are worth reading, and excerpts deduplicated and capped. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { boundLines, failingContainers, readLogs } from "../../../agents/observe/logs.ts";
import { FakeCluster } from "../../telemetry/fake-cluster.ts";
import { deployment, exited, pod, replicaSet, running, waiting } from "../fixtures.ts";

describe("observation logs", () => {
  it("reads crashing containers first (their previous instance too), skips healthy ones", () => {
    const rs = replicaSet(deployment("geo"), 1);
    const reqs = failingContainers([pod(rs, "ok", running("geo")), pod(rs, "bad", waiting("geo", "CrashLoopBackOff", "", { restarts: 3, last: exited("Error", 2) }))]);
    assert.deepEqual(reqs.map((r) => [r.pod, r.previous]), [["geo-r1-bad", true]]);
  });

  it("keeps the last distinct lines, each cut to length, and skips logs it cannot read", async () => {
    assert.deepEqual(boundLines("a\n2026/01/01 00:00:01 same\n2026/01/01 00:00:02 same\nb\n" + "x".repeat(50), 3, 30), ["2026/01/01 00:00:02 same", "b", `${"x".repeat(30)}…`]);
    const client = new FakeCluster();
    Object.assign(client, {
      podLogs: async (_ns: string, pod: string) => {
        if (pod === "gone") throw new Error("404");
        return "line one\nline two\n";
      },
    });
    const got = await readLogs(client, [{ namespace: "hr", pod: "gone", container: "c", previous: false }, { namespace: "hr", pod: "p", container: "c", previous: false }]);
    assert.deepEqual(got, [{ namespace: "hr", pod: "p", container: "c", previous: false, lines: ["line one", "line two"] }]);
  });
});
