/**
 * Comparing two HealthReports, for TNR's commit rule: `regressed(baseline, now)` and
 * `improved(baseline, now)`. Both return a verdict with readable reasons. One rule beyond the
 * arithmetic: a result that failed in the baseline and is simply missing now is still counted as
 * failing ("carried forward"), unless its check resolves by absence (alerts). Otherwise scaling a
 * crash-looping Deployment to zero would "fix" its container-states failure by deleting the pods.
 */
import type { CheckResult, HealthReport } from "./health-check.ts";

export type Verdict = { reasons: string[] };
export type Regression = Verdict & { regressed: boolean };
export type Improvement = Verdict & { improved: boolean };

export const resultKey = (r: Pick<CheckResult, "check" | "entity">) => `${r.check}:${r.entity}`;

type Comparable = Pick<HealthReport, "results" | "severity" | "weights" | "resolvesByAbsence">;

/** Baseline failures that `now` no longer reports and that are not resolved by absence. */
export function carriedFailures(baseline: Comparable, now: Comparable): CheckResult[] {
  const present = new Set(now.results.map(resultKey));
  const byAbsence = new Set([...baseline.resolvesByAbsence, ...now.resolvesByAbsence]);
  return baseline.results.filter((r) => r.status === "fail" && !present.has(resultKey(r)) && !byAbsence.has(r.check));
}

/** now.severity plus the weight of carried-forward failures: the severity the comparison uses. */
export function effectiveSeverity(baseline: Comparable, now: Comparable): number {
  return now.severity + carriedFailures(baseline, now).reduce((s, r) => s + (baseline.weights[r.check] ?? now.weights[r.check] ?? 1), 0);
}

/**
 * True when anything that passed in the baseline fails now — or cannot be judged now because its
 * check errored (a verify that cannot see is not a pass) — or when the effective severity rose.
 */
export function regressed(baseline: Comparable, now: Comparable): Regression {
  const reasons: string[] = [];
  const nowByKey = new Map(now.results.map((r) => [resultKey(r), r]));
  const erroredNow = new Map(now.results.filter((r) => r.status === "error").map((r) => [r.check, r]));
  for (const before of baseline.results) {
    if (before.status !== "pass") continue;
    const key = resultKey(before);
    const after = nowByKey.get(key);
    if (after?.status === "fail") reasons.push(`${key} passed in the baseline and fails now: ${after.evidence[0] ?? ""}`.trimEnd());
    else if (after?.status === "error" || (!after && erroredNow.has(before.check))) {
      const err = after ?? erroredNow.get(before.check)!;
      reasons.push(`${key} passed in the baseline and cannot be checked now: ${err.evidence[0] ?? "the check failed to run"}`);
    }
  }
  const sb = baseline.severity;
  const sn = effectiveSeverity(baseline, now);
  if (sn > sb) {
    const newFailures = now.results.filter((r) => r.status === "fail" && !baseline.results.some((b) => b.status === "fail" && resultKey(b) === resultKey(r)));
    reasons.push(`severity rose from ${sb} to ${sn}${newFailures.length ? `; new failures: ${newFailures.map(resultKey).join(", ")}` : ""}`);
  }
  return { regressed: reasons.length > 0, reasons };
}

/** True when nothing regressed and the effective severity is strictly lower than the baseline's. */
export function improved(baseline: Comparable, now: Comparable): Improvement {
  const r = regressed(baseline, now);
  if (r.regressed) return { improved: false, reasons: r.reasons };
  const sb = baseline.severity;
  const sn = effectiveSeverity(baseline, now);
  const nowByKey = new Map(now.results.map((x) => [resultKey(x), x]));
  const resolved = baseline.results.filter((b) => b.status === "fail" && nowByKey.get(resultKey(b))?.status === "pass").map(resultKey);
  const carried = carriedFailures(baseline, now).map(resultKey);
  const reasons: string[] = [];
  if (sn < sb) reasons.push(`severity fell from ${sb} to ${sn}`);
  else reasons.push(`severity did not fall (${sb} before, ${sn} now)`);
  if (resolved.length) reasons.push(`resolved: ${resolved.join(", ")}`);
  if (carried.length) reasons.push(`still counted as failing (no longer reported, not resolved): ${carried.join(", ")}`);
  return { improved: sn < sb, reasons };
}
