/**
 * Every tunable of the embedded detection reasoner in one place: how long a symptom must persist
 * before it is an incident (hysteresis), what counts as a latency or error anomaly, grace periods
 * for starting pods and rollouts, and the cool-down after an incident closes.
 */
import { DEFAULT_BAD_TERMINATED_REASONS, DEFAULT_BAD_WAITING_REASONS, DEFAULT_SLO } from "../../src/telemetry/defaults.ts";

export type DetectionSettings = {
  /** A status symptom (pods, containers, endpoints) must persist this long... */
  statusHoldMs: number;
  /** ...a metric symptom (error ratio, latency) this long, longer than a traffic spike and than a rate window... */
  metricHoldMs: number;
  /** ...and be seen in at least this many observations. */
  minObservations: number;
  /** A symptom missing from fewer observations than this, within `gapToleranceMs`, is still the same one (crash loops flap). */
  gapToleranceMs: number;
  /** Error ratio above which a service or call edge is failing. */
  maxErrorRatio: number;
  /** p99 latency above which a service is slow, whatever its baseline. */
  maxP99Seconds: number;
  /** Latency anomaly: p99 above baseline × this factor and above baseline + `latencyMinDeltaSeconds`. */
  latencyFactor: number;
  latencyMinDeltaSeconds: number;
  /** Requests per second below which a service's ratios are not judged (too little traffic). */
  minRequestRate: number;
  /** A pod may be Pending / not Ready this long after it was created or started (image pulls, warm-up). */
  startGraceMs: number;
  /** Restarts a container may gain within `restartWindowMs` (one restart is noise). */
  restartTolerance: number;
  restartWindowMs: number;
  /** After an incident closes, metric symptoms must start at least this much later to count (rates lag). */
  metricCooldownMs: number;
  /** An open incident whose symptoms have all been gone this long is closed by detection itself. */
  autoCloseMs: number;
  badWaitingReasons: readonly string[];
  badTerminatedReasons: readonly string[];
};

export const DEFAULT_DETECTION: DetectionSettings = {
  statusHoldMs: 30_000,
  metricHoldMs: 60_000,
  minObservations: 3,
  gapToleranceMs: 30_000,
  maxErrorRatio: DEFAULT_SLO.maxErrorRatio,
  maxP99Seconds: DEFAULT_SLO.maxP99Seconds,
  latencyFactor: 3,
  latencyMinDeltaSeconds: 0.15,
  minRequestRate: 0.05,
  startGraceMs: 60_000,
  restartTolerance: 1,
  restartWindowMs: 10 * 60_000,
  metricCooldownMs: 60_000,
  autoCloseMs: 5 * 60_000,
  badWaitingReasons: DEFAULT_BAD_WAITING_REASONS,
  badTerminatedReasons: DEFAULT_BAD_TERMINATED_REASONS,
};
