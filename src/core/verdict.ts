/**
 * Measure, then act: the verify step's judgement, kept apart from what the transaction does with
 * it. Compares health before (H0) and after (H1) and returns a phase with a readable reason —
 * Successful, Failed, Inconclusive or Error — that the transaction maps to commit, abort or hold.
 * Inconclusive is for evidence that cannot be trusted right now: a burst of alerts arriving while
 * the change was verified, when only the alerts say the change failed.
 */
import { firingAlerts } from "../telemetry/checks/firing-alerts.ts";
import { improved, regressed } from "../telemetry/compare.ts";
import type { HealthReport } from "../telemetry/health-check.ts";
import { combineSamples } from "../telemetry/health.ts";

export type VerdictPhase = "Successful" | "Failed" | "Inconclusive" | "Error";
export type Verdict = { phase: VerdictPhase; reason: string };

/** What else the verify step saw besides the two reports. */
export type VerifyEvidence = {
  /** Alerts (in the incident's scope) that arrived during the verification window, and the count that makes a burst. */
  alerts?: { arrived: number; burst: number };
};

/**
 * TNR's commit rule: no check that passed in H0 fails in H1, severity(H1) <= severity(H0), and for
 * a mitigation, severity strictly improved. A health measurement that could not run is an Error,
 * which aborts: Stratus never commits on a verdict it could not measure. When a burst of alerts
 * arrived during verification and the rule fails only because of alerts — the same rule passes on
 * every other check — the verdict is Inconclusive: a flood of alerts, forged or not, is not proof
 * that the change did harm, and the transaction holds and measures again instead of rolling back.
 */
export function judge(h0: HealthReport, h1: HealthReport, kind: "mitigation" | "change", evidence: VerifyEvidence = {}): Verdict {
  const v = rule(h0, h1, kind);
  const a = evidence.alerts;
  if (v.phase !== "Failed" || !a || a.arrived < a.burst) return v;
  const other = rule(withoutAlerts(h0), withoutAlerts(h1), kind);
  if (other.phase !== "Successful") return v;
  return { phase: "Inconclusive", reason: `${a.arrived} alerts arrived during verification (a burst: ${a.burst} or more); only alerts say the change failed (${v.reason}), every other check says: ${other.reason}` };
}

function rule(h0: HealthReport, h1: HealthReport, kind: "mitigation" | "change"): Verdict {
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

/** The report as it would read with no alert evidence at all. */
export function withoutAlerts(h: HealthReport): HealthReport {
  const isAlert = (key: string) => key.startsWith(`${firingAlerts.name}:`);
  const alertWeight = h.results.filter((r) => r.check === firingAlerts.name && r.status === "fail").reduce((s, r) => s + (h.weights[r.check] ?? 1), 0);
  return {
    ...h,
    results: h.results.filter((r) => r.check !== firingAlerts.name),
    severity: Math.max(0, h.severity - alertWeight),
    failing: h.failing.filter((k) => !isAlert(k)),
    errors: h.errors.filter((k) => !isAlert(k)),
  };
}

/** One health sample with the clock time it was taken. */
export type TimedReport = { at: number; report: HealthReport };

/**
 * Whether verification can stop before the longest stabilisation it was given: the answer is
 * already in. The incident's own checks have passed in every sample for at least `minClearMs`
 * (long enough that a change which only looks good while fresh pods start — a restart of a
 * crash-looping workload — shows its failure again), and the latest `window` samples, folded with
 * the usual hysteresis, get a Successful mitigation verdict against H0: nothing regressed and
 * severity strictly fell. Returns that folded report, or undefined to keep waiting. It only ever
 * ends a wait early on success; anything else waits out the whole stabilisation as before.
 */
export function settledEarly(h0: HealthReport, samples: readonly TimedReport[], incidentChecks: readonly string[], opts: { minClearMs: number; window: number }): HealthReport | undefined {
  const window = Math.max(1, Math.floor(opts.window));
  if (!incidentChecks.length || samples.length < window) return undefined;
  let first = samples.length;
  while (first > 0 && cleared(samples[first - 1].report, incidentChecks)) first--;
  const streak = samples.slice(first);
  if (streak.length < window || streak.at(-1)!.at - streak[0].at < opts.minClearMs) return undefined;
  const folded = combineSamples(streak.slice(-window).map((s) => s.report));
  return judge(h0, folded, "mitigation").phase === "Successful" ? folded : undefined;
}

/** Every one of `checks` ("check:entity") passes in the report (or is gone and resolves by absence). */
function cleared(report: HealthReport, checks: readonly string[]): boolean {
  const byKey = new Map(report.results.map((r) => [`${r.check}:${r.entity}`, r]));
  return checks.every((k) => {
    const r = byKey.get(k);
    if (r) return r.status === "pass";
    return report.resolvesByAbsence.includes(k.slice(0, k.indexOf(":")));
  });
}
