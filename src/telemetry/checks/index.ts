/**
 * The registered health checks, in one list: measureHealth runs these unless told otherwise. Add
 * a check: write its file here, give it a weight in defaults.ts, and add it to HEALTH_CHECKS.
 */
import type { HealthCheck } from "../health-check.ts";
import { containerStates } from "./container-states.ts";
import { deploymentsAvailable } from "./deployments-available.ts";
import { endpointsReady } from "./endpoints-ready.ts";
import { firingAlerts } from "./firing-alerts.ts";
import { podsPending } from "./pods-pending.ts";
import { podsReady } from "./pods-ready.ts";
import { restarts } from "./restarts.ts";
import { serviceSlo } from "./service-slo.ts";

export const HEALTH_CHECKS: readonly HealthCheck[] = [
  deploymentsAvailable,
  containerStates,
  restarts,
  podsPending,
  podsReady,
  serviceSlo,
  firingAlerts,
  endpointsReady,
];

export { containerStates, deploymentsAvailable, endpointsReady, firingAlerts, podsPending, podsReady, restarts, serviceSlo };
