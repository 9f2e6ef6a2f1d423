/**
 * The registered health checks, in one list: measureHealth runs these unless told otherwise, for
 * the transaction's verify and for detection alike. Add a check: write its file here, give it a
 * weight in defaults.ts, add it to HEALTH_CHECKS, and give it a case in the detection-verification
 * agreement test (test/agents/detection/agreement.test.ts).
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
import { callErrors } from "./call-errors.ts";
import { rolloutsProgressing } from "./rollouts-progressing.ts";
import { servicePorts } from "./service-ports.ts";

export const HEALTH_CHECKS: readonly HealthCheck[] = [
  deploymentsAvailable,
  containerStates,
  restarts,
  podsPending,
  podsReady,
  serviceSlo,
  firingAlerts,
  endpointsReady,
  servicePorts,
  rolloutsProgressing,
  callErrors,
];

export { callErrors, containerStates, deploymentsAvailable, endpointsReady, firingAlerts, podsPending, podsReady, restarts, rolloutsProgressing, servicePorts, serviceSlo };
