/** service-slo against a stub MetricSource: SLO breaches, overrides, no traffic, no source. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serviceSlo } from "../../../src/telemetry/checks/service-slo.ts";
import type { MetricSource, ServiceStats } from "../../../src/telemetry/metric-source.ts";
import { runCheck } from "../fake-cluster.ts";

const source = (stats: Record<string, ServiceStats>): MetricSource => ({
  name: "stub",
  serviceStats: async (ns) => new Map(ns === "hr" ? Object.entries(stats) : []),
  callEdges: async () => [],
  firingAlerts: async () => [],
});

describe("service-slo", () => {
  it("fails error ratio and p99 above the SLO, passes within it, skips no traffic", async () => {
    const metrics = source({
      geo: { requestRate: 10, errorRatio: 0.05, p99Seconds: 0.1 },
      rate: { requestRate: 10, errorRatio: 0.001, p99Seconds: 0.2 },
      search: { requestRate: 5, errorRatio: 0, p99Seconds: 2.5 },
      user: { requestRate: 0, errorRatio: 0, p99Seconds: null },
    });
    const results = await runCheck(serviceSlo, [], { metrics });
    assert.deepEqual(results.map((r) => [r.entity, r.status]), [["hr/geo", "fail"], ["hr/rate", "pass"], ["hr/search", "fail"], ["hr/user", "skipped"]]);
    assert.match(results[0].evidence[1], /error ratio 5\.00% > SLO 1\.00%/);
    assert.match(results[2].evidence[1], /p99 latency 2\.500s > SLO 1s/);
    assert.deepEqual(results[0].value, { requestRate: 10, errorRatio: 0.05, p99Seconds: 0.1 });
    assert.deepEqual(results[0].threshold, { maxErrorRatio: 0.01, maxP99Seconds: 1 });
  });

  it("applies per-service SLO overrides from config", async () => {
    const metrics = source({ search: { requestRate: 5, errorRatio: 0, p99Seconds: 2.5 } });
    const [r] = await runCheck(serviceSlo, [], { metrics, config: { slo: { services: { "hr/search": { maxP99Seconds: 3 } } } } });
    assert.equal(r.status, "pass");
  });

  it("is skipped, not failed, without a metric source or without any series", async () => {
    const [none] = await runCheck(serviceSlo, []);
    assert.deepEqual([none.entity, none.status], ["*", "skipped"]);
    assert.match(none.evidence[0], /no metric source configured/);
    const [empty] = await runCheck(serviceSlo, [], { metrics: source({}) });
    assert.deepEqual([empty.entity, empty.status], ["*", "skipped"]);
  });
});
