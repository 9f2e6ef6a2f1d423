/**
 * A mitigation's baseline counts the incident's confirmed failures: a check near its threshold
 * that H0 happened to see passing is still the incident's failure, so the fix that clears it can
 * commit — and only checks the incident was opened on are changed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { withIncidentFailures } from "../../src/core/incident-baseline.ts";
import { judge } from "../../src/core/verdict.ts";
import type { HealthReport } from "../../src/telemetry/health-check.ts";

const report = (results: Array<[string, string, "pass" | "fail"]>): HealthReport => {
  const rs = results.map(([check, entity, status]) => ({ check, entity, status, value: null, evidence: [] }));
  const failing = rs.filter((r) => r.status === "fail").map((r) => `${r.check}:${r.entity}`);
  return { at: new Date(0).toISOString(), results: rs, severity: failing.length * 2, failing, errors: [], weights: { "service-slo": 2, "pods-ready": 2 }, resolvesByAbsence: [], restarts: {}, samples: 3 };
};

describe("the incident's failures in a mitigation's baseline", () => {
  it("lets the fix of a flapping symptom commit, and leaves other checks alone", () => {
    const h0 = report([["service-slo", "hr/search", "pass"], ["pods-ready", "hr/geo", "pass"]]);
    const h1 = report([["service-slo", "hr/search", "pass"], ["pods-ready", "hr/geo", "pass"]]);
    assert.equal(judge(h0, h1, "mitigation").phase, "Failed", "measured alone, nothing improved");
    const b = withIncidentFailures(h0, ["service-slo:hr/search"]);
    assert.deepEqual(b.failing, ["service-slo:hr/search"]);
    assert.equal(b.severity, 2);
    assert.equal(b.results.find((r) => r.entity === "hr/geo")!.status, "pass");
    assert.equal(judge(b, h1, "mitigation").phase, "Successful");
  });

  it("changes nothing without incident checks or for checks H0 did not measure", () => {
    const h0 = report([["pods-ready", "hr/geo", "pass"]]);
    assert.equal(withIncidentFailures(h0, undefined), h0);
    assert.equal(withIncidentFailures(h0, ["service-slo:hr/search"]), h0);
  });
});
