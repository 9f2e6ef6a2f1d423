/**
 * The verify measurement of an incident's transaction, ended as soon as the answer is in. The
 * transaction used to sleep a fixed stabilisation and then take its window of samples; most fixes
 * settle in seconds, so that sleep was most of the time to mitigate. Here health is sampled from
 * the moment the change is applied, and the wait ends early once `settledEarly` (core/verdict.ts)
 * says so: the incident's own checks have stayed clear for a minimum window and the latest window
 * of samples is a Successful verdict against H0. Otherwise sampling goes on until the whole
 * stabilisation plus the usual window has passed, and the last window is returned — the same
 * samples at the same times the fixed wait took, so a slow or failed fix is judged as before.
 */
import type { Clock } from "../base/clock.ts";
import { withIncidentFailures } from "../core/incident-baseline.ts";
import { settledEarly, type TimedReport } from "../core/verdict.ts";
import type { HealthInput, HealthReport } from "../telemetry/health-check.ts";
import { combineSamples, measureHealth } from "../telemetry/health.ts";

export type SettleOptions = {
  clock: Clock;
  /** H0 as the probe measured it, and the incident's checks ("check:entity") it was opened on. */
  baseline: HealthReport;
  incidentChecks: readonly string[];
  /** The longest the change is given to settle before its window of samples (the stabilisation). */
  maxSettleMs: number;
  /** The incident's checks must stay clear at least this long before the wait may end early. */
  minClearMs: number;
  /** The hysteresis window: this many samples, this far apart. */
  samples: number;
  intervalMs: number;
};

export async function settleHealth(input: HealthInput, o: SettleOptions): Promise<HealthReport> {
  const window = Math.max(1, Math.floor(o.samples));
  const h0 = withIncidentFailures(o.baseline, o.incidentChecks);
  const end = o.clock.now() + Math.max(0, o.maxSettleMs) + (window - 1) * o.intervalMs;
  const taken: TimedReport[] = [];
  for (;;) {
    const at = o.clock.now();
    // Restart growth is counted over one window, as measureHealthOverWindow counts it.
    const reference = taken.length >= window - 1 && window > 1 ? taken[taken.length - (window - 1)].report : input.previous;
    const report = await measureHealth({ ...input, ...(reference ? { previous: reference } : {}) });
    taken.push({ at, report });
    if (taken.length > window * 8) taken.shift();
    if (settledEarly(h0, taken, o.incidentChecks, { minClearMs: o.minClearMs, window })) break;
    if (at >= end) break;
    await o.clock.sleep(Math.min(o.intervalMs, Math.max(0, end - at)));
  }
  return combineSamples(taken.slice(-window).map((s) => s.report));
}
