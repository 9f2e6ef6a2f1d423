/**
 * Measure, then act: the verify step's judgement, kept apart from what the transaction does with
 * it. Compares health before (H0) and after (H1) and returns a phase with a readable reason —
 * Successful, Failed or Error — that the transaction maps to commit or abort.
 */
import { improved, regressed } from "../telemetry/compare.ts";
import type { HealthReport } from "../telemetry/health-check.ts";

export type VerdictPhase = "Successful" | "Failed" | "Error";
export type Verdict = { phase: VerdictPhase; reason: string };

/**
 * TNR's commit rule: no check that passed in H0 fails in H1, severity(H1) <= severity(H0), and for
 * a mitigation, severity strictly improved. A health measurement that could not run is an Error,
 * which aborts: Stratus never commits on a verdict it could not measure.
 */
export function judge(h0: HealthReport, h1: HealthReport, kind: "mitigation" | "change"): Verdict {
  if (h1.errors.length && h1.errors.length >= h1.results.length) {
    return { phase: "Error", reason: `health could not be measured after the change (${h1.errors.join(", ")})` };
  }
  const r = regressed(h0, h1);
  if (r.regressed) return { phase: "Failed", reason: `health regressed: ${r.reasons.join("; ")}` };
  if (kind === "mitigation") {
    const i = improved(h0, h1);
    if (!i.improved) {
      return { phase: "Failed", reason: `health did not improve (severity ${h0.severity} → ${h1.severity})${i.reasons.length ? `: ${i.reasons.join("; ")}` : ""}` };
    }
    return { phase: "Successful", reason: `health improved (severity ${h0.severity} → ${h1.severity}), nothing regressed` };
  }
  return { phase: "Successful", reason: `no regression (severity ${h0.severity} → ${h1.severity})` };
}
