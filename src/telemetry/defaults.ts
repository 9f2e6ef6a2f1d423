/**
 * Every tunable number of the health model and the metric sources in one place: SLOs, check
 * weights (what severity is made of), grace periods, windows and scrape intervals. Config files
 * override these through `config.ts`; nothing else in `src/telemetry/` carries a literal threshold.
 * Detection judges with these same checks and numbers (agents/detection only adds how long a
 * failure must hold), so what opens an incident is what verification weighs.
 */

/** Per-service objective; a service fails `service-slo` when either bound is exceeded. */
export type Slo = { maxErrorRatio: number; maxP99Seconds: number };

export const DEFAULT_SLO: Slo = { maxErrorRatio: 0.01, maxP99Seconds: 1 };

/**
 * A service (or call edge) at or below this request rate (req/s) has too little traffic to judge:
 * its SLO result is skipped (a handful of requests make any error ratio).
 */
export const DEFAULT_MIN_REQUEST_RATE = 0.05;
/** An error ratio at or above this means the service's users get almost nothing: a critical failure. */
export const DEFAULT_CRITICAL_ERROR_RATIO = 0.5;

/**
 * Weight of one failing result of each check. Severity = sum of the weights of failing results,
 * so the checks that say "users are hurt" (availability, SLOs) outweigh early signs (restarts).
 */
export const DEFAULT_CHECK_WEIGHTS: Readonly<Record<string, number>> = {
  "deployments-available": 3,
  "container-states": 2,
  "restarts": 1,
  "pods-pending": 2,
  "pods-ready": 2,
  "service-slo": 2,
  "firing-alerts": 1,
  "endpoints-ready": 2,
  "service-ports": 2,
  "rollouts-progressing": 1,
  "call-errors": 1,
};
/** Weight of a check not named above (a plug-in added later without a weight). */
export const DEFAULT_CHECK_WEIGHT = 1;

/** How far back "recently" reaches: a container that terminated OOMKilled within it still counts. */
export const DEFAULT_HEALTH_WINDOW_MS = 5 * 60_000;
/** A Pod may be Pending this long (image pulls, scheduling) before `pods-pending` fails it. */
export const DEFAULT_PENDING_GRACE_MS = 60_000;
/** Restarts a container may gain between two observations and still pass (one is noise). */
export const DEFAULT_RESTART_GROWTH_TOLERANCE = 1;

/** Waiting reasons that mean a container cannot run (kubelet's own reason strings). */
export const DEFAULT_BAD_WAITING_REASONS: readonly string[] = [
  "CrashLoopBackOff",
  "ImagePullBackOff",
  "ErrImagePull",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
];
/** Terminated reasons that mean a container died (Completed is a clean exit and is not listed). */
export const DEFAULT_BAD_TERMINATED_REASONS: readonly string[] = ["OOMKilled", "Error", "ContainerCannotRun", "DeadlineExceeded"];

/** measureHealthOverWindow: samples taken and the wait between them. */
export const DEFAULT_WINDOW_SAMPLES = 3;
export const DEFAULT_WINDOW_INTERVAL_MS = 10_000;

/** Metric sources. The telemetry preset read when none is chosen (`--telemetry`). */
export const DEFAULT_TELEMETRY_PRESET = "istio" as const;
export const DEFAULT_METRIC_TIMEOUT_MS = 5_000;
/** Scrape source: calls closer than this to the last scrape reuse its rates instead of re-scraping. */
export const DEFAULT_SCRAPE_MIN_INTERVAL_MS = 1_000;
/** Scrape source: with no earlier scrape, scrape, wait this long, scrape again. */
export const DEFAULT_SCRAPE_PRIME_INTERVAL_MS = 5_000;
/** Scrape source: an earlier scrape older than this is stale; rates restart from a fresh pair. */
export const DEFAULT_SCRAPE_MAX_AGE_MS = 5 * 60_000;
