/**
 * The detection agent's own tunables: only *timing* — how long a failing health check must hold
 * before it is an incident (hysteresis), how long a check may drop out and still be the same
 * failure, how far back restart growth is counted, and the cool-down after an incident closes.
 * What counts as failing (SLOs, grace periods, bad container reasons, request-rate floors) is not
 * here: detection runs the same checks with the same numbers as verification
 * (`src/telemetry/defaults.ts`).
 */

export type DetectionSettings = {
  /** A failure read from object status, specs or Endpoints must hold this long... */
  statusHoldMs: number;
  /** ...one read from metric rates this long, longer than a traffic spike and than a rate window... */
  metricHoldMs: number;
  /** ...and be seen in at least this many observations. An alert has held in its source: one observation. */
  minObservations: number;
  /** Per check name, a hold that replaces its source's (a healthy rollout is briefly unavailable). */
  holdMsByCheck: Readonly<Record<string, number>>;
  /** A failure missing from observations for less than this is still the same one (crash loops flap). */
  gapToleranceMs: number;
  /** The `restarts` check counts growth over this long (from the oldest observation within it). */
  restartWindowMs: number;
  /** After an incident closes, metric failures must start at least this much later to count (rates lag). */
  metricCooldownMs: number;
  /** An open incident whose failures have all been gone this long is closed by detection itself. */
  autoCloseMs: number;
};

export const DEFAULT_DETECTION: DetectionSettings = {
  statusHoldMs: 30_000,
  metricHoldMs: 20_000,
  minObservations: 3,
  holdMsByCheck: {
    // A rollout's new pods are unavailable while they start: the same minute `pods-pending` and `pods-ready` grant.
    "deployments-available": 60_000,
    // These fail only once their condition has outlived the check's own grace period (Pending, or
    // running but not Ready, for a minute): the condition has held already; only the observation count applies.
    "pods-pending": 0,
    "pods-ready": 0,
    // The kubelet's own verdict that a container cannot run (ImagePullBackOff, CrashLoopBackOff,
    // CreateContainerConfigError...), and a Service port its pods do not serve (read from specs):
    // unambiguous, they do not come and go with load or a pod's restart.
    "container-states": 10_000,
    "service-ports": 10_000,
  },
  gapToleranceMs: 30_000,
  restartWindowMs: 10 * 60_000,
  metricCooldownMs: 60_000,
  autoCloseMs: 5 * 60_000,
};
