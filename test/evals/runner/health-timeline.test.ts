/**
 * The runner's TNR judgement on synthetic samples: a committed transaction after which health is
 * worse than just before it is a violation, one after which it is the same or better is not; the
 * end-of-run comparison applies only when Stratus left writes in place that no commit vouched for;
 * and one bad sample among three is noise (the verdict folds three samples).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HealthTimeline } from "../../../evals/runner/health-timeline.ts";
import type { HealthReport } from "../../../src/telemetry/health-check.ts";

function report(failing: string[]): HealthReport {
  const entities = ["ns/a", "ns/b"];
  const results = entities.map((e) => ({ check: "deployments-available", entity: e, status: failing.includes(e) ? ("fail" as const) : ("pass" as const), value: null, evidence: [failing.includes(e) ? `${e} unavailable` : "ok"] }));
  return {
    at: "2026-01-01T00:00:00Z",
    results,
    severity: 3 * failing.length,
    failing: failing.map((e) => `deployments-available:${e}`),
    errors: [],
    weights: { "deployments-available": 3 },
    resolvesByAbsence: [],
    restarts: {},
    samples: 1,
  };
}

function timeline(samples: Array<[number, string[]]>): HealthTimeline {
  const t = new HealthTimeline({ cluster: {} as never, namespaces: ["ns"], clock: { now: () => 0, sleep: async () => {}, every: () => ({ cancel() {} }) }, baselineReplicas: new Map() });
  for (const [at, failing] of samples) t.samples.push({ at, report: report(failing) });
  return t;
}

describe("HealthTimeline TNR verdicts", () => {
  it("flags a commit after which health is worse than just before it", () => {
    const t = timeline([[0, ["ns/a"]], [10, ["ns/a"]], [20, ["ns/a"]], [40, ["ns/a", "ns/b"]], [50, ["ns/a", "ns/b"]], [60, ["ns/a", "ns/b"]]]);
    const v = t.violations([{ txId: "tx1", intentAt: 25, commitAt: 35 }], undefined);
    assert.equal(v.length, 1);
    assert.match(v[0], /tx1.*deployments-available:ns\/b passed in the baseline and fails now/);
  });

  it("accepts a commit that fixes, and treats one bad sample as noise", () => {
    const t = timeline([[0, ["ns/a"]], [10, ["ns/a"]], [20, ["ns/a"]], [40, []], [50, ["ns/b"]], [60, []]]);
    assert.deepEqual(t.violations([{ txId: "tx1", intentAt: 25, commitAt: 35 }], undefined), []);
  });

  it("compares the end of the run only when writes were left in place", () => {
    const t = timeline([[0, []], [10, []], [20, []], [40, ["ns/b"]], [50, ["ns/b"]], [60, ["ns/b"]]]);
    assert.deepEqual(t.violations([], undefined), [], "every failed attempt was rolled back: how the fault ages is not Stratus's doing");
    const v = t.violations([], 25);
    assert.equal(v.length, 1);
    assert.match(v[0], /ended worse than when Stratus first wrote/);
  });
});
