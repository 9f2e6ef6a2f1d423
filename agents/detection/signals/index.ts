/**
 * The detection signals, registered in one list. Add a signal: write its file and append it here.
 */
import type { Signal } from "../signal.ts";
import { firingAlerts } from "./alerts.ts";
import { callErrors } from "./call-errors.ts";
import { containerFailing } from "./container-failing.ts";
import { deploymentUnavailable } from "./deployment-unavailable.ts";
import { endpointsEmpty } from "./endpoints-empty.ts";
import { podNotReady } from "./pod-not-ready.ts";
import { podPending } from "./pod-pending.ts";
import { restartsClimbing } from "./restarts.ts";
import { rolloutStalled } from "./rollout-stalled.ts";
import { serviceErrors } from "./service-errors.ts";
import { serviceLatency } from "./service-latency.ts";
import { servicePortMismatch } from "./service-port-mismatch.ts";

export const SIGNALS: readonly Signal[] = [
  containerFailing,
  restartsClimbing,
  podPending,
  podNotReady,
  deploymentUnavailable,
  rolloutStalled,
  endpointsEmpty,
  servicePortMismatch,
  serviceErrors,
  serviceLatency,
  callErrors,
  firingAlerts,
];
