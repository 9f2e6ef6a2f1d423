/** call-errors against an in-memory metric source's call edges. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { callErrors } from "../../../src/telemetry/checks/call-errors.ts";
import type { CallEdge, MetricSource } from "../../../src/telemetry/metric-source.ts";
import { runCheck } from "../fake-cluster.ts";

const source = (edges: CallEdge[]): MetricSource => ({
  name: "fake",
  serviceStats: async () => new Map(),
  callEdges: async () => edges,
  firingAlerts: async () => [],
});

describe("call-errors", () => {
  it("fails a callee whose callers see more errors than its SLO, under the callee, with each failing edge as evidence", async () => {
    const edges = [
      { service: "frontend", callee: "geo", rate: 5, errorRatio: 0.6 },
      { service: "search", callee: "geo", rate: 2, errorRatio: 0 },
      { service: "frontend", callee: "rate", rate: 5, errorRatio: 0.005 },
      { service: "frontend", callee: "idle", rate: 0.01, errorRatio: 1 },
    ];
    const results = await runCheck(callErrors, [], { metrics: source(edges) });
    assert.deepEqual(results.map((r) => [r.entity, r.status]), [["hr/geo", "fail"], ["hr/idle", "skipped"], ["hr/rate", "pass"]]);
    assert.deepEqual(results[0].evidence, ["frontend → geo: 5.00 calls/s, 60.0% fail > SLO 1.0% (fake)"]);
    assert.equal(results[0].critical, true, "most calls fail");
    assert.equal(results[0].value, 0.6);
  });

  it("per-service SLO overrides apply to the callee; without a metric source it is skipped", async () => {
    const edges = [{ service: "frontend", callee: "geo", rate: 5, errorRatio: 0.03 }];
    const lenient = await runCheck(callErrors, [], { metrics: source(edges), config: { slo: { services: { geo: { maxErrorRatio: 0.05 } } } } });
    assert.equal(lenient[0].status, "pass");
    assert.deepEqual((await runCheck(callErrors, [])).map((r) => [r.entity, r.status]), [["*", "skipped"]]);
  });
});
