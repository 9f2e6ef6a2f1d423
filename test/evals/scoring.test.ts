/**
 * Scoring on synthetic results: each rate over the scenarios it applies to, errored scenarios
 * failing every rate, medians in simulated seconds, the public JSON shape (every field the issue
 * names, none renamed) and the report's tables and ablation beside the paper's figures.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { renderReport } from "../../evals/report.ts";
import { erroredResult, evalJson, median, summarize, type ScenarioResult } from "../../evals/scoring.ts";

type Partial_ = Partial<ScenarioResult> & { id: string; expect: ScenarioResult["expect"] };

function result(p: Partial_): ScenarioResult {
  const base = erroredResult({ id: p.id, agent: "stratus", app: "hotel-reservation", file: `${p.id}.yaml`, expect: p.expect }, "");
  return { ...base, error: null, localized: p.expect.localization ? false : null, rcaCorrect: p.expect.rootCause ? false : null, ...p };
}

const FIX = { detected: true, localization: ["rate"], rootCause: { layer: "virtualization" as const, type: "misconfiguration" as const }, mitigated: true };
const QUIET = { detected: false, mitigated: false };

const results: ScenarioResult[] = [
  result({ id: "a", expect: FIX, detected: true, localized: true, rcaCorrect: true, mitigated: true, ttdSeconds: 30, ttmSeconds: 100, attempts: 1, actions: 1 }),
  result({ id: "b", expect: FIX, detected: true, localized: true, rcaCorrect: false, mitigated: true, ttdSeconds: 50, ttmSeconds: 300, attempts: 2, rollbacks: 1, actions: 2 }),
  result({ id: "c", expect: { ...FIX, rootCause: undefined }, detected: true, localized: false, mitigated: false, ttdSeconds: 40, attempts: 3, rollbacks: 3, tnrViolations: 1 }),
  result({ id: "d", expect: QUIET, detected: false }),
  result({ id: "e", expect: QUIET, detected: true, falsePositiveMitigation: true, attempts: 1, ttdSeconds: 20 }),
  erroredResult({ id: "f", agent: "stratus", app: "social-network", file: "f.yaml", expect: FIX }, "sandbox failed to start"),
];

describe("scoring", () => {
  it("computes each rate over the scenarios it applies to; an error fails them all", () => {
    const s = summarize("stratus", results, 12.34);
    assert.equal(s.scenarios, 6);
    assert.equal(s.errors, 1);
    assert.equal(s.mitigationRate, 0.5); // a, b of a, b, c, f
    assert.equal(s.detectionAccuracy, 0.6667); // a, b, c, d right; e wrong (quiet but detected); f errored
    assert.equal(s.localizationAccuracy, 0.5); // a, b of a, b, c, f
    assert.equal(s.rcaAccuracy, 0.3333); // a of a, b, f (c gives no rootCause)
    assert.equal(s.falsePositiveMitigations, 1);
    assert.equal(s.tnrViolations, 1);
    assert.equal(s.medianTtdSeconds, 40); // a, b, c: the scenarios that expect detection
    assert.equal(s.medianTtmSeconds, 200);
    assert.equal(s.wallSeconds, 12.3);
    assert.equal(s.rollbacks, 4);
  });

  it("has no rate where nothing applies", () => {
    const s = summarize("single", [result({ id: "q", expect: QUIET })], 1);
    assert.equal(s.mitigationRate, null);
    assert.equal(s.localizationAccuracy, null);
    assert.equal(s.detectionAccuracy, 1);
    assert.equal(median([]), null);
    assert.equal(median([3, 1, 2]), 2);
  });

  it("writes the public JSON shape, first agent at the top and every agent under agents", () => {
    const doc = JSON.parse(JSON.stringify(evalJson([
      { agent: "stratus", results, wallSeconds: 10 },
      { agent: "naive", results: results.map((r) => ({ ...r, agent: "naive" as const })), wallSeconds: 11 },
    ], [{ file: "x.yaml", field: "faults[0].kind", message: "unknown fault kind" }])));
    for (const k of ["scenarios", "errors", "mitigationRate", "detectionAccuracy", "localizationAccuracy", "rcaAccuracy", "falsePositiveMitigations", "tnrViolations", "medianTtdSeconds", "medianTtmSeconds", "wallSeconds"]) {
      assert.ok(k in doc.summary, `summary.${k}`);
    }
    for (const k of ["id", "error", "detected", "localized", "rcaCorrect", "mitigated", "tnrViolations", "ttdSeconds", "ttmSeconds", "attempts", "actions", "rollbacks", "falsePositiveMitigation"]) {
      assert.ok(k in doc.results[0], `results[].${k}`);
    }
    assert.equal(doc.summary.agent, "stratus");
    assert.deepEqual(Object.keys(doc.agents), ["stratus", "naive"]);
    assert.equal(doc.results[5].error, "sandbox failed to start");
    assert.equal(doc.summary.invalidFiles, 1);
  });

  it("reports one table per agent, the ablation beside the paper's figures, and the bad files", () => {
    const md = renderReport(evalJson([
      { agent: "stratus", results, wallSeconds: 10 },
      { agent: "naive", results, wallSeconds: 10 },
      { agent: "single", results, wallSeconds: 10 },
    ], [{ file: "x.yaml", field: "faults[0].kind", message: "unknown fault kind" }]));
    assert.match(md, /## Ablation/);
    for (const fig of ["69.2%", "23.1%", "15.4%"]) assert.ok(md.includes(fig), fig);
    assert.match(md, /environment differs/i);
    assert.equal(md.match(/\| scenario \| detected \| localized \| RCA \| mitigated \| attempts \| rollbacks \| ttm \|/g)?.length, 3);
    assert.match(md, /x\.yaml: faults\[0\]\.kind: unknown fault kind/);
    assert.match(md, /error: sandbox failed to start/);
  });
});
